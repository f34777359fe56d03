// The DuckDB fast path for scopeguard NDJSON must store exactly what the JS importer stores: the same rows (every
// column), the same rejects with the same line numbers and reasons, the same content hashes, and no secrets. Each
// test imports real files into real DuckDB stores through both paths and compares what they hold.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importFile, type FileImportResult } from '../../src/logs/import.ts';
import { Store } from '../../src/store/store.ts';
import { tempDir } from './helpers.ts';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYXN0LXBhdGgtc2VjcmV0In0.RmFzdFBhdGhTaWduYXR1cmU';
const SECRETS = { jwt: JWT, bearer: 'fastSECRETbearer4411', code: 'ac-FAST-SECRET-code-77', gh: 'ghp_FASTSECRETabcdefghijklmnopqrstuvwxyz01' };

const plain = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventId: `ev-${i}`,
  tenant: i % 2 ? 'acme' : 'globex',
  time: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:15:00.${String(i % 1000).padStart(3, '0')}Z`,
  type: 'api.request',
  rawType: 'app.oauth2.as.token.grant.access_token',
  outcome: 'success',
  actor: { id: `0oa${i}`, type: 'client', name: `service-${i}` },
  clientId: `client-${i % 7}`,
  scopes: ['read.orders', 'write.orders'],
  requestedScopes: [],
  tokenId: `AT.${i}`,
  grantId: `g-${i}`,
  request: { method: 'GET', path: `/v1/orders/${i}`, status: 200 },
  ip: `10.0.0.${i % 250}`,
  userAgent: 'acme-sdk/3.4.1 (linux; node 20)',
  ...extra,
});

/** Ordinary lines (the fast path's) mixed with every kind of line it must hand to JS, good and bad. */
function mixedLines(): string[] {
  const json = (value: unknown): string => JSON.stringify(value);
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) lines.push(json(plain(i)));
  lines.push(
    json(plain(100, { time: '2026-11-02T10:00:00+02:00' })), // offset: JS converts
    json(plain(101, { time: 1_794_000_000 })), // epoch seconds
    json(plain(102, { time: '2026-11-02 10:00:00.5' })), // space, no zone
    json(plain(103, { time: '2026-11-02T10:00:00.5Z', outcome: undefined, tenant: undefined })), // short fraction, default outcome, --tenant
    json(plain(104, { time: '2026-11-02T10:00:00.123456Z' })), // more than ms
    json(plain(105, { time: '2026-11-02T24:00:00Z' })), // rejected: hour 24
    json(plain(106, { time: '2026-02-30T10:00:00Z' })), // rejected: no such day
    json(plain(107, { time: '1980-01-01T00:00:00Z' })), // rejected: out of range
    json(plain(108, { tokenId: 'T'.repeat(80), eventId: `long-${'e'.repeat(70)}` })), // ids become hashes
    json(plain(109, { tokenId: `Bearer ${SECRETS.bearer}` })), // bearer token id
    json(plain(110, { userAgent: `curl ${SECRETS.jwt}`, request: { method: 'GET', path: `/cb?code=${SECRETS.code}`, status: 302 } })),
    json(plain(111, { actor: { id: 'u1', type: 'user', name: `Bearer ${SECRETS.bearer}` }, clientId: `x ${SECRETS.gh}` })),
    json(plain(112, { eventId: undefined })), // content hash
    json(plain(113, { eventId: undefined, scopes: ['b', 'a'] })),
    json(plain(114, { scopes: ['read.orders', '', 'x'] })), // empty scope dropped
    json(plain(115, { userAgent: 'caf\u00e9 \u2603 \u{1F600}', clientId: 'quote"and\\backslash' })), // escapes and non-ASCII
    json(plain(116, { provider: 'okta', source: { file: 'elsewhere.ndjson', line: 9 } })), // ignored fields
    json(plain(1, { clientId: 'duplicate id, second copy' })), // duplicate of line 2's event: first wins
    json({ data: [plain(117), plain(118)] }), // an API page on one line
    `${json(plain(119))}\r`, // CRLF
    '',
    '   ',
    json(plain(120, { grantId: null })), // rejected: null
    '{"eventId":"ev-121","tenant":"acme","time":"2026-11-03T10:00:00Z","type":"api.request","scopes":["a",],}', // trailing commas
    '{"eventId":"ev-122","tenant":"acme","time":"2026-11-03T10:00:00Z","type":"api.request","request":{"status":NaN}}',
    '{"eventId":"ev-123","tenant":"acme","time":"2026-11-03T10:00:00Z","type":"api.request","eventId":"ev-123b"}', // duplicate key
    '{"eventId":"ev-124","tenant":"acme","type":"api.request"', // truncated
    json(plain(125, { time: undefined })), // missing time
    json(plain(126, { scopes: 'read.orders' })), // wrong type
    json(plain(127, { request: { method: 'GET', status: 200.5 } })), // not an integer
    json(plain(128, { actor: { id: 'a', extra: 1 } })), // unknown nested key
    json(plain(129, { type: 'token.stolen' })), // not in the vocabulary
    json(plain(130, { unknownField: 1 })),
    ` ${json(plain(131))}`, // leading space
    json(plain(132, { time: '2026-11-03T10:00:60Z' })), // leap second: JS decides
    json(plain(133, { request: { method: 'POST', path: '/v1/orders?x=1', status: 201 } })), // `=` goes to JS, scrubbed or not
  );
  return lines;
}

interface Imported {
  result: FileImportResult;
  rows: Array<Record<string, unknown>>;
  rejects: Array<Record<string, unknown>>;
  storeBytes: Buffer;
}

async function importThrough(file: string, fastPath: boolean, dir = tempDir()): Promise<Imported> {
  const storeDir = join(dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const store = await Store.open(join(storeDir, 'audit.duckdb'));
  let result: FileImportResult;
  let rows: Array<Record<string, unknown>>;
  try {
    result = await importFile(store, file, { tenant: 'fallback-tenant', fastPath, rejectsDir: join(storeDir, 'rejects') });
    const read = await store.connection.runAndReadAll(`SELECT * EXCLUDE (time, source_line), strftime(time, '%Y-%m-%dT%H:%M:%S.%f') AS time_text, source_line::INTEGER AS line FROM events ORDER BY tenant, provider, event_id`);
    rows = read.getRowObjectsJson() as Array<Record<string, unknown>>;
    await store.checkpoint();
  } finally {
    store.close();
  }
  const rejectsDir = join(storeDir, 'rejects');
  const rejectFiles = result.rejectsFile ? [result.rejectsFile] : [];
  const rejects = rejectFiles.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
  const files = readdirSync(storeDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
  expect(files.some((f) => f.startsWith(rejectsDir))).toBe(rejects.length > 0);
  return { result, rows, rejects, storeBytes: Buffer.concat(files.map((f) => readFileSync(f))) };
}

const counts = (result: FileImportResult): Record<string, unknown> => {
  const { rejectsFile: _file, fastRows: _fast, ...rest } = result;
  return rest;
};

describe('DuckDB fast path for scopeguard NDJSON', () => {
  it('stores the same rows, rejects and counts as the JS path, line numbers included', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, mixedLines().join('\n'));
    const js = await importThrough(file, false);
    const fast = await importThrough(file, true);

    // the fast path really did the ordinary lines in SQL, and JS did the rest
    expect(js.result.fastRows ?? 0).toBe(0);
    expect(fast.result.fastRows).toBeGreaterThanOrEqual(40);
    expect(fast.result.fastRows).toBeLessThan(fast.result.imported);

    expect(fast.rows).toEqual(js.rows);
    expect(counts(fast.result)).toEqual(counts(js.result));
    expect(fast.rejects).toEqual(js.rejects);
    // spot checks of what both stored
    expect(fast.result.rejected).toBeGreaterThanOrEqual(12);
    const byId = new Map(fast.rows.map((r) => [r.event_id, r]));
    expect(byId.get('ev-1')).toMatchObject({ client_id: 'client-1', line: 2 });
    expect(byId.get('ev-103')).toMatchObject({ tenant: 'fallback-tenant', outcome: 'unknown', time_text: '2026-11-02T10:00:00.500000' });
    expect(byId.get('ev-100')).toMatchObject({ time_text: '2026-11-02T08:00:00.000000' });
    expect(byId.get('ev-114')).toMatchObject({ scopes: ['read.orders', 'x'] });
    expect(byId.get('ev-115')).toMatchObject({ user_agent: 'caf\u00e9 \u2603 \u{1F600}', client_id: 'quote"and\\backslash' });
    expect(byId.get('ev-116')).toMatchObject({ provider: 'scopeguard', source_file: file });
    expect(fast.rows.filter((r) => String(r.event_id).startsWith('sha256:')).length).toBeGreaterThanOrEqual(3);
    expect(fast.rows.find((r) => r.grant_id === 'g-108')).toMatchObject({ token_id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), event_id: expect.stringMatching(/^sha256:/) });
    const lines = mixedLines();
    const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(fast.rejects.map((r) => r.line)).toEqual(expect.arrayContaining([lineOf('"ev-105"'), lineOf('"ev-124"'), lineOf('"ev-125"'), lineOf('"ev-126"')]));
    expect(fast.rejects.find((r) => r.line === lineOf('"ev-124"'))).toMatchObject({ reason: expect.stringMatching(/^invalid JSON/) });
    expect(fast.rejects.find((r) => r.line === lineOf('"ev-125"'))).toMatchObject({ reason: "record: must have required property 'time'" });
    expect(fast.rejects.find((r) => r.line === lineOf('"ev-126"'))).toMatchObject({ reason: 'scopes: must be array' });
  });

  it('never stores or rejects a secret on the fast path (store and rejects bytes scanned)', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.ndjson');
    // a broken line carrying secrets goes to the rejects file: scrubbed there too
    writeFileSync(file, [...mixedLines(), `{"eventId":"s1","tenant":"acme","password":"${SECRETS.code}","tokenId":"${SECRETS.jwt}"`].join('\n'));
    const fast = await importThrough(file, true);
    expect(fast.rejects.length).toBeGreaterThan(0);
    expect(fast.storeBytes.includes(Buffer.from('service-3'))).toBe(true); // control: plain values are visible in the bytes
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(JSON.stringify(fast.rows).includes(secret), `${name} in a stored column`).toBe(false);
      expect(fast.storeBytes.includes(Buffer.from(secret)), `${name} in the store or rejects bytes`).toBe(false);
    }
  });

  it('reads gzip on the fast path with the same result as plain', async () => {
    const dir = tempDir();
    const text = mixedLines().join('\n');
    writeFileSync(join(dir, 'a.ndjson'), text);
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(text));
    const plainImport = await importThrough(join(dir, 'a.ndjson'), true);
    const gz = await importThrough(join(dir, 'a.ndjson.gz'), true);
    expect(gz.result.fastRows).toBe(plainImport.result.fastRows);
    expect(gz.rows.map(({ source_file: _f, ...row }) => row)).toEqual(plainImport.rows.map(({ source_file: _f, ...row }) => row));
    expect(gz.rejects).toEqual(plainImport.rejects);

    // a gzip stream that breaks off: what was read is imported and the file is reported unreadable, on both paths
    const whole = gzipSync(Array.from({ length: 3_000 }, (_, i) => JSON.stringify(plain(i))).join('\n'));
    writeFileSync(join(dir, 'cut.ndjson.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    const cutJs = await importThrough(join(dir, 'cut.ndjson.gz'), false);
    const cutFast = await importThrough(join(dir, 'cut.ndjson.gz'), true);
    expect(cutJs.result.unreadable).toMatch(/gzip/);
    expect(cutJs.result.imported).toBeGreaterThan(0);
    expect(cutFast.result.fastRows).toBeGreaterThan(0);
    expect(counts(cutFast.result)).toEqual(counts(cutJs.result));
    expect(cutFast.rows).toEqual(cutJs.rows);
  });

  it('never duplicates across the two paths, id-less events included', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, mixedLines().join('\n'));
    for (const [first, second] of [
      [false, true],
      [true, false],
    ] as const) {
      const storeDir = tempDir();
      const store = await Store.open(join(storeDir, 'audit.duckdb'));
      try {
        const options = { tenant: 'fallback-tenant', rejectsDir: join(storeDir, 'rejects') };
        const one = await importFile(store, file, { ...options, fastPath: first });
        const two = await importFile(store, file, { ...options, fastPath: second });
        expect(two.imported).toBe(0);
        expect(two.duplicates).toBe(one.imported + one.duplicates);
        const [row] = (await store.connection.runAndReadAll('SELECT count(*)::INTEGER AS n, count(DISTINCT (tenant, provider, event_id))::INTEGER AS d FROM events')).getRowObjectsJS();
        expect(row).toEqual({ n: one.imported, d: one.imported });
      } finally {
        store.close();
      }
    }
  });

  it('keeps whole batches and first occurrences across batch boundaries', async () => {
    const dir = tempDir();
    const file = join(dir, 'many.ndjson');
    // more lines than one batch, with a duplicate id far apart and a bad line in the middle
    const lines = Array.from({ length: 25_000 }, (_, i) => JSON.stringify(plain(i, { clientId: i === 24_000 ? 'late copy' : `client-${i % 7}` })));
    lines[24_000] = JSON.stringify(plain(3, { clientId: 'late copy' }));
    lines[12_345] = '{"broken":';
    writeFileSync(file, lines.join('\n'));
    const js = await importThrough(file, false);
    const fast = await importThrough(file, true);
    expect(fast.result.fastRows).toBe(24_999);
    expect(counts(fast.result)).toEqual(counts(js.result));
    expect(fast.result).toMatchObject({ imported: 24_998, duplicates: 1, rejected: 1 });
    expect(fast.rejects).toEqual(js.rejects);
    expect(fast.rejects[0]).toMatchObject({ line: 12_346 });
    expect(fast.rows).toEqual(js.rows);
  }, 120_000);

  it('gives the same summary line, exit code and rejects through the real CLI with SCOPEGUARD_FAST_PATH=1', () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, mixedLines().join('\n'));
    const run = (fastPath: string, db: string): { status: number | null; summary: string; rejects: string[] } => {
      const result = spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/scopeguard.js'), 'logs', 'import', file, '--db', join(dir, db, 'a.duckdb'), '--tenant', 'fallback-tenant'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, SCOPEGUARD_FAST_PATH: fastPath },
      });
      const rejectsDir = join(dir, db, 'rejects');
      const rejects = readdirSync(rejectsDir).flatMap((f) => readFileSync(join(rejectsDir, f), 'utf8').split('\n').filter(Boolean));
      return { status: result.status, summary: result.stdout.replace(/in [\d.]+s/, 'in Ns'), rejects };
    };
    const js = run('0', 'js');
    const fast = run('1', 'fast');
    expect(js.summary).toMatch(/^imported \d+ events from 1 file, 1 duplicates skipped, \d+ rejected/);
    expect(fast).toEqual(js);
    expect(fast.status).toBe(1);
  });
});
