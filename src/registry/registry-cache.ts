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
import type { Registry, SourcePosition } from './model.ts';

/** Bump when the Registry model or the encoding below changes. */
const FORMAT = 5;

/**
 * How the loader reads files into a registry. Bump it when the same files load into a different registry (a position
 * moves, a value is read otherwise): neither the format above nor the scopeguard version need change with such a
 * commit, and a cached run would give back the old reading. 1: a path through a YAML alias is placed at the alias.
 */
const LOADER_REVISION = 1;

// An entry is the key on the first line, the registry as JSON on the second and a file table on the third. The
// model is plain data (a JSON round trip is exact, which a test checks); JSON.parse reads it back faster than
// v8.deserialize, and unlike V8's format it does not change with the Node version. Every SourcePosition is written
// as [file index, line, column]: positions are on every scope, action, client and grant, and spelled out they were
// half the entry (a 1.4 MB registry made a 4.3 MB entry, and reading it was most of a cached run's I/O).
type PackedPosition = [file: number, line: number, column: number];

function isPosition(value: unknown): value is SourcePosition {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  const { file, line, column } = value as Record<string, unknown>;
  return keys.length === 3 && typeof file === 'string' && typeof line === 'number' && typeof column === 'number';
}

function pack(registry: Registry): { json: string; files: string[] } {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const json = JSON.stringify(registry, (key, value: unknown) => {
    if (key !== 'location' || !isPosition(value)) return value;
    let index = fileIndex.get(value.file);
    if (index === undefined) {
      index = files.push(value.file) - 1;
      fileIndex.set(value.file, index);
    }
    return [index, value.line, value.column] satisfies PackedPosition;
  });
  return { json, files };
}

/**
 * Turns every packed position back into a SourcePosition, in place: the model's position fields, walked by name (a
 * generic walk over every object cost more than the smaller entry saved); false when the entry does not fit. A
 * position field added to the model must be added here: the cache round-trip test compares the whole registry.
 */
function unpack(registry: Registry, files: readonly string[]): boolean {
  let fits = true;
  const position = (packed: unknown): SourcePosition => {
    const [file, line, column] = packed as PackedPosition;
    const name = files[file];
    if (!Array.isArray(packed) || packed.length !== 3 || name === undefined) fits = false;
    return { file: name ?? '', line, column };
  };
  if (registry.config.location !== undefined) registry.config.location = position(registry.config.location);
  for (const tenant of Object.values(registry.tenants)) {
    for (const scope of Object.values(tenant.scopes)) scope.location = position(scope.location);
    for (const patterns of Object.values(tenant.actions)) for (const pattern of patterns) pattern.location = position(pattern.location);
    for (const client of Object.values(tenant.clients)) {
      client.location = position(client.location);
      for (const grant of client.grants) grant.location = position(grant.location);
    }
    for (const exception of tenant.exceptions) exception.location = position(exception.location);
  }
  return fits;
}

type Source = { path: string; content: string };

/** The cache entry of one registry folder for one set of file contents. */
export class RegistryCache {
  private constructor(
    private readonly file: string,
    /** Every input the registry is built from, hashed once per run. */
    private readonly key: string,
  ) {}

  /** The entry for the registry under `root` read from `sources`, or undefined when caching is off. */
  static forSources(root: string, sources: ReadonlyArray<Source>, loaderRevision = LOADER_REVISION): RegistryCache | undefined {
    if (/^(off|0|false|no)$/i.test(process.env.SCOPEGUARD_CACHE ?? '')) return undefined;
    const dir = resolve(process.env.SCOPEGUARD_CACHE_DIR ?? join('.scopeguard', 'cache'));
    const rootKey = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16);
    const hash = createHash('sha256').update(`scopeguard ${VERSION} registry-cache ${FORMAT} loader ${loaderRevision}\0${root}\0`);
    for (const { path, content } of sources) hash.update(`${path}\0${content.length}\0`).update(content);
    return new RegistryCache(join(dir, `registry-${rootKey}.json`), hash.digest('hex'));
  }

  /** The registry stored for exactly these sources, if any. */
  get(): Registry | undefined {
    try {
      const text = readFileSync(this.file, 'utf8');
      const [key, json, files] = text.split('\n');
      if (key !== this.key || json === undefined || files === undefined) return undefined;
      const registry = JSON.parse(json) as Registry;
      return unpack(registry, JSON.parse(files) as string[]) ? registry : undefined;
    } catch {
      return undefined; // absent, unreadable or corrupt: build instead
    }
  }

  set(registry: Registry): void {
    try {
      mkdirSync(resolve(this.file, '..'), { recursive: true });
      // written aside and renamed, so a concurrent run never reads half an entry
      const temporary = `${this.file}.${process.pid}.tmp`;
      const { json, files } = pack(registry);
      writeFileSync(temporary, `${this.key}\n${json}\n${JSON.stringify(files)}`);
      renameSync(temporary, this.file);
    } catch {
      // a read-only or full disk only costs the next run a rebuild
    }
  }
}
