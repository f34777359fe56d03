/** One side of a comparison: the registry at a revision, or in the work tree (what a PR checkout holds). */
import { loadRegistry, resolveConfig } from '../registry/load.ts';
import type { Registry } from '../registry/model.ts';
import { diffRegistries } from '../diff/diff.ts';
import type { RegistryDiff, RevisionLabel } from '../diff/types.ts';
import { BlobReader } from './blobs.ts';
import { NoRegistryAtRevision, registryAt, type RegistryAtOptions } from './registry-at.ts';
import { NoRegistryFiles, ValidationError } from '../errors.ts';
import { openRepo, pathInRepo, resolveRevision } from './repo.ts';

export const WORKTREE = 'worktree';

export interface RegistrySide {
  registry: Registry;
  label: RevisionLabel;
}

export async function loadSide(spec: string, registryRoot: string, options: RegistryAtOptions = {}): Promise<RegistrySide> {
  if (spec === WORKTREE) return { registry: await loadRegistry(registryRoot), label: { ref: WORKTREE } };
  const { registry, revision } = await registryAt(spec, registryRoot, options);
  return { registry, label: { ref: spec, commit: revision.commit } };
}

/**
 * The base of a comparison. A base without the registry folder is the change that introduces it (the first pull
 * request of a repository adopting scopeguard): compared as an empty registry, judged by the default rules.
 */
export async function loadBaseSide(spec: string, registryRoot: string, options: RegistryAtOptions = {}): Promise<RegistrySide> {
  return loadSide(spec, registryRoot, options).catch(async (error: unknown) => {
    if (error instanceof ValidationError && spec !== WORKTREE) {
      const earlier = await lastLoadableBase(spec, registryRoot, options);
      if (earlier) return earlier;
    }
    if (!(error instanceof NoRegistryAtRevision)) throw error;
    return emptyBase(spec, registryRoot, (await resolveRevision(await openRepo(options.cwd), spec)).commit);
  });
}

function emptyRegistry(registryRoot: string): Registry {
  return { root: registryRoot, config: resolveConfig(), tenants: {}, files: [] };
}

function emptyBase(spec: string, registryRoot: string, commit: string): RegistrySide {
  return { registry: emptyRegistry(registryRoot), label: { ref: spec, commit, empty: true } };
}

/** How many earlier revisions of the registry a broken base looks through for one that loads. */
const LAST_LOADABLE_DEPTH = 100;

/**
 * A base whose registry does not load (a broken main, which the pull request under review may be repairing): the
 * registry at the newest earlier revision of its first-parent line where it loads, so the findings already there
 * stay `existing` and the repair can pass. A registry that never loaded compares as none; undefined when nothing
 * loads within LAST_LOADABLE_DEPTH revisions (the history may go further back), and the base's problems are reported.
 */
async function lastLoadableBase(spec: string, registryRoot: string, options: RegistryAtOptions): Promise<RegistrySide | undefined> {
  const cwd = options.cwd ?? process.cwd();
  const repo = await openRepo(cwd);
  const base = (await resolveRevision(repo, spec)).commit;
  const root = pathInRepo(repo, cwd, registryRoot);
  const log = await repo.git.raw(['log', '--first-parent', '--format=%H', '-n', String(LAST_LOADABLE_DEPTH), base, '--', root === '' ? '.' : root]);
  const revisions = log.split('\n').filter(Boolean);
  for (const commit of revisions) {
    try {
      const { registry } = await registryAt(commit, registryRoot, options);
      return { registry, label: { ref: spec, commit: base, loadedAt: commit } };
    } catch (error) {
      if (error instanceof NoRegistryAtRevision) return emptyBase(spec, registryRoot, base);
      if (!(error instanceof ValidationError)) throw error;
    }
  }
  // all of the registry's history was read (fewer revisions than asked for): it never loaded
  return revisions.length < LAST_LOADABLE_DEPTH ? emptyBase(spec, registryRoot, base) : undefined;
}

/**
 * Base and head loaded through one blob reader (see loadBaseSide for base). A head without the registry that base
 * has is the change that deletes it: compared as an empty registry, so every scope and client counts as removed.
 * When neither side has it, the folder named is wrong, and head's error says so.
 */
export async function loadSides(base: string, head: string, registryRoot: string): Promise<{ base: RegistrySide; head: RegistrySide }> {
  const repo = await openRepo();
  const reader = new BlobReader(repo.top);
  try {
    let headSide: RegistrySide | undefined;
    let headMissing: NoRegistryFiles | undefined;
    try {
      headSide = await loadSide(head, registryRoot, { reader });
    } catch (error) {
      if (!(error instanceof NoRegistryFiles)) throw error;
      headMissing = error;
    }
    const baseSide = await loadBaseSide(base, registryRoot, { reader });
    if (headMissing) {
      if (baseSide.label.empty) throw headMissing;
      const commit = head === WORKTREE ? undefined : (await resolveRevision(repo, head)).commit;
      headSide = { registry: emptyRegistry(registryRoot), label: { ref: head, ...(commit ? { commit } : {}), empty: true } };
    }
    return { base: baseSide, head: headSide! };
  } finally {
    reader.close();
  }
}

/** The semantic diff between two revisions (or a revision and the work tree): what `scopeguard diff` and the Action show. */
export async function diffRevisions(base: string, head: string, registryRoot: string): Promise<RegistryDiff> {
  const sides = await loadSides(base, head, registryRoot);
  return diffRegistries(sides.base.registry, sides.head.registry, { base: sides.base.label, head: sides.head.label });
}
