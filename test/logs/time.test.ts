import { describe, expect, it } from 'vitest';
import { isCanonicalUtc, isCanonicalUtcBytes, parseUserDate, toUtcIso } from '../../src/logs/time.ts';

describe('toUtcIso', () => {
  it('takes already-normalized UTC times as they are, and still refuses impossible or out-of-range ones in that shape', () => {
    expect(toUtcIso('2026-11-20T08:15:00.123Z')).toBe('2026-11-20T08:15:00.123Z');
    expect(toUtcIso('2024-02-29T00:00:00.000Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(toUtcIso('2000-02-29T23:59:59.999Z')).toBe('2000-02-29T23:59:59.999Z');
    for (const impossible of ['2026-02-29T00:00:00.000Z', '2100-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z', '2026-01-00T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00.000Z', '2026-01-0aT00:00:00.000Z', '1989-12-31T23:59:59.999Z']) {
      expect(toUtcIso(impossible), impossible).toBeUndefined();
    }
    // a leap second keeps the general path's reading (rolled into the next minute)
    expect(toUtcIso('2026-06-30T23:59:60.000Z')).toBe(toUtcIso(' 2026-06-30T23:59:60.000Z'));
  });

  it('judges a canonical time read as bytes inside a line (the direct lane) exactly as the same time read as a string', () => {
    const samples = [
      '2026-11-20T08:15:00.123Z', '2024-02-29T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '1990-01-01T00:00:00.000Z', '2199-12-31T23:59:59.999Z',
      '2026-02-29T00:00:00.000Z', '2100-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-01-01T24:00:00.000Z',
      '2026-01-0aT00:00:00.000Z', '1989-12-31T23:59:59.999Z', '2200-01-01T00:00:00.000Z', '2026-06-30T23:59:60.000Z', '2026-11-20 08:15:00.123Z',
      '2026-11-20T08:15:00.123z', '2026-11-20T08:15:00,123Z',
    ];
    for (const time of samples) {
      const line = Buffer.from(`{"time":"${time}"}`, 'latin1');
      expect(isCanonicalUtcBytes(line, 9), time).toBe(isCanonicalUtc(time));
    }
    expect(samples.filter((time) => isCanonicalUtc(time))).toEqual(samples.slice(0, 5));
  });

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
