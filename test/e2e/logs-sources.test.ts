// Which files `logs import` reads and with which importer: `sources` folders of scopeguard.yaml, a gateway whose
// fields only the config names, and logrotate's rotated files. The real bin, real files, a real DuckDB store.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../logs/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/scopeguard.js');

function cli(args: string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A project folder with these files (paths relative to it). */
function project(files: Record<string, string | Buffer>): string {
  const dir = tempDir('sg-sources-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const GATEWAY_FIELDS = 'gateway: {fields: {time: when, clientId: who, scopes: scp, method: verb, path: route, status: code}}';

/** A line of a gateway that names its fields its own way (only gateway.fields says which is which). */
function request(who: string, day: number): string {
  return JSON.stringify({ when: `2026-11-${String(day).padStart(2, '0')}T00:00:00Z`, who, scp: 'a.read', verb: 'GET', route: `/a/${who}`, code: 200 });
}

interface Stored {
  tenant: string;
  provider: string;
  clientId: string;
}

function stored(dir: string): Stored[] {
  const result = cli(['logs', 'query', '--db', 'audit.duckdb', '--format', 'json', '--limit', '0'], dir);
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout) as Stored[]).map(({ tenant, provider, clientId }) => ({ tenant, provider, clientId })).sort((a, b) => a.clientId.localeCompare(b.clientId));
}

describe('sources folders', () => {
  it("a bare logs import reads a gateway folder source with custom fields: the source's provider applies to every file under it", () => {
    const dir = project({
      'scopes/scopeguard.yaml': ['kind: Config', 'sources: {t: [{provider: gateway, path: logs/gw}]}', GATEWAY_FIELDS, ''].join('\n'),
      'logs/gw/access.ndjson': `${request('id-one', 10)}\n`,
      'logs/gw/2026/11/access.ndjson': `${request('id-two', 11)}\n`,
    });
    const result = cli(['logs', 'import', '--db', 'audit.duckdb'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^imported 2 events from 2 files, 0 duplicates skipped, 0 rejected/);
    expect(result.status).toBe(0);
    expect(stored(dir)).toEqual([
      { tenant: 't', provider: 'gateway', clientId: 'id-one' },
      { tenant: 't', provider: 'gateway', clientId: 'id-two' },
    ]);
  });

  it('a file source inside a folder source keeps its own provider; one folder listed with two providers is left to detection', () => {
    const dir = project({
      'scopes/scopeguard.yaml': [
        'kind: Config',
        'sources:',
        '  t:',
        '    - {provider: gateway, path: logs/mixed}',
        '    - {provider: okta, path: logs/mixed}',
        '  u:',
        '    - {provider: gateway, path: logs/u}',
        '    - {provider: okta, path: logs/u/okta.json}',
        GATEWAY_FIELDS,
        '',
      ].join('\n'),
      'logs/mixed/gateway.ndjson': `${request('gw-t', 10)}\n`,
      'logs/u/gateway.ndjson': `${request('gw-u', 10)}\n`,
    });
    copyFileSync(join(ROOT, 'test/logs/fixtures/okta.json'), join(dir, 'logs/mixed/okta.json'));
    copyFileSync(join(ROOT, 'test/logs/fixtures/okta.json'), join(dir, 'logs/u/okta.json'));
    const result = cli(['logs', 'import', '--db', 'audit.duckdb'], dir);
    expect(result.status).toBe(0);
    // detected in the folder of two providers (the gateway by its configured fields), named by the sources elsewhere
    expect(result.stderr.split('\n').filter(Boolean).sort()).toEqual(['logs/mixed/gateway.ndjson: detected provider gateway', 'logs/mixed/okta.json: detected provider okta']);
    const events = stored(dir);
    expect(events.filter((e) => e.provider === 'gateway')).toEqual([
      { tenant: 't', provider: 'gateway', clientId: 'gw-t' },
      { tenant: 'u', provider: 'gateway', clientId: 'gw-u' },
    ]);
    expect(new Set(events.filter((e) => e.provider === 'okta').map((e) => e.tenant))).toEqual(new Set(['t', 'u']));
  });

  it('detects a gateway by the fields gateway.fields names, outside any source', () => {
    const dir = project({
      'scopes/scopeguard.yaml': ['kind: Config', GATEWAY_FIELDS, ''].join('\n'),
      'elsewhere/access.json': `${request('id-one', 10)}\n${request('id-two', 11)}\n`,
    });
    const result = cli(['logs', 'import', 'elsewhere', '--tenant', 't', '--db', 'audit.duckdb'], dir);
    expect(result.stderr).toBe('elsewhere/access.json: detected provider gateway\n');
    expect(result.stdout).toMatch(/^imported 2 events from 1 file, /);
    expect(result.status).toBe(0);
  });
});

describe('which files of a folder are read', () => {
  it("reads logrotate's rotated files and says in one line which files it skipped and why", () => {
    const dir = project({
      'scopes/scopeguard.yaml': ['kind: Config', 'sources: {t: [{provider: gateway, path: logs/gw}]}', GATEWAY_FIELDS, ''].join('\n'),
      'logs/gw/access.log': `${request('current', 10)}\n`,
      'logs/gw/access.log.1': `${request('rotated-1', 9)}\n`,
      'logs/gw/access.log.2.gz': gzipSync(`${request('rotated-2', 8)}\n`),
      'logs/gw/access.json.3': `${request('rotated-3', 7)}\n`,
      'logs/gw/access.log-20261106': `${request('dateext', 6)}\n`,
      'logs/gw/old/access.log-20261105.gz': gzipSync(`${request('dateext-gz', 5)}\n`),
      'logs/gw/notes.txt': 'not a log\n',
      'logs/gw/old/access.log.bak': `${request('backup', 4)}\n`,
      'logs/gw/.gitkeep': '',
    });
    const result = cli(['logs', 'import', '--db', 'audit.duckdb'], dir);
    expect(result.stdout).toMatch(/^imported 6 events from 6 files, /);
    expect(result.status).toBe(0);
    expect(stored(dir).map((e) => e.clientId)).toEqual(['current', 'dateext', 'dateext-gz', 'rotated-1', 'rotated-2', 'rotated-3']);
    // hidden files (.gitkeep) are nobody's log
    expect(result.stderr).toBe(
      'scopeguard: logs/gw: skipped 2 files not named like a log file (*.ndjson, *.jsonl, *.json, *.log, rotated as *.log.1 or *.log-20261110, *.gz): notes.txt, old/access.log.bak; pass a file by name to import it anyway\n',
    );
  });

  it('a folder with no log file says what it skipped and what it looks for; exit 2', () => {
    const dir = project({ 'scopes/scopeguard.yaml': 'kind: Config\n', 'logs/a.txt': 'x\n', 'logs/b.csv': 'x\n' });
    const result = cli(['logs', 'import', 'logs', '--tenant', 't', '--db', 'audit.duckdb'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('scopeguard: logs: skipped 2 files not named like a log file');
    expect(result.stderr).toContain('a.txt, b.csv');
    expect(result.stderr).toContain('no log files (*.ndjson, *.jsonl, *.json, *.log, rotated as *.log.1 or *.log-20261110, *.gz) under logs');
  });
});
