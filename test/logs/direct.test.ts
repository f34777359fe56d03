// The direct lane (src/logs/direct.ts) may only change how fast a normalized line is stored, never what is stored or
// rejected: the same files are imported with the lane on and off into real DuckDB stores and compared row by row.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIRECT_KEYS, scanStoredForm } from '../../src/logs/direct.ts';
import auditEventSchema from '../../src/schema/audit-event.schema.json' with { type: 'json' };
import { importFile, type FileImportResult } from '../../src/logs/import.ts';
import { QUICK_CHECK, scrubString } from '../../src/logs/scrub.ts';
import { Store } from '../../src/store/store.ts';
import { mulberry32 as random } from '../../scripts/prng.ts';
import { tempDir } from './helpers.ts';

// One sample per alternative of the scrubber's QUICK_CHECK, each one scrubString changes.
const SECRET_SAMPLES = [
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  'Bearer abcdef123456',
  'Basic dXNlcjpwYXNzd29yZA==',
  'Digest username123abc',
  'Negotiate YIIabcdef123',
  'SSWS 00abcdefghijklmnop',
  'token ghijklmnopqrstuvwxyz0123',
  '/v1/orders?access_token=abc123',
  'https://user:hunter2@example.com/x',
  'ghp_abcdefghijklmnopqrstuvwxyz0123',
  'github_pat_abcdefghijklmnopqrstuvwx',
  'ya29.a0AfH6SMBabcdefghij',
  '1//0gabcdefghijklmnopqrstuvwx',
  'xoxb-1234567890-abcdefghij',
  'AKIAABCDEFGHIJKLMNOP',
];

const TYPES = ['api.request', 'token.issued', 'token.refreshed', 'authorize.denied', 'consent.granted', 'other'];

/** A line in stored form, as `scopeguard` exports write them. */
function canonical(i: number, rand: () => number): Record<string, unknown> {
  const client = Math.floor(rand() * 40);
  const type = TYPES[Math.floor(rand() * TYPES.length)]!;
  return {
    eventId: `ev-${i}-${Math.floor(rand() * 1e9).toString(36)}`,
    tenant: rand() < 0.5 ? 'acme' : 'globex',
    time: new Date(Date.UTC(2026, 9, 1) + Math.floor(rand() * 40 * 86_400_000)).toISOString(),
    type,
    rawType: type === 'api.request' ? 'request' : 'app.oauth2.as.token.grant',
    outcome: rand() < 0.9 ? 'success' : 'failure',
    actor: { id: `0oa${client}`, type: 'client', name: `service ${client}` },
    clientId: `client-${client}`,
    scopes: ['read.orders', 'write.orders'].slice(0, 1 + Math.floor(rand() * 2)),
    requestedScopes: [],
    tokenId: `AT.${Math.floor(rand() * 1e8).toString(36)}`,
    grantId: `grant-${client}`,
    request: type === 'api.request' ? { method: 'GET', path: `/v1/orders/${i}`, status: 200 } : undefined,
    ip: `10.0.${client}.${i % 250}`,
    userAgent: 'acme-sdk/3.4.1 (linux; node 20)',
  };
}

const SCRUBBED_FIELDS = ['actor.id', 'actor.name', 'clientId', 'grantId', 'ip', 'userAgent', 'request.path', 'scopes', 'eventId', 'tokenId'];

function setPath(record: Record<string, unknown>, path: string, value: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) record[head] = value;
  else record[head] = { ...((record[head] as Record<string, unknown> | undefined) ?? {}), [tail]: value };
}

/**
 * One line, often in stored form and otherwise off it in one of the ways a real export can be: each variant must
 * either be stored exactly as the general path stores it or go the general way.
 */
function line(i: number, rand: () => number, previousIds: string[]): string {
  const record = canonical(i, rand);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  if (rand() < 0.45) return JSON.stringify(record);
  const variants: Array<() => string> = [
    () => JSON.stringify({ ...record, userAgent: 'Mozilla/5.0 "quoted" \\ backslash' }),
    () => JSON.stringify({ ...record, actor: { id: 'u1', type: 'user', name: 'Zoë Šimić' } }),
    () => JSON.stringify({ ...record, clientId: 'tab\there' }),
    () => {
      const field = pick(SCRUBBED_FIELDS);
      const secret = pick(SECRET_SAMPLES);
      const copy = structuredClone(record);
      setPath(copy, field, field === 'scopes' ? [secret] : secret);
      return JSON.stringify(copy);
    },
    () => JSON.stringify({ ...record, tokenId: `x${'a'.repeat(70)}` }),
    () => JSON.stringify({ ...record, tokenId: 'sha256:0f1e2d3c', eventId: `sha256:${'ab'.repeat(32)}` }),
    () => JSON.stringify({ ...record, tokenId: 'bearer-like-but-fine' }),
    () => JSON.stringify({ ...record, tokenId: '' }),
    () => JSON.stringify({ ...record, eventId: undefined }),
    () => JSON.stringify({ ...record, eventId: '' }),
    () => JSON.stringify({ ...record, tenant: undefined }),
    () => JSON.stringify({ ...record, tenant: '' }),
    () => JSON.stringify({ ...record, tenant: pick(['../acme', 'acme/x', 'index.md', 'initech', 'Acme']) }),
    () => JSON.stringify({ ...record, outcome: undefined }),
    () => JSON.stringify({ ...record, outcome: 'maybe' }),
    () => JSON.stringify({ ...record, type: 'token.stolen' }),
    () => JSON.stringify({ ...record, type: undefined }),
    () => JSON.stringify({ ...record, extra: 1 }),
    () => JSON.stringify(record).replace('{', '{"clientId":"first",'),
    () => JSON.stringify({ ...record, grantId: null }),
    () => JSON.stringify({ ...record, scopes: null }),
    () => JSON.stringify({ ...record, scopes: ['read.orders', ''] }),
    () => JSON.stringify({ ...record, scopes: 'read.orders' }),
    () => JSON.stringify({ ...record, requestedScopes: ['a', 'b', 'a'] }),
    () => JSON.stringify({ ...record, request: { method: 'POST', path: '/v1/x', status: pick([201, 0, 2.5, 1e3, -1, 9_999_999_999, '200']) } }),
    () => JSON.stringify({ ...record, request: {} }).replace('"status":200', '"status":0200'),
    () => JSON.stringify({ ...record, request: { method: 'GET', path: '/x', status: 200, query: 'a' } }),
    () => JSON.stringify({ ...record, actor: {} }),
    () => JSON.stringify({ ...record, actor: { id: 'a', type: 'user', role: 'admin' } }),
    () => JSON.stringify({ ...record, provider: 'okta', source: { file: 'elsewhere.ndjson', line: 9 } }),
    () => JSON.stringify({ ...record, provider: '' }),
    () => JSON.stringify({ ...record, source: { file: 'x' } }),
    () => JSON.stringify({ ...record, source: { file: 'x', line: 0 } }),
    () => JSON.stringify({ ...record, time: pick(['2026-10-05T10:00:00Z', '2026-10-05T12:00:00.123+02:00', 1_790_000_000, '1790000000123', '2026-02-30T00:00:00.000Z', '2026-10-05 10:00:00.000', 'yesterday', '2026-10-05T10:00:00.000z']) }),
    () => JSON.stringify(record, null, 1).replace(/\n/g, ''),
    () => JSON.stringify(record).replace(/":/g, '": ').replace(/,"/g, ', "'),
    () => `${JSON.stringify(record)}\r`,
    () => `${JSON.stringify(record)}  `,
    () => `  ${JSON.stringify(record)}`,
    () => `${JSON.stringify(record)} x`,
    () => JSON.stringify(record).slice(0, 40 + Math.floor(rand() * 80)),
    () => JSON.stringify({ data: [record, canonical(i + 1e6, rand)] }),
    () => JSON.stringify([record]),
    () => '',
    () => JSON.stringify({ ...record, eventId: previousIds.length > 0 ? pick(previousIds) : 'dup' }),
    () => JSON.stringify({ ...record, eventId: 'ev-\\u0041' }).replace('\\\\u0041', '\\u0041'),
  ];
  return pick(variants)();
}

interface Imported {
  result: FileImportResult;
  rows: Record<string, unknown>[];
  rejects: Array<{ line: number; reason: string; text: string }>;
}

async function importBothWays(files: string[], options: { tenant?: string; tenants?: string[] } = {}): Promise<{ on: Imported[]; off: Imported[] }> {
  const out: { on: Imported[]; off: Imported[] } = { on: [], off: [] };
  for (const lane of ['on', 'off'] as const) {
    const dir = tempDir('sg-direct-');
    const store = await Store.open(join(dir, 'audit.duckdb'));
    try {
      for (const file of files) {
        const result = await importFile(store, file, { provider: 'scopeguard', tenant: options.tenant, tenants: options.tenants, rejectsDir: join(dir, 'rejects'), directLane: lane === 'on' });
        // every stored column but the import's id, in one order
        const reader = await store.connection.runAndReadAll(`SELECT * EXCLUDE (import_id) FROM events ORDER BY ALL`);
        const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
        const rejects = result.rejectsFile
          ? readFileSync(result.rejectsFile, 'utf8').split('\n').filter(Boolean).map((text) => JSON.parse(text) as Imported['rejects'][number])
          : [];
        out[lane].push({ result, rows, rejects });
      }
    } finally {
      store.close();
    }
    expect(readdirSync(dir).filter((name) => name.includes('staging')), 'staging files left behind').toEqual([]);
  }
  return out;
}

describe('the direct lane for normalized NDJSON', () => {
  it('stores and rejects exactly what the general path does, over thousands of seeded variants', async () => {
    const dir = tempDir('sg-direct-');
    const rand = random(20261126);
    const ids: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const text = line(i, rand, ids);
      const id = /"eventId":"([^"]+)"/.exec(text)?.[1];
      if (id) ids.push(id);
      lines.push(text);
    }
    const first = join(dir, 'first.ndjson');
    writeFileSync(first, `${lines.join('\n')}\n`);
    // an overlapping export: the second half again, plus new lines
    const more: string[] = [];
    for (let i = 4000; i < 5000; i++) more.push(line(i, rand, ids));
    const second = join(dir, 'second.ndjson');
    writeFileSync(second, `${[...lines.slice(2000), ...more].join('\n')}\n`);

    // with --tenant acme the half of the lines that name globex are rejected, either way
    for (const [tenant, tenants, share] of [['acme', undefined, 0.2], [undefined, undefined, 0.4], [undefined, ['acme', 'globex'], 0.4]] as const) {
      const { on, off } = await importBothWays([first, second], { tenant, tenants: tenants && [...tenants] });
      for (let k = 0; k < 2; k++) {
        const { directLines: taken, rejectsFile: _onFile, ...onCounts } = on[k]!.result;
        const { directLines: none, rejectsFile: _offFile, ...offCounts } = off[k]!.result;
        expect(none).toBe(0);
        // both ways are exercised: most canonical lines go direct, every odd one the general way
        expect(taken).toBeGreaterThan(on[k]!.result.read * share);
        expect(taken).toBeLessThan(on[k]!.result.read * 0.8);
        expect(onCounts).toEqual(offCounts);
        expect(on[k]!.rows).toEqual(off[k]!.rows);
        expect(on[k]!.rejects).toEqual(off[k]!.rejects);
      }
      expect(on[1]!.result.duplicates).toBeGreaterThan(1000 * share * 2);
      expect(on[0]!.rows.length).toBeGreaterThan(1000 * share * 2);
      expect(on[0]!.result.rejected).toBeGreaterThan(100);
      // a record's own tenant is checked as --tenant is, either way
      expect(on[0]!.rejects.some((r) => r.reason === 'tenant "../acme" is not a valid tenant name')).toBe(true);
      if (tenant) expect(on[0]!.rejects.some((r) => r.reason === 'tenant globex is not acme, the tenant this file is imported for')).toBe(true);
      if (tenants) expect(on[0]!.rejects.some((r) => r.reason === 'tenant Acme is not a tenant of the registry (did you mean "acme"?)')).toBe(true);
      // a status the store's INTEGER column cannot hold is a rejected record, not a failed import
      expect(on[0]!.rejects.some((r) => /request\.status 9999999999 is not an HTTP status/.test(r.reason))).toBe(true);
    }
    // gzipped, lines point into the decompressed chunks
    const gzipped = join(dir, 'first.ndjson.gz');
    writeFileSync(gzipped, gzipSync(readFileSync(first)));
    const { on, off } = await importBothWays([gzipped], { tenant: 'acme' });
    expect(on[0]!.result.directLines).toBeGreaterThan(1000);
    expect(on[0]!.rows).toEqual(off[0]!.rows);
    expect(on[0]!.rejects).toEqual(off[0]!.rejects);
  }, 120_000);

  it('finds a repeat of an event stored by an earlier batch of the same import, either way', async () => {
    const dir = tempDir('sg-direct-');
    const rand = random(5);
    const lines: string[] = [];
    for (let i = 0; i < 45_000; i++) lines.push(JSON.stringify(canonical(i, rand)));
    // the first line again, in another batch (batches end at 20,000 records) and out of time order
    lines.push(lines[0]!);
    lines.push(lines[25_000]!);
    const file = join(dir, 'repeats.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { on, off } = await importBothWays([file]);
    for (const imported of [on[0]!, off[0]!]) {
      expect(imported.result).toMatchObject({ read: 45_002, imported: 45_000, duplicates: 2, rejected: 0 });
      expect(imported.rows).toHaveLength(45_000);
    }
    expect(on[0]!.result.directLines).toBe(45_002);
    expect(on[0]!.rows).toEqual(off[0]!.rows);
  }, 120_000);

  it('reads exactly the fields of the AuditEvent schema', () => {
    expect([...DIRECT_KEYS].sort()).toEqual(Object.keys(auditEventSchema.properties).sort());
  });

  it('never takes a line holding a value the scrubber would change, in any field it scrubs', () => {
    // the samples cover every alternative of QUICK_CHECK, the prefilter the lane's own pair check stands in for
    expect(SECRET_SAMPLES).toHaveLength(QUICK_CHECK.source.split('|').length);
    for (const sample of SECRET_SAMPLES) expect(scrubString(sample), sample).not.toBe(sample);
    const rand = random(7);
    for (const field of SCRUBBED_FIELDS) {
      for (const sample of SECRET_SAMPLES) {
        const record = canonical(1, rand);
        setPath(record, field, field === 'scopes' ? [sample] : sample);
        const bytes = Buffer.from(JSON.stringify(record));
        expect(scanStoredForm(bytes, 0, bytes.length, 1, undefined), `${field}: ${sample}`).toBeUndefined();
      }
      // and the same line with a harmless value is taken, so the refusal above is about the secret
      const bytes = Buffer.from(JSON.stringify(canonical(1, rand)));
      expect(scanStoredForm(bytes, 0, bytes.length, 1, undefined)).toBeDefined();
    }
  });

  it('keeps secrets out of the store file when lines take either way', async () => {
    const dir = tempDir('sg-direct-');
    const rand = random(99);
    const canary = 'CANARYvisibleValue-plain';
    const lines = [JSON.stringify({ ...canonical(0, rand), userAgent: canary })];
    SECRET_SAMPLES.forEach((sample, n) => {
      for (const field of SCRUBBED_FIELDS) {
        const record = canonical(n * 100 + lines.length, rand);
        setPath(record, field, field === 'scopes' ? [sample] : sample);
        lines.push(JSON.stringify(record));
      }
    });
    const file = join(dir, 'secrets.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const storePath = join(dir, 'audit.duckdb');
    const store = await Store.open(storePath);
    try {
      await importFile(store, file, { provider: 'scopeguard', rejectsDir: join(dir, 'rejects') });
      await store.checkpoint();
    } finally {
      store.close();
    }
    const bytes = readFileSync(storePath);
    expect(bytes.includes(Buffer.from(canary))).toBe(true);
    // the distinctive part of each sample (its credential), which scrubbing must have removed
    for (const secret of ['c2lnbmF0dXJl', 'abcdef123456', 'dXNlcjpwYXNzd29yZA', 'hunter2', 'ghp_abcdefghijklmnopqrstuvwxyz0123', 'a0AfH6SMBabcdefghij', 'xoxb-1234567890', 'AKIAABCDEFGHIJKLMNOP', 'access_token=abc123']) {
      expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
    }
  });
});
