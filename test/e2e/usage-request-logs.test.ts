// What counts as use of a grant when a tenant's logs hold no API requests: the example's globex has only its
// identity providers' logs (Auth0, Keycloak), so requests cannot be seen and tokens issued are the measure.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../logs/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/scopeguard.js');
const NOW = ['--now', '2026-11-20'];

function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

interface UsageJson {
  clients: Array<{ tenant: string; client: string; granted: Array<{ scope: string; issued: number; exercised: number; usedBy: string; used: boolean }> }>;
}

interface CheckJson {
  findings: Array<{ ruleId: string; tenant: string; subject: string; evidence?: Record<string, unknown> }>;
}

const usage = (db: string): UsageJson => JSON.parse(cli(['usage', '--tenant', 'globex', '--db', db, '--format', 'json', ...NOW]).stdout) as UsageJson;
const overScoped = (db: string): CheckJson['findings'] =>
  (JSON.parse(cli(['check', '--usage', '--db', db, '--format', 'json', '--fail-on', 'never', ...NOW]).stdout) as CheckJson).findings.filter(
    (f) => f.ruleId === 'SG301' && f.tenant === 'globex',
  );

describe('usage of a tenant whose logs hold no API requests', () => {
  let db: string;
  beforeAll(() => {
    db = join(tempDir(), 'audit.duckdb');
    expect(cli(['logs', 'import', 'scopes/logs/globex', '--db', db, '--quiet']).status).toBe(0);
  }, 120_000);

  it('judges every grant by the tokens issued, so grants in use are not called unused', () => {
    const rows = usage(db).clients.flatMap((c) => c.granted);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((row) => row.usedBy === 'tokens' && row.exercised === 0)).toBe(true);
    expect(rows.every((row) => row.used === row.issued > 0)).toBe(true);
    expect(overScoped(db)).toEqual([]);
    expect(cli(['rightsize', '--tenant', 'globex', '--db', db, ...NOW]).stdout).toContain('nothing to remove');
  });

  it('once requests are seen, the action map is the measure again and unexercised grants are over-scoped', () => {
    // one API request of one client (to an endpoint no scope maps): the tenant's logs now hold requests
    const client = usage(db).clients[0]!;
    const query = cli(['logs', 'query', '--db', db, '--tenant', 'globex', '--client', client.client, '--limit', '1', '--format', 'json']);
    const clientId = (JSON.parse(query.stdout) as Array<{ clientId: string }>)[0]!.clientId;
    const request = { eventId: 'gw-1', tenant: 'globex', time: '2026-11-10T10:00:00Z', type: 'api.request', outcome: 'success', clientId, request: { method: 'GET', path: '/nowhere', status: 200 } };
    const file = join(tempDir(), 'gateway.ndjson');
    writeFileSync(file, `${JSON.stringify(request)}\n`);
    expect(cli(['logs', 'import', file, '--db', db, '--quiet']).status).toBe(0);
    const rows = usage(db).clients.flatMap((c) => c.granted);
    expect(rows.filter((row) => row.usedBy === 'requests').length).toBeGreaterThan(0);
    const findings = overScoped(db);
    expect(findings.length).toBeGreaterThan(10);
    expect(findings.every((f) => f.evidence?.usedBy === 'requests')).toBe(true);
  });
});
