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
    const cache = RegistryCache.forRoot('scopes')!;
    expect(cache.get(sources)).toBeUndefined();
    cache.set(sources, registry!);
    // strict: no key may appear, vanish or turn undefined on the way through the cache
    expect(RegistryCache.forRoot('scopes')!.get(sources)).toStrictEqual(registry);

    const edited = sources.map((source, i) => (i === 0 ? { ...source, content: `${source.content}\n# edited\n` } : source));
    expect(cache.get(edited)).toBeUndefined();
    const renamed = sources.map((source, i) => (i === 0 ? { ...source, path: `${source.path}.moved.yaml` } : source));
    expect(cache.get(renamed)).toBeUndefined();
    expect(cache.get(sources.slice(1))).toBeUndefined();
  });

  it('is off with SCOPEGUARD_CACHE=off', () => {
    process.env.SCOPEGUARD_CACHE = 'off';
    expect(RegistryCache.forRoot('scopes')).toBeUndefined();
  });
});
