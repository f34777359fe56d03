// `scopeguard logs` end to end: the real bin, real files on disk, a real DuckDB store.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { tempDir } from '../logs/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/scopeguard.js');
const LOGS = join(ROOT, 'scopes/logs');

function cli(args: string[], options: { cwd?: string; input?: string | Buffer } = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, input: options.input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function lines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function sql(db: string, query: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(query)).getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const count = (stdout: string): number => stdout.split('\n').filter(Boolean).length;

describe('logs import of the example exports', () => {
  const db = join(tempDir(), 'audit.duckdb');
  const okta = lines(join(LOGS, 'acme/okta.ndjson'));
  const gateway = lines(join(LOGS, 'acme/gateway.ndjson'));
  const auth0 = lines(join(LOGS, 'globex/auth0.ndjson'));
  const keycloak = lines(join(LOGS, 'globex/keycloak.ndjson'));
  const total = okta.length + gateway.length + auth0.length + keycloak.length;
  let firstRun: ReturnType<typeof cli>;

  beforeAll(() => {
    firstRun = cli(['logs', 'import', 'scopes/logs', '--db', db]);
  });

  it('imports every event, tenants and providers from config sources', () => {
    expect(firstRun.stderr).toBe('');
    expect(firstRun.stdout).toMatch(new RegExp(`^imported ${total} events from 4 files, 0 duplicates skipped, 0 rejected`));
    expect(firstRun.status).toBe(0);
  });

  it('with no paths, imports every file listed under sources (all duplicates here)', async () => {
    const bare = cli(['logs', 'import', '--db', db]);
    expect(bare.stdout).toMatch(new RegExp(`^imported 0 events from 4 files, ${total} duplicates skipped`));
    expect(bare.status).toBe(0);
  });

  it('with no paths and no sources, says what to pass; exit 2', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'scopes'));
    writeFileSync(join(dir, 'scopes', 'scopes.yaml'), 'kind: ScopeSet\ntenant: solo\nscopes:\n  read.x: {description: x, owner: t}\n');
    const result = cli(['logs', 'import', '--db', join(dir, 'a.duckdb')], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no log files given');
    expect(result.stderr).toContain('sources in scopeguard.yaml');
  });

  it('never duplicates on re-import', async () => {
    const again = cli(['logs', 'import', 'scopes/logs/acme/okta.ndjson', '--db', db]);
    expect(again.stdout).toMatch(new RegExp(`^imported 0 events from 1 file, ${okta.length} duplicates skipped`));
    expect(again.status).toBe(0);
    const rows = await sql(db, 'SELECT count(*)::INTEGER AS n, count(DISTINCT (tenant, provider, event_id))::INTEGER AS d FROM events');
    expect(rows[0]).toEqual({ n: total, d: total });
  });

  it('filters by tenant, client name or id, scope, type, outcome and time', () => {
    const q = (...args: string[]): number => {
      const result = cli(['logs', 'query', '--db', db, '--limit', '0', '--format', 'ndjson', ...args]);
      expect(result.stderr).toBe('');
      return count(result.stdout);
    };
    expect(q('--tenant', 'globex')).toBe(auth0.length + keycloak.length);
    const partnerDenials = okta.filter((e) => e.eventType === 'app.oauth2.as.authorize.scope_denied').length;
    expect(partnerDenials).toBeGreaterThan(0);
    expect(q('--client', 'partner-fabrikam', '--type', 'authorize.denied')).toBe(partnerDenials);
    expect(q('--client', '0oa8pf1fb2NhC7qMs4x7', '--type', 'authorize.denied')).toBe(partnerDenials);
    const manifests = auth0.filter((e) => String(e.scope).split(' ').includes('read.manifests')).length;
    expect(q('--scope', 'read.manifests')).toBe(manifests);
    expect(q('--tenant', 'globex', '--outcome', 'failure')).toBe(auth0.filter((e) => String(e.type).startsWith('f')).length);
    const inOctober = gateway.filter((e) => String(e.ts) >= '2026-10-01' && String(e.ts) < '2026-10-08').length;
    expect(q('--tenant', 'acme', '--type', 'api.request', '--since', '2026-10-01', '--until', '2026-10-08')).toBe(inOctober);
    expect(q('--type', 'token')).toBe(
      okta.filter((e) => String(e.eventType).includes('token.grant')).length +
        auth0.filter((e) => String(e.type).startsWith('s')).length +
        keycloak.filter((e) => e.type === 'CLIENT_LOGIN' || e.type === 'REFRESH_TOKEN').length,
    );
    expect(q('--tenant', 'acme', '--limit', '5')).toBe(0 + 5);
  });

  it('--client with a registry name matches that client in its own tenant, not another tenant reusing the id', () => {
    const own = join(tempDir(), 'audit.duckdb');
    expect(cli(['logs', 'import', 'scopes/logs/acme/okta.ndjson', '--db', own, '--quiet']).status).toBe(0);
    const reused = join(tempDir(), 'globex.ndjson');
    const event = { eventId: 'gx-1', tenant: 'globex', provider: 'scopeguard', time: '2026-11-10T10:00:00Z', type: 'authorize.denied', outcome: 'failure', clientId: '0oa8pf1fb2NhC7qMs4x7' };
    writeFileSync(reused, `${JSON.stringify(event)}\n`);
    expect(cli(['logs', 'import', reused, '--provider', 'scopeguard', '--tenant', 'globex', '--db', own, '--quiet']).status).toBe(0);
    const tenantsOf = (client: string): string[] => {
      const result = cli(['logs', 'query', '--db', own, '--limit', '0', '--format', 'ndjson', '--type', 'authorize.denied', '--client', client]);
      return [...new Set(result.stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { tenant: string }).tenant))].sort();
    };
    expect(tenantsOf('partner-fabrikam')).toEqual(['acme']);
    // the provider id as given matches it wherever it is stored
    expect(tenantsOf('0oa8pf1fb2NhC7qMs4x7')).toEqual(['acme', 'globex']);
  });

  it('an empty answer for a client or scope known nowhere names the closest one on stderr', () => {
    const empty = (...args: string[]): { stdout: string; stderr: string } => {
      const result = cli(['logs', 'query', '--db', db, ...args]);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('no events match\n');
      return result;
    };
    expect(empty('--client', 'suport-console').stderr).toBe(
      'scopeguard: no stored event has client "suport-console", and the registry has no client of that name (did you mean "support-console"?)\n',
    );
    expect(empty('--tenant', 'globex', '--client', 'support-console').stderr).toContain("the registry's tenant globex has no client of that name (it is a client of tenant acme)");
    expect(empty('--scope', 'read.manifest').stderr).toBe(
      'scopeguard: no stored event carries or requests scope "read.manifest", and the registry has no scope of that name (did you mean "read.manifests"?)\n',
    );
    // known names with nothing in the window are a real empty answer: nothing to explain
    expect(empty('--client', 'support-console', '--since', '2030-01-01').stderr).toBe('');
    expect(empty('--scope', 'read.manifests', '--since', '2030-01-01').stderr).toBe('');
  });

  it("with --tenant, a client or scope stored only for another tenant is named as that tenant's", async () => {
    const empty = (cwd: string, ...args: string[]): string => {
      const result = cli(['logs', 'query', '--db', db, ...args], { cwd });
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('no events match\n');
      return result.stderr;
    };
    // what the hints rely on: only acme's stored events have that client id and that scope
    expect(await sql(db, `SELECT DISTINCT tenant FROM events WHERE client_id = '0oa8pf1fb2NhC7qMs4x7' OR list_contains(scopes, 'write.orders')`)).toEqual([{ tenant: 'acme' }]);
    // write.orders is an acme scope that acme's stored events carry; globex neither defines nor stores it
    expect(empty(ROOT, '--tenant', 'globex', '--scope', 'write.orders')).toBe(
      'scopeguard: no stored event of tenant globex carries or requests scope "write.orders", and the registry\'s tenant globex has no scope of that name (it is a scope of tenant acme)\n',
    );
    expect(empty(ROOT, '--tenant', 'globex', '--client', '0oa8pf1fb2NhC7qMs4x7')).toBe(
      'scopeguard: no stored event of tenant globex has client "0oa8pf1fb2NhC7qMs4x7", and the registry\'s tenant globex has no client of that name (it is the provider id of client partner-fabrikam of tenant acme)\n',
    );
    // without a registry only the store can answer, and the message does not speak of one
    const bare = tempDir();
    expect(empty(bare, '--tenant', 'globex', '--scope', 'write.orders')).toBe(
      'scopeguard: no stored event of tenant globex carries or requests scope "write.orders" (stored events of tenant acme carry it)\n',
    );
    expect(empty(bare, '--tenant', 'globex', '--client', '0oa8pf1fb2NhC7qMs4x7')).toBe(
      'scopeguard: no stored event of tenant globex has client "0oa8pf1fb2NhC7qMs4x7" (stored events of tenant acme have it)\n',
    );
  });

  it('refuses an event type that is neither a type nor a family, with the closest one; exit 2', () => {
    const typo = cli(['logs', 'query', '--db', db, '--type', 'token.isued']);
    expect(typo.status).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe('scopeguard: unknown event type "token.isued"\n  hint: did you mean "token.issued"?\n');
    const family = cli(['logs', 'query', '--db', db, '--type', 'tokens']);
    expect(family.status).toBe(2);
    expect(family.stderr).toContain('did you mean "token"?');
    const unrelated = cli(['logs', 'query', '--db', db, '--type', 'login']);
    expect(unrelated.status).toBe(2);
    expect(unrelated.stderr).toContain('a family (token, authorize, consent, client, grant, scope, api)');
  });

  it('prints table, json and csv', () => {
    const table = cli(['logs', 'query', '--db', db, '--client', 'support-console', '--limit', '3']);
    expect(table.stdout.split('\n')[0]).toMatch(/^time\s+tenant\s+provider\s+type\s+outcome\s+client/);
    const json = JSON.parse(cli(['logs', 'query', '--db', db, '--limit', '2', '--format', 'json']).stdout) as unknown[];
    expect(json).toHaveLength(2);
    const csv = cli(['logs', 'query', '--db', db, '--limit', '2', '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('time,tenant,provider,type,outcome,client,scopes,request,eventId');
    expect(csv).toHaveLength(3);
    const negative = cli(['logs', 'query', '--db', db, '--limit', '-5']);
    expect(negative.status).toBe(2);
    expect(negative.stderr).toBe('scopeguard: --limit -5 is not a number of rows\n  hint: give 0 or more; 0 means no limit\n');
    const bad = cli(['logs', 'query', '--db', db, '--since', 'last tuesday']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--since last tuesday is not a date');
    const typo = cli(['logs', 'query', '--db', db, '--tenant', 'acmee', '--format', 'json']);
    expect(typo.status).toBe(0);
    expect(JSON.parse(typo.stdout)).toEqual([]);
    expect(typo.stderr).toBe('scopeguard: the store holds no events of tenant "acmee"; it holds acme, globex (did you mean "acme"?)\n');
    expect(cli(['logs', 'query', '--db', db, '--tenant', 'acme', '--type', 'consent.revoked', '--since', '2030-01-01']).stderr).toBe('');
    const swapped = cli(['logs', 'query', '--db', db, '--since', '2026-11-20', '--until', '2026-11-01']);
    expect(swapped.status).toBe(2);
    expect(swapped.stdout).toBe('');
    expect(swapped.stderr).toContain('the time window is empty: --since 2026-11-20T00:00:00.000Z is not before --until 2026-11-01T00:00:00.000Z');
  });

  it('counts per tenant, provider, type and day', () => {
    const stats = JSON.parse(cli(['logs', 'stats', '--db', db, '--format', 'json']).stdout) as Array<{ dimension: string; key: string; events: number }>;
    const get = (dimension: string, key: string): number | undefined => stats.find((s) => s.dimension === dimension && s.key === key)?.events;
    expect(get('tenant', 'acme')).toBe(okta.length + gateway.length);
    expect(get('provider', 'keycloak')).toBe(keycloak.length);
    expect(get('type', 'api.request')).toBe(gateway.length);
    expect(stats.filter((s) => s.dimension === 'day').reduce((n, s) => n + s.events, 0)).toBe(total);
    expect(cli(['logs', 'stats', '--db', db, '--tenant', 'globex', '--format', 'json']).stdout).toContain(`"events": ${auth0.length + keycloak.length}`);
  });

  it('stats of a tenant the store lacks says what it holds, not that the store is empty', () => {
    const typo = cli(['logs', 'stats', '--db', db, '--tenant', 'globx']);
    expect(typo.status).toBe(0);
    expect(typo.stdout).toBe('no events match\n');
    expect(typo.stderr).toBe('scopeguard: the store holds no events of tenant "globx"; it holds acme, globex (did you mean "globex"?)\n');
  });

  it('exports Hive-partitioned Parquet that reads back whole', async () => {
    const out = join(tempDir(), 'parquet');
    const result = cli(['logs', 'export', '--db', db, '--parquet', out]);
    expect(result.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['tenant=acme', 'tenant=globex']);
    expect(readdirSync(join(out, 'tenant=acme')).some((d) => /^date=2026-\d\d-\d\d$/.test(d))).toBe(true);
    const rows = await sql(':memory:', `SELECT count(*)::INTEGER AS n, count(DISTINCT tenant)::INTEGER AS t FROM read_parquet('${out}/**/*.parquet', hive_partitioning = true)`);
    expect(rows[0]).toEqual({ n: total, t: 2 });
  });

  it('an export folder with a file in its place is exit 2 naming the path, not an unexpected error', () => {
    const blocked = join(tempDir(), 'taken');
    writeFileSync(blocked, 'not a folder');
    const result = cli(['logs', 'export', '--db', db, '--parquet', blocked]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^scopeguard: cannot create the folder \S*taken: a file is in the way of a folder on that path\n  hint: /);
    expect(readFileSync(blocked, 'utf8')).toBe('not a folder');
  });
});

describe('logs import of bad and unusual inputs', () => {
  const event = (id: number, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ eventId: `e${id}`, tenant: 'acme', time: `2026-11-0${1 + (id % 9)}T10:00:00Z`, type: 'api.request', outcome: 'success', clientId: 'c1', ...extra });

  it('a --tenant the registry does not have is exit 2 with the closest name, before any store is written', () => {
    const db = join(tempDir(), 'typo.duckdb');
    const typo = cli(['logs', 'import', 'scopes/logs/acme/okta.ndjson', '--tenant', 'acmee', '--db', db]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe('scopeguard: --tenant acmee is not a tenant of the registry\n  hint: did you mean "acme"?\n');
    const unknown = cli(['logs', 'import', 'scopes/logs/acme/okta.ndjson', '--tenant', 'initech', '--db', db]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('its tenants are acme, globex');
    const unsafe = cli(['logs', 'import', 'scopes/logs/acme/okta.ndjson', '--tenant', '../acme', '--db', db]);
    expect(unsafe.status).toBe(2);
    expect(unsafe.stderr).toContain('is not a valid tenant name');
    expect(existsSync(db)).toBe(false);
  });

  it("a normalized record's own tenant is checked as --tenant is: a valid name, the registry's, the flag's", () => {
    const dir = tempDir();
    const file = join(dir, 'normalized.ndjson');
    writeFileSync(file, [event(1), event(2, { tenant: '../x' }), event(3, { tenant: 'initech' }), event(4, { tenant: 'globex' })].join('\n'));
    const db = join(dir, 'a.duckdb');
    const registry = join(ROOT, 'scopes');
    const imported = cli(['logs', 'import', file, '--db', db, '--provider', 'scopeguard', '--registry', registry], { cwd: dir });
    expect(imported.stdout).toMatch(/^imported 2 events from 1 file, 0 duplicates skipped, 2 rejected/);
    const flagged = cli(['logs', 'import', file, '--db', join(dir, 'b.duckdb'), '--provider', 'scopeguard', '--registry', registry, '--tenant', 'acme'], { cwd: dir });
    expect(flagged.stdout).toMatch(/^imported 1 event from 1 file, 0 duplicates skipped, 3 rejected/);
    const rejects = readdirSync(join(dir, 'rejects')).flatMap((f) => lines(join(dir, 'rejects', f))).map((r) => [r.line, r.reason]);
    expect(rejects).toEqual(
      expect.arrayContaining([
        [2, 'tenant "../x" is not a valid tenant name'],
        [3, 'tenant initech is not a tenant of the registry'],
        [4, 'tenant globex is not acme, the tenant this file is imported for'],
      ]),
    );
  });

  it('rejects malformed, truncated, typeless and timeless records with line and reason; exit 1', () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, [event(1), '{"eventId":"e2","tenant":"acme","type":"api.request"', event(3, { time: 'soon' }), event(4, { scopes: 'read.data' }), event(5), event(6, { time: undefined })].join('\n'));
    const result = cli(['logs', 'import', file, '--db', join(dir, 'a.duckdb'), '--provider', 'scopeguard'], { cwd: dir });
    expect(result.stdout).toMatch(/^imported 2 events from 1 file, 0 duplicates skipped, 4 rejected/);
    expect(result.status).toBe(1);
    const rejectsDir = join(dir, 'rejects');
    const rejects = readdirSync(rejectsDir).flatMap((f) => lines(join(rejectsDir, f)));
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, expect.stringMatching(/^invalid JSON/)],
      [3, 'unreadable time "soon"'],
      [4, 'scopes: must be array'],
      [6, "record: must have required property 'time'"],
    ]);
  });

  it('stops at the first bad record with --strict; exit 2', () => {
    const dir = tempDir();
    const file = join(dir, 'strict.ndjson');
    writeFileSync(file, `${event(1)}\n{oops\n${event(3)}\n`);
    const result = cli(['logs', 'import', file, '--db', join(dir, 'a.duckdb'), '--strict'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${file}:2: invalid JSON`);
  });

  it('exits 2 when nothing could be read, 0 for an empty file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'garbage.log'), 'this is not json\nnor this\n');
    const garbage = cli(['logs', 'import', join(dir, 'garbage.log'), '--db', join(dir, 'a.duckdb'), '--tenant', 'acme'], { cwd: dir });
    expect(garbage.status).toBe(2);
    writeFileSync(join(dir, 'empty.ndjson'), '');
    const empty = cli(['logs', 'import', join(dir, 'empty.ndjson'), '--db', join(dir, 'a.duckdb'), '--tenant', 'acme'], { cwd: dir });
    expect(empty.stdout).toMatch(/^imported 0 events/);
    expect(empty.status).toBe(0);
  });

  it('reads gzip, a JSON array and stdin', () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(`${event(1)}\n${event(2)}\n`));
    writeFileSync(join(dir, 'b.json'), `[\n${event(3)},\n${event(4)}\n]`);
    expect(cli(['logs', 'import', join(dir, 'a.ndjson.gz'), join(dir, 'b.json'), '--db', db], { cwd: dir }).stdout).toMatch(/^imported 4 events from 2 files/);
    const stdin = cli(['logs', 'import', '-', '--db', db], { cwd: dir, input: `${event(5)}\n${event(1)}\n` });
    expect(stdin.stdout).toMatch(/^imported 1 event from 1 file, 1 duplicate skipped/);
  });

  it('imports text with half of a surrogate pair escaped (\\ud800), as U+FFFD, instead of failing the whole import', async () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    // JSON.stringify writes a lone surrogate as its escape, as a broken exporter would
    writeFileSync(join(dir, 'a.ndjson'), [event(1, { userAgent: 'x\ud800y' }), event(2, { eventId: 'e2\udc00' }), event(3, { actor: { id: 'a3', type: 'user', name: 'smile \ud83d\ude00' } })].join('\n'));
    writeFileSync(join(dir, 'b.json'), `[${event(4, { userAgent: 'tail\udbff' })}]`);
    const run = cli(['logs', 'import', join(dir, 'a.ndjson'), join(dir, 'b.json'), '--provider', 'scopeguard', '--db', db], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^imported 4 events from 2 files, 0 duplicates skipped, 0 rejected/);
    expect(run.status).toBe(0);
    expect(await sql(db, 'SELECT event_id, user_agent, actor_name FROM events ORDER BY time')).toEqual([
      { event_id: 'e1', user_agent: 'x\ufffdy', actor_name: null },
      { event_id: 'e2\ufffd', user_agent: null, actor_name: null },
      { event_id: 'e3', user_agent: null, actor_name: 'smile 😀' },
      { event_id: 'e4', user_agent: 'tail\ufffd', actor_name: null },
    ]);
  });

  it('records the SHA-256 of the bytes each import read: the file as stored (compressed for .gz), or stdin', async () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    const gz = gzipSync(`${event(1)}\n${event(2)}\n`);
    const plain = `${event(3)}\n${event(4)}\n`;
    const piped = `${event(5)}\n`;
    writeFileSync(join(dir, 'a.ndjson.gz'), gz);
    writeFileSync(join(dir, 'b.ndjson'), plain);
    expect(cli(['logs', 'import', join(dir, 'a.ndjson.gz'), join(dir, 'b.ndjson'), '--db', db], { cwd: dir }).status).toBe(0);
    expect(cli(['logs', 'import', '-', '--db', db], { cwd: dir, input: piped }).status).toBe(0);
    const sha = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');
    expect(await sql(db, 'SELECT file, sha256, finished_at IS NOT NULL AS finished FROM imports ORDER BY import_id')).toEqual([
      { file: join(dir, 'a.ndjson.gz'), sha256: sha(gz), finished: true },
      { file: join(dir, 'b.ndjson'), sha256: sha(plain), finished: true },
      { file: '-', sha256: sha(piped), finished: true },
    ]);
  });

  it('rejects a 20 MB line with a reason instead of crashing', () => {
    const dir = tempDir();
    const file = join(dir, 'huge.ndjson');
    writeFileSync(file, `${event(1)}\n${event(2, { userAgent: 'x'.repeat(20 * 1024 * 1024) })}\n${event(3)}\n`);
    const result = cli(['logs', 'import', file, '--db', join(dir, 'a.duckdb')], { cwd: dir });
    expect(result.stdout).toMatch(/^imported 2 events from 1 file, 0 duplicates skipped, 1 rejected/);
    expect(result.status).toBe(1);
    const [reject] = readdirSync(join(dir, 'rejects')).flatMap((f) => lines(join(dir, 'rejects', f)));
    expect(reject).toMatchObject({ line: 2, reason: expect.stringMatching(/^record too long/) });
  });

  it('counts overlapping exports once', async () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    const all = Array.from({ length: 300 }, (_, i) => event(i));
    writeFileSync(join(dir, 'first.ndjson'), all.slice(0, 200).join('\n'));
    writeFileSync(join(dir, 'second.ndjson'), all.slice(100).join('\n'));
    cli(['logs', 'import', join(dir, 'first.ndjson'), '--db', db], { cwd: dir });
    const second = cli(['logs', 'import', join(dir, 'second.ndjson'), '--db', db], { cwd: dir });
    expect(second.stdout).toMatch(/^imported 100 events from 1 file, 100 duplicates skipped/);
    expect((await sql(db, 'SELECT count(*)::INTEGER AS n FROM events'))[0]).toEqual({ n: 300 });
  });

  it('--type other matches the events of type other (a type with no family)', () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    const types = ['other', 'other', 'token.issued', 'client.updated'];
    writeFileSync(join(dir, 'mixed.ndjson'), types.map((type, i) => event(i, { type })).join('\n'));
    expect(cli(['logs', 'import', join(dir, 'mixed.ndjson'), '--db', db], { cwd: dir }).status).toBe(0);
    const query = (type: string): unknown[] => JSON.parse(cli(['logs', 'query', '--db', db, '--type', type, '--format', 'json'], { cwd: dir }).stdout) as unknown[];
    expect(query('other')).toHaveLength(2);
    expect(query('client')).toHaveLength(1);
    expect(query('token.issued')).toHaveLength(1);
  });

  it('needs a tenant when neither the flag nor config sources give one', () => {
    const dir = tempDir();
    const result = cli(['logs', 'import', join(ROOT, 'test/logs/fixtures/okta.json'), '--db', join(dir, 'a.duckdb')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot tell which tenant');
    expect(result.stderr).toContain('acme, globex');
  });
});

describe('store schema versions', () => {
  it('refuses a store written by a newer scopeguard', async () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    cli(['logs', 'import', '-', '--db', db], { cwd: dir, input: '' });
    const instance = await DuckDBInstance.create(db);
    const connection = await instance.connect();
    await connection.run(`INSERT INTO schema_version VALUES (99, 'from the future', now()::TIMESTAMP)`);
    connection.closeSync();
    instance.closeSync();
    const result = cli(['logs', 'query', '--db', db], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('has schema version 99, newer than this scopeguard understands');
  });

  it('upgrades an older store on import', async () => {
    const { Store } = await import('../../src/store/store.ts');
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    await Store.createAtVersion(db, 1);
    expect(cli(['logs', 'query', '--db', db], { cwd: dir }).stderr).toContain('run `scopeguard logs import` once to upgrade it');
    expect(cli(['logs', 'import', '-', '--db', db, '--tenant', 'acme'], { cwd: dir, input: '' }).status).toBe(0);
    const { CURRENT_VERSION } = await import('../../src/store/migrations.ts');
    expect(CURRENT_VERSION).toBeGreaterThan(1);
    expect(await sql(db, 'SELECT max(version)::INTEGER AS v FROM schema_version')).toEqual([{ v: CURRENT_VERSION }]);
    expect(await sql(db, 'SELECT count(*)::INTEGER AS n FROM event_scopes')).toEqual([{ n: 0 }]);
  });
});

describe('secrets never reach the store or the rejects file', () => {
  const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzZWNyZXQtc3ViamVjdC0xIn0.U2lnbmF0dXJlU2VjcmV0MDAx';
  const SECRETS = {
    jwt: JWT,
    refresh: 'rt-SECRET-refresh-7f3a9c',
    clientSecret: 'cs-SECRET-client-1b2c3d',
    password: 'pw-SECRET-hunter2-x',
    code: 'ac-SECRET-authcode-42',
    bearer: 'opaqueSECRETbearer9988',
    cookie: 'SECRETsessioncookie5566',
    queryToken: 'qt-SECRET-query-7788',
    ghToken: 'ghp_SECRETabcdefghijklmnopqrstuvwxyz0123',
  };
  const CANARY = 'CANARYvisibleValue-not-a-secret';

  it('scrubs every plausible field in stored columns, raw JSON and rejects, proven on the file bytes', async () => {
    const dir = tempDir();
    const db = join(dir, 'store', 'audit.duckdb');
    mkdirSync(join(dir, 'store'));
    const gatewayLines = [
      {
        time: '2026-11-10T10:00:00Z', request_id: 'g1', method: 'GET', path: `/v1/orders?access_token=${SECRETS.queryToken}&code=${SECRETS.code}`, status: 200,
        client_id: 'c1', scope: 'read.orders', jti: SECRETS.jwt, user_agent: CANARY,
        headers: { Authorization: `Bearer ${SECRETS.bearer}`, Cookie: SECRETS.cookie },
        body: { client_secret: SECRETS.clientSecret, password: SECRETS.password, refresh_token: SECRETS.refresh },
        note: `forwarded token ${SECRETS.ghToken}`,
      },
      { time: '2026-11-10T10:01:00Z', request_id: `id-${SECRETS.jwt}`, method: 'POST', path: `/oauth/token?refresh_token=${SECRETS.refresh}`, status: 200, client_id: `Bearer ${SECRETS.bearer}`, jti: `Bearer ${SECRETS.bearer}`, user_agent: `curl ${SECRETS.jwt}` },
    ];
    const gatewayFile = join(dir, 'gateway.ndjson');
    // the last line is broken JSON carrying secrets: it goes to the rejects file, scrubbed
    writeFileSync(gatewayFile, `${gatewayLines.map((l) => JSON.stringify(l)).join('\n')}\n{"time":"2026-11-10","password":"${SECRETS.password}","jti":"${SECRETS.jwt}", "path":"/x?access_token=${SECRETS.queryToken}"\n`);
    const okta = {
      uuid: 'o1', published: '2026-11-10T10:02:00Z', eventType: 'app.oauth2.as.token.grant.access_token', actor: { id: 'c1', type: 'PublicClientApp', alternateId: `Bearer ${SECRETS.bearer}` },
      outcome: { result: 'SUCCESS' }, target: [{ id: SECRETS.jwt, type: 'access_token' }],
      debugContext: { debugData: { requestUri: `/oauth2/v1/token?client_secret=${SECRETS.clientSecret}&password=${SECRETS.password}`, grantedScopes: 'read.orders', clientSecret: SECRETS.clientSecret, id_token: SECRETS.jwt } },
      client: { ipAddress: '203.0.113.1', userAgent: { rawUserAgent: CANARY } },
    };
    const oktaFile = join(dir, 'okta.json');
    writeFileSync(oktaFile, JSON.stringify([okta]));
    const scopeguardFile = join(dir, 'normalized.ndjson');
    writeFileSync(scopeguardFile, `${JSON.stringify({ eventId: 's1', tenant: 'acme', time: '2026-11-10T10:03:00Z', type: 'token.issued', outcome: 'success', tokenId: SECRETS.jwt, clientId: 'c1', userAgent: `x ${SECRETS.ghToken}`, request: { method: 'GET', path: `/cb?code=${SECRETS.code}` }, actor: { name: `Bearer ${SECRETS.bearer}` } })}\n`);

    const run = (file: string, provider: string): void => {
      const result = cli(['logs', 'import', file, '--db', db, '--tenant', 'acme', '--provider', provider, '--keep-raw'], { cwd: dir });
      expect(result.stderr).not.toContain('unexpected error');
    };
    run(gatewayFile, 'gateway');
    run(oktaFile, 'okta');
    run(scopeguardFile, 'scopeguard');

    const rows = await sql(db, 'SELECT count(*)::INTEGER AS n FROM events');
    expect(rows[0]).toEqual({ n: 4 });
    const stored = JSON.stringify(await sql(db, 'SELECT * EXCLUDE (time, source_line), raw::VARCHAR AS raw_text FROM events'));
    expect(stored).toContain(CANARY);
    const storeFiles = readdirSync(join(dir, 'store'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
    const rejectFiles = storeFiles.filter((f) => f.includes('rejects'));
    expect(rejectFiles).toHaveLength(1);
    const bytes = Buffer.concat(storeFiles.map((f) => readFileSync(f)));
    // the control: a plain value of the same shape is visible in the bytes, so a secret would be too
    expect(bytes.includes(Buffer.from(CANARY))).toBe(true);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(stored.includes(secret), `${name} in a stored column`).toBe(false);
      expect(bytes.includes(Buffer.from(secret)), `${name} in the store or rejects bytes`).toBe(false);
    }
    // the bearer token id became a hash, not a blank
    expect(stored).toMatch(/sha256:[0-9a-f]{64}/);
  });

  it("a Keycloak password reset keeps no password; --strict's error quotes no input; CSV passes no terminal escape", async () => {
    const dir = tempDir();
    const db = join(dir, 'store', 'audit.duckdb');
    mkdirSync(join(dir, 'store'));
    const reset = { id: 'a2', time: 1791885600001, realmId: 'globex', authDetails: { userId: 'u1' }, operationType: 'ACTION', resourceType: 'USER', resourcePath: 'users/123/reset-password', representation: '{"type":"password","value":"ResetPass99","temporary":true}' };
    writeFileSync(join(dir, 'kc.ndjson'), `${JSON.stringify(reset)}\n${JSON.stringify({ ...reset, id: 'a3', time: 'never' })}\n`);
    const imported = cli(['logs', 'import', 'kc.ndjson', '--provider', 'keycloak', '--tenant', 'globex', '--keep-raw', '--db', db], { cwd: dir });
    expect(imported.stdout).toMatch(/^imported 1 event from 1 file, 0 duplicates skipped, 1 rejected/);

    writeFileSync(join(dir, 'bad.ndjson'), `${JSON.stringify({ eventId: 'e1', time: '2026-11-10T10:00:00Z', type: 'api.request', clientId: 'esc\u001b[31mRED\u001b[0m' })}\n{"password": hunter2SECRET}\n`);
    const strict = cli(['logs', 'import', 'bad.ndjson', '--provider', 'scopeguard', '--tenant', 'globex', '--strict', '--db', db], { cwd: dir });
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain("bad.ndjson:2: invalid JSON: Unexpected token 'h' in JSON at position 13");
    expect(strict.stderr).not.toMatch(/hunter2|SECRET/);

    const storeFiles = readdirSync(join(dir, 'store'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
    const bytes = Buffer.concat(storeFiles.map((f) => readFileSync(f)));
    for (const secret of ['ResetPass99', 'hunter2']) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);

    // --strict stopped before its batch was stored: the escape comes from a normal import
    cli(['logs', 'import', 'bad.ndjson', '--provider', 'scopeguard', '--tenant', 'globex', '--db', db], { cwd: dir });
    const csv = cli(['logs', 'query', '--db', db, '--client', 'esc\u001b[31mRED\u001b[0m', '--format', 'csv'], { cwd: dir });
    expect(csv.stdout).toContain(',esc\uFFFD[31mRED\uFFFD[0m,');
    expect(csv.stdout).not.toContain('\u001b');
  });
});
