import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectRegistryProblems, readRegistrySources } from '../../src/registry/load.ts';
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

  it('is off with SCOPEGUARD_CACHE=off', () => {
    process.env.SCOPEGUARD_CACHE = 'off';
    expect(RegistryCache.forSources('scopes', [])).toBeUndefined();
  });
});
