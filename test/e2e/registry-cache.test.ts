// The registry cache (.scopeguard/cache): a second run reads the last valid registry back instead of parsing it,
// and never shows a user anything the files no longer say.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEAN, CLIENTS, projectWith, scopeguardIn, type JsonReport } from './check-support.ts';

const CHECK = ['check', '--format', 'json', '--now', '2026-11-25'];

function cacheFiles(dir: string): string[] {
  const cache = join(dir, '.scopeguard', 'cache');
  return existsSync(cache) ? readdirSync(cache) : [];
}

function subjects(stdout: string): string[] {
  return (JSON.parse(stdout) as JsonReport).findings.map((f) => `${f.ruleId} ${f.subject} ${f.location?.line}:${f.location?.column}`);
}

describe('registry cache', () => {
  it('is written by a valid run, gives the same result when reused, and is rebuilt when a file changes', () => {
    const dir = projectWith(CLEAN);
    const first = scopeguardIn(dir, CHECK);
    expect(first.status).toBe(0);
    expect(cacheFiles(dir)).toHaveLength(1);
    const second = scopeguardIn(dir, CHECK);
    expect(second.stdout).toBe(first.stdout);

    // a public client holding a medium scope with an unknown grant: the edit must be seen, not the cached registry
    writeFileSync(join(dir, 'scopes', 'clients.yaml'), `${CLIENTS}      - write.orders\n  kiosk:\n    clientId: 0oa2kiosk\n    owner: team-orders\n    type: public\n    scopes: [write.orders]\n`);
    const edited = scopeguardIn(dir, CHECK);
    expect(subjects(edited.stdout)).toContain('SG106 client:shop/scope:read.orders 9:9');
    expect(edited.stdout).not.toBe(first.stdout);
    expect(scopeguardIn(dir, CHECK).stdout).toBe(edited.stdout);

    writeFileSync(join(dir, 'scopes', 'clients.yaml'), `${CLIENTS}      - no.such.scope\n`);
    const broken = scopeguardIn(dir, ['validate']);
    expect(broken.status).toBe(2);
    expect(broken.stdout).toContain('scopes/clients.yaml:10:9');
    expect(broken.stdout).toContain('unknown scope "no.such.scope"');
  });

  it('is ignored when corrupt or unwritable, and not used at all with --no-cache or SCOPEGUARD_CACHE=off', () => {
    const dir = projectWith(CLEAN);
    const expected = scopeguardIn(dir, CHECK).stdout;
    const [entry] = cacheFiles(dir);
    const entryPath = join(dir, '.scopeguard', 'cache', entry!);
    writeFileSync(entryPath, readFileSync(entryPath).subarray(0, 40));
    const afterCorruption = scopeguardIn(dir, CHECK);
    expect(afterCorruption.status).toBe(0);
    expect(afterCorruption.stdout).toBe(expected);
    expect(afterCorruption.stderr).toBe('');

    const readOnly = projectWith(CLEAN);
    writeFileSync(join(readOnly, '.scopeguard'), 'a file where the cache folder would go');
    const unwritable = scopeguardIn(readOnly, CHECK);
    expect(unwritable.status).toBe(0);
    expect(unwritable.stdout).toBe(expected);

    const uncached = projectWith(CLEAN);
    expect(scopeguardIn(uncached, ['--no-cache', ...CHECK]).stdout).toBe(expected);
    expect(scopeguardIn(uncached, CHECK, { ...process.env, SCOPEGUARD_CACHE: 'off' }).stdout).toBe(expected);
    expect(cacheFiles(uncached)).toEqual([]);

    const moved = projectWith(CLEAN);
    const elsewhere = join(moved, 'cache-here');
    scopeguardIn(moved, CHECK, { ...process.env, SCOPEGUARD_CACHE_DIR: elsewhere });
    expect(readdirSync(elsewhere)).toHaveLength(1);
    expect(cacheFiles(moved)).toEqual([]);
  });
});
