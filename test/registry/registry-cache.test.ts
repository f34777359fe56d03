import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectReadRegistryProblems, collectRegistryProblems, readRegistrySources } from '../../src/registry/load.ts';
import { RegistryCache } from '../../src/registry/registry-cache.ts';

describe('RegistryCache', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.SCOPEGUARD_CACHE_DIR = mkdtempSync(join(tmpdir(), 'sg-cache-'));
    delete process.env.SCOPEGUARD_CACHE;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('gives back exactly the registry it stored, positions and all, and nothing for other files', async () => {
    const { sources } = await readRegistrySources('scopes');
    const { registry } = collectRegistryProblems('scopes', sources);
    expect(registry).toBeDefined();
    const cache = RegistryCache.forSources('scopes', sources)!;
    expect(cache.get()).toBeUndefined();
    cache.set(registry!);
    // strict: no key may appear, vanish or turn undefined on the way through the cache
    expect(RegistryCache.forSources('scopes', sources)!.get()).toStrictEqual(registry);

    const edited = sources.map((source, i) => (i === 0 ? { ...source, content: `${source.content}\n# edited\n` } : source));
    expect(RegistryCache.forSources('scopes', edited)!.get()).toBeUndefined();
    const renamed = sources.map((source, i) => (i === 0 ? { ...source, path: `${source.path}.moved.yaml` } : source));
    expect(RegistryCache.forSources('scopes', renamed)!.get()).toBeUndefined();
    expect(RegistryCache.forSources('scopes', sources.slice(1))!.get()).toBeUndefined();
  });

  it('misses an entry an earlier loader wrote for the same files: a loader that places things otherwise is part of the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-cache-registry-'));
    writeFileSync(
      join(dir, 'registry.yaml'),
      [
        'kind: ScopeSet',
        'tenant: acme',
        'scopes:',
        '  read.data: {description: Read data, owner: team-data}',
        '---',
        'kind: ClientSet',
        'tenant: acme',
        'clients:',
        '  web: {clientId: w, type: confidential, scopes: &web [read.data]}',
        '  spa: {clientId: s, type: public, scopes: *web}',
        '',
      ].join('\n'),
    );
    const read = await readRegistrySources(dir);
    const { registry } = collectRegistryProblems(dir, read.sources);
    const spaGrant = () => registry!.tenants.acme!.clients.spa!.grants[0]!;
    expect(spaGrant().location.line).toBe(10);
    // what the loader before the alias fix (revision 0) stored: spa's grant at web's list on line 9
    const stale = structuredClone(registry!);
    stale.tenants.acme!.clients.spa!.grants[0]!.location = { ...spaGrant().location, line: 9, column: 55 };
    RegistryCache.forSources(dir, read.sources, 0)!.set(stale);
    expect(RegistryCache.forSources(dir, read.sources, 0)!.get()).toStrictEqual(stale);
    expect(collectReadRegistryProblems(dir, read).registry).toStrictEqual(registry);
  });

  it('is off with SCOPEGUARD_CACHE=off', () => {
    process.env.SCOPEGUARD_CACHE = 'off';
    expect(RegistryCache.forSources('scopes', [])).toBeUndefined();
  });
});
