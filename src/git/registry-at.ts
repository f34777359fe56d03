/**
 * The registry as it was at a revision, read from git objects (`ls-tree` + `cat-file`) without touching the work
 * tree. Every YAML file under the root is loaded and dispatched by its `kind`, as on disk, so a file that moved or
 * was renamed between revisions is simply found at its new path.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { InputError, NoRegistryFiles, ValidationError } from '../errors.ts';
import { addRegistryFile, collectReadRegistryProblems, type RegistryRead } from '../registry/load.ts';
import type { Registry } from '../registry/model.ts';
import { didYouMean } from '../registry/suggest.ts';
import { tenantsNamedIn } from '../registry/yaml-source.ts';
import { BlobReader } from './blobs.ts';
import { openRepo, pathInRepo, resolveRevision, type GitRepo, type ResolvedRevision } from './repo.ts';

/** The registry folder holds no YAML at that revision (it did not exist yet, or --registry names the wrong folder). */
export class NoRegistryAtRevision extends NoRegistryFiles {}

export interface TreeFile {
  /** Path inside the repository, `/`-separated. */
  path: string;
  blob: string;
}

const YAML_FILE = /\.ya?ml$/i;

/** True for files the on-disk loader would read too: YAML, not under node_modules or a dot-folder. */
export function isRegistryFile(pathInsideRoot: string): boolean {
  if (!YAML_FILE.test(pathInsideRoot)) return false;
  const folders = pathInsideRoot.split('/').slice(0, -1);
  return !folders.some((folder) => folder === 'node_modules' || folder.startsWith('.'));
}

/** The registry files at `commit` under `root` (a path inside the repository). */
export async function registryFilesAt(repo: GitRepo, commit: string, root: string): Promise<TreeFile[]> {
  const output = await repo.git.raw(['ls-tree', '-r', '-z', '--full-tree', commit, '--', root === '' ? '.' : root]);
  const files: TreeFile[] = [];
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [, type, blob] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    if (type !== 'blob' || !blob) continue;
    const insideRoot = root === '' ? path : path.slice(root.length + 1);
    if (isRegistryFile(insideRoot)) files.push({ path, blob });
  }
  return files;
}

export interface RegistryAtRevision {
  registry: Registry;
  revision: ResolvedRevision;
}

export interface RegistryAtOptions {
  /** Where the command runs (default: process.cwd()); the registry root is relative to it. */
  cwd?: string;
  /** Reuse one reader (and its blob cache) across several revisions. */
  reader?: BlobReader;
  /**
   * Read only the files of this tenant (and those naming none, such as scopeguard.yaml): a file of another tenant
   * that was broken at that revision does not hide this tenant's registry from an audit.
   */
  tenant?: string;
}

/**
 * Loads the registry at `spec` (branch, tag, commit or date). `registryRoot` is given as the user typed it,
 * relative to `cwd`; positions name files as the on-disk loader does (relative to the working directory).
 */
export async function registryAt(spec: string, registryRoot: string, options: RegistryAtOptions = {}): Promise<RegistryAtRevision> {
  const cwd = options.cwd ?? process.cwd();
  const repo = await openRepo(cwd);
  const root = pathInRepo(repo, cwd, registryRoot);
  const revision = await resolveRevision(repo, spec);
  const reader = options.reader ?? new BlobReader(repo.top);
  try {
    const registry = await loadRegistryAtCommit(repo, reader, revision.commit, root, registryRoot, spec, cwd, options.tenant);
    return { registry, revision };
  } finally {
    if (!options.reader) reader.close();
  }
}

export async function loadRegistryAtCommit(
  repo: GitRepo,
  reader: BlobReader,
  commit: string,
  root: string,
  registryRoot: string,
  spec: string,
  cwd: string = process.cwd(),
  tenant?: string,
): Promise<Registry> {
  const base = realpathSync(cwd);
  // as the on-disk loader names files: relative to the working directory, absolute only outside it
  const display = (path: string): string => {
    const absolute = join(repo.top, path);
    const shown = relative(base, absolute);
    return (shown.startsWith('..') || isAbsolute(shown) ? absolute : shown).split(sep).join('/');
  };
  const files = await registryFilesAt(repo, commit, root);
  if (files.length === 0) {
    throw new NoRegistryAtRevision(`no *.yaml or *.yml files under "${registryRoot}" at ${spec} (${commit.slice(0, 12)})`, 'check --registry and the revision');
  }
  // as from disk: a file in another encoding is one problem, and names nothing the others could miss
  const read: RegistryRead = { sources: [], problems: [], unread: [] };
  const blobs = await Promise.all(files.map(async (file) => ({ path: display(file.path), bytes: (await reader.read(file.blob)) ?? Buffer.alloc(0) })));
  for (const { path, bytes } of blobs) addRegistryFile(read, path, bytes);
  if (tenant !== undefined) {
    const named = new Map(read.sources.map((source) => [source, tenantsNamedIn(source.content)]));
    const everyTenant = new Set([...named.values()].flat().filter((name): name is string => name !== undefined));
    if (!everyTenant.has(tenant)) throw new InputError(`no tenant "${tenant}" at ${spec}`, didYouMean(tenant, everyTenant));
    read.sources = read.sources.filter((source) => named.get(source)!.includes(tenant) || named.get(source)!.includes(undefined));
  }
  const { registry, problems } = collectReadRegistryProblems(registryRoot, read, { cache: false });
  if (registry) return registry;
  const error = new ValidationError(problems);
  // the files named in the problems are not the ones on disk: say which revision they come from
  error.message = `${error.message} at ${spec} (${commit.slice(0, 12)})`;
  throw error;
}
