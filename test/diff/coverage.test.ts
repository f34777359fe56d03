import { describe, expect, it } from 'vitest';
import { coveragePattern, patternCovers, setCovers, type CoveragePattern } from '../../src/diff/coverage.ts';

const p = (text: string): CoveragePattern => {
  const parsed = coveragePattern(text);
  if (!parsed) throw new Error(`bad pattern in test: ${text}`);
  return parsed;
};

/** [wide, narrow, wide covers narrow] */
const CASES: Array<[string, string, boolean]> = [
  ['GET /v1/orders/*', 'GET /v1/orders/{id}', true],
  ['GET /v1/orders/{id}', 'GET /v1/orders/*', true],
  ['GET /v1/orders/{id}', 'GET /v1/orders/{orderId}', true],
  ['GET /v1/orders/*', 'GET /v1/orders/42', true],
  ['GET /v1/orders/42', 'GET /v1/orders/*', false],
  ['GET /v1/orders/**', 'GET /v1/orders/{id}', true],
  ['GET /v1/orders/**', 'GET /v1/orders', true],
  ['GET /v1/orders/**', 'GET /v1/orders/*/items/**', true],
  ['GET /v1/orders/*', 'GET /v1/orders/**', false],
  ['GET /v1/orders/{id}', 'GET /v1/orders', false],
  ['GET /**', 'GET /v1/orders/{id}', true],
  ['GET /v1/orders/{id}', 'GET /**', false],
  ['GET /**', 'GET /', true],
  ['GET /v1/*/items', 'GET /v1/orders/items', true],
  ['GET /v1/orders/items', 'GET /v1/*/items', false],
  ['GET /v1/**/items', 'GET /v1/a/b/items', true],
  ['GET /v1/**/items', 'GET /v1/items', true],
  ['GET /v1/**/items', 'GET /v1/**/other', false],
  ['* /v1/orders', 'GET /v1/orders', true],
  ['GET /v1/orders', '* /v1/orders', false],
  ['POST /v1/orders', 'GET /v1/orders', false],
  ['get /v1/orders', 'GET /v1/orders', true],
  ['GET /v1/orders/', 'GET /v1/orders', true],
  ['GET /v1/Orders', 'GET /v1/orders', false],
];

describe('pattern coverage', () => {
  it.each(CASES)('%s covers %s: %s', (wide, narrow, expected) => {
    expect(patternCovers(p(wide), p(narrow))).toBe(expected);
  });

  it('covers an any-method pattern with one pattern per method', () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => p(`${m} /x/**`));
    expect(setCovers(methods, p('* /x/{id}'))).toBe(true);
    expect(setCovers(methods.slice(1), p('* /x/{id}'))).toBe(false);
  });

  it('takes the union: a pattern covered by any member of the set is covered', () => {
    expect(setCovers([p('GET /a'), p('GET /b/*')], p('GET /b/{id}'))).toBe(true);
    expect(setCovers([p('GET /a'), p('GET /b/*')], p('GET /c'))).toBe(false);
  });

  it('does not parse a malformed pattern', () => {
    expect(coveragePattern('FETCH /x')).toBeUndefined();
    expect(coveragePattern('GET /x*.json')).toBeUndefined();
  });
});
