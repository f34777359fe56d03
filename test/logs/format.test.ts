import { describe, expect, it } from 'vitest';
import { formatEvents, formatStats } from '../../src/logs/format.ts';
import type { AuditEvent } from '../../src/schema/types.ts';

const event = (clientId: string): AuditEvent => ({
  eventId: 'e1',
  tenant: 'acme',
  provider: 'gateway',
  time: '2026-11-10T10:00:00.000Z',
  type: 'api.request',
  outcome: 'success',
  clientId,
  scopes: ['read.orders'],
  requestedScopes: [],
  request: { method: 'GET', path: '/v1/orders', status: 200 },
});

describe('logs query and stats output', () => {
  it('neutralises terminal escapes and line breaks from log fields in CSV, as the table does', () => {
    const csv = formatEvents([event('esc\u001b[31mRED\u001b[0m'), event('two\r\nlines\u202e'), event('=HYPERLINK("x")'), event('plain,comma')], 'csv').split('\n');
    expect(csv).toHaveLength(5);
    // eslint-disable-next-line no-control-regex
    expect(csv.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(csv[1]).toContain(',esc\uFFFD[31mRED\uFFFD[0m,');
    expect(csv[2]).toContain(',two\uFFFD\uFFFDlines\uFFFD,');
    // formulas defused and commas quoted, as before
    expect(csv[3]).toContain(`,"'=HYPERLINK(""x"")",`);
    expect(csv[4]).toContain(',"plain,comma",');
    // the table shows the same cell the same way
    expect(formatEvents([event('esc\u001b[31mRED\u001b[0m')], 'table')).toContain('esc\uFFFD[31mRED\uFFFD[0m');
    expect(formatStats([{ dimension: 'tenant', key: 'k\u001b]0;title\u0007', events: 2 }], 'csv')).toBe('dimension,key,events\ntenant,k\uFFFD]0;title\uFFFD,2');
  });
});
