import { describe, expect, it } from 'vitest';
import { loadRegistry, loadRegistryFromSources } from '../../src/registry/load.ts';
import { ActionPatternError, compileActionMatcher, matchAction, parseActionPattern } from '../../src/registry/matcher.ts';

const registry = loadRegistryFromSources('mem', [
  {
    path: 'actions.yaml',
    content: `
kind: ScopeSet
tenant: shop
scopes:
  read.orders: {}
  write.orders: {}
  read.data: {}
  read.invoices: {}
  admin: {}
  ping: {}
  read.files: {}
  deep: {}
---
kind: ActionMap
tenant: shop
actions:
  read.orders: [GET /v1/orders, "GET /v1/orders/{id}"]
  write.orders: [POST /v1/orders, "PUT /v1/orders/{id}", "PATCH /v1/orders/{id}"]
  read.data: [GET /v1/data/**, HEAD /v1/data/**]
  read.invoices: [GET /v1/billing/invoices/*]
  admin: ["* /v1/admin/**"]
  ping: ["* /"]
  read.files: [GET /v1/files/*/content]
  deep: [GET /v1/**/export/**]
`,
  },
]);

// [method, path, expected scopes]
const cases: Array<[string, string, string[]]> = [
  ['GET', '/v1/orders', ['read.orders']],
  ['GET', '/v1/orders/', ['read.orders']], // trailing slash tolerated
  ['GET', '/v1/orders?limit=10', ['read.orders']], // query ignored
  ['GET', '/v1/orders#top', ['read.orders']],
  ['GET', '/v1/orders/42', ['read.orders']], // {id}
  ['GET', '/v1/orders/42/', ['read.orders']],
  ['GET', '/v1/orders/42/items', []], // {id} is one segment
  ['get', '/v1/orders/42', ['read.orders']], // method case-insensitive
  ['POST', '/v1/orders', ['write.orders']],
  ['POST', '/v1/orders/42', []],
  ['PUT', '/v1/orders/42', ['write.orders']],
  ['DELETE', '/v1/orders/42', []],
  ['HEAD', '/v1/orders/42', []], // GET does not imply HEAD
  ['GET', '/V1/orders', []], // literals are case-sensitive
  ['GET', '/v1/data', ['read.data']], // ** matches zero segments
  ['GET', '/v1/data/', ['read.data']],
  ['GET', '/v1/data/customers', ['read.data']],
  ['GET', '/v1/data/customers/7/addresses', ['read.data']],
  ['HEAD', '/v1/data/customers', ['read.data']],
  ['POST', '/v1/data/customers', []],
  ['GET', '/v1/datax', []],
  ['GET', '/v1/billing/invoices/inv_1', ['read.invoices']], // * one segment
  ['GET', '/v1/billing/invoices', []], // * needs a segment
  ['GET', '/v1/billing/invoices/inv_1/pdf', []], // * exactly one
  ['DELETE', '/v1/admin/tenants/9', ['admin']], // method *
  ['OPTIONS', '/v1/admin', ['admin']],
  ['PATCH', '/v1/admin/flags', ['admin']],
  ['GET', '/', ['ping']],
  ['POST', '', ['ping']],
  ['GET', '/v1/files/f1/content', ['read.files']],
  ['GET', '/v1/files//content', []], // an empty segment is dropped, so * has nothing to match
  ['GET', '/v1/export', ['deep']], // ** then literal then ** (both zero)
  ['GET', '/v1/a/b/export/c', ['deep']],
  ['GET', '/v1/a/b/exports', []],
  ['GET', '/v1/data/export', ['deep', 'read.data']], // several scopes, sorted
  ['GET', '/v2/orders', []],
];

describe('matchAction', () => {
  it.each(cases)('%s %s → %j', (method, path, expected) => {
    expect(matchAction(registry, 'shop', method, path)).toEqual(expected);
  });

  it('returns [] for an unknown tenant', () => {
    expect(matchAction(registry, 'nobody', 'GET', '/v1/orders')).toEqual([]);
  });

  it('caches per registry, so another registry with the same tenant name gets its own answers', () => {
    expect(matchAction(registry, 'shop', 'GET', '/v1/orders/1')).toEqual(['read.orders']);
    const other = loadRegistryFromSources('mem', [
      { path: 'o.yaml', content: 'kind: ScopeSet\ntenant: shop\nscopes: {other: {}}\n---\nkind: ActionMap\ntenant: shop\nactions: {other: ["GET /v1/orders/{id}"]}\n' },
    ]);
    expect(matchAction(other, 'shop', 'GET', '/v1/orders/1')).toEqual(['other']);
    expect(matchAction(registry, 'shop', 'GET', '/v1/orders/1')).toEqual(['read.orders']);
  });

  it('works on the example registry', async () => {
    const example = await loadRegistry('scopes');
    expect(matchAction(example, 'acme', 'GET', '/v1/data/customers/c_19/addresses')).toEqual(['read.data']);
    expect(matchAction(example, 'acme', 'POST', '/v1/orders/o_7/cancel')).toEqual(['cancel.orders']);
    expect(matchAction(example, 'acme', 'DELETE', '/v1/admin/feature-flags/new-checkout')).toEqual(['admin.console']);
    expect(matchAction(example, 'acme', 'GET', '/v1/billing/invoices/inv_2026_0042')).toEqual(['read.invoices']);
    expect(matchAction(example, 'globex', 'GET', '/v1/tracking/shipments/s_1/events')).toEqual(['tracking.all']);
  });
});

describe('compileActionMatcher', () => {
  it('matches a tenant built in memory', () => {
    const matcher = compileActionMatcher(registry.tenants.shop!);
    expect(matcher.match('PATCH', '/v1/orders/9')).toEqual(['write.orders']);
  });
});

describe('parseActionPattern', () => {
  it.each([
    ['GET /v1/orders/{id}', { method: 'GET', segments: [{ kind: 'literal', value: 'v1' }, { kind: 'literal', value: 'orders' }, { kind: 'param', name: 'id' }] }],
    ['* /v1/**', { method: '*', segments: [{ kind: 'literal', value: 'v1' }, { kind: 'globstar' }] }],
    ['delete /a/*/', { method: 'DELETE', segments: [{ kind: 'literal', value: 'a' }, { kind: 'star' }] }],
    ['OPTIONS /', { method: 'OPTIONS', segments: [] }],
  ])('%s', (text, expected) => {
    expect(parseActionPattern(text)).toEqual(expected);
  });

  it.each([
    ['GET', 'is not "METHOD /path"'],
    ['GET /a extra', 'is not "METHOD /path"'],
    ['FETCH /a', 'unknown method "FETCH"'],
    ['GET v1/orders', 'must start with "/"'],
    ['GET /v1/*.json', 'malformed segment "*.json"'],
    ['GET /v1/orders?x=1', 'malformed segment "orders?x=1"'],
    ['GET /v1/{id', 'malformed segment "{id"'],
  ])('rejects %s', (text, message) => {
    expect(() => parseActionPattern(text)).toThrow(ActionPatternError);
    expect(() => parseActionPattern(text)).toThrow(message);
  });
});
