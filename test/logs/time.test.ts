import { describe, expect, it } from 'vitest';
import { parseUserDate, toUtcIso } from '../../src/logs/time.ts';

describe('toUtcIso', () => {
  it.each([
    ['2026-11-20T08:15:00Z', '2026-11-20T08:15:00.000Z'],
    ['2026-11-20T08:15:00.1234567Z', '2026-11-20T08:15:00.123Z'],
    ['2026-11-20T10:15:00+02:00', '2026-11-20T08:15:00.000Z'],
    ['2026-11-20T03:15:00-0500', '2026-11-20T08:15:00.000Z'],
    ['2026-11-20 08:15:00.250', '2026-11-20T08:15:00.250Z'],
    ['2026-11-20 08:15', '2026-11-20T08:15:00.000Z'],
    [1795162500, '2026-11-20T08:15:00.000Z'],
    [1795162500250, '2026-11-20T08:15:00.250Z'],
    ['1795162500', '2026-11-20T08:15:00.000Z'],
    ['1795162500250', '2026-11-20T08:15:00.250Z'],
  ])('%s → %s', (input, expected) => {
    expect(toUtcIso(input)).toBe(expected);
  });

  it.each([[''], ['yesterday'], ['2026-02-30T00:00:00Z'], ['2026-11-20T25:00:00Z'], [null], [{}], [true], [1795162500250000]])('rejects %s', (input) => {
    expect(toUtcIso(input)).toBeUndefined();
  });

  it('reads a user date as the start of that UTC day', () => {
    expect(parseUserDate('2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
    expect(parseUserDate('nope')).toBeUndefined();
  });
});
