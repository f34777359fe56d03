/**
 * The last valid registry loaded from a folder, kept between runs as linters keep their results: when no file under
 * the root has changed, the registry is read back instead of parsed, validated and built again.
 *
 * The entry is keyed by a hash of every file's path and content, the registry root and the scopeguard version, so
 * a stale entry is never used: any edit, added or removed file, or upgrade misses and rebuilds. Only registries
 * without problems are cached, so every problem is always reported from the files themselves. The cache is an
 * optimisation only: an entry that cannot be read or written is ignored.
 *
 * `SCOPEGUARD_CACHE=off` (or the global `--no-cache` flag) disables it; `SCOPEGUARD_CACHE_DIR` moves it (default
 * `.scopeguard/cache` in the working directory, beside the default audit store).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VERSION } from '../version.ts';
import type { Registry } from './model.ts';

/** Bump when the Registry model or the encoding below changes. */
const FORMAT = 3;

// An entry is the key on the first line, then the registry as JSON: the model is plain data (a JSON round trip is
// exact, which a test checks); JSON.parse reads it back faster than v8.deserialize, and unlike V8's format it does
// not change with the Node version.

type Source = { path: string; content: string };

/** The cache entry of one registry folder for one set of file contents. */
export class RegistryCache {
  private constructor(
    private readonly file: string,
    /** Every input the registry is built from, hashed once per run. */
    private readonly key: string,
  ) {}

  /** The entry for the registry under `root` read from `sources`, or undefined when caching is off. */
  static forSources(root: string, sources: ReadonlyArray<Source>): RegistryCache | undefined {
    if (/^(off|0|false|no)$/i.test(process.env.SCOPEGUARD_CACHE ?? '')) return undefined;
    const dir = resolve(process.env.SCOPEGUARD_CACHE_DIR ?? join('.scopeguard', 'cache'));
    const rootKey = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16);
    const hash = createHash('sha256').update(`scopeguard ${VERSION} registry-cache ${FORMAT}\0${root}\0`);
    for (const { path, content } of sources) hash.update(`${path}\0${content.length}\0`).update(content);
    return new RegistryCache(join(dir, `registry-${rootKey}.json`), hash.digest('hex'));
  }

  /** The registry stored for exactly these sources, if any. */
  get(): Registry | undefined {
    try {
      const text = readFileSync(this.file, 'utf8');
      const newline = text.indexOf('\n');
      if (newline === -1 || text.slice(0, newline) !== this.key) return undefined;
      return JSON.parse(text.slice(newline + 1)) as Registry;
    } catch {
      return undefined; // absent, unreadable or corrupt: build instead
    }
  }

  set(registry: Registry): void {
    try {
      mkdirSync(resolve(this.file, '..'), { recursive: true });
      // written aside and renamed, so a concurrent run never reads half an entry
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${this.key}\n${JSON.stringify(registry)}`);
      renameSync(temporary, this.file);
    } catch {
      // a read-only or full disk only costs the next run a rebuild
    }
  }
}
