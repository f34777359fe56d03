/** One side of a comparison: the registry at a revision, or in the work tree (what a PR checkout holds). */
import { loadRegistry, resolveConfig } from '../registry/load.ts';
import type { Registry } from '../registry/model.ts';
import { diffRegistries } from '../diff/diff.ts';
import type { RegistryDiff, RevisionLabel } from '../diff/types.ts';
import { BlobReader } from './blobs.ts';
import { NoRegistryAtRevision, registryAt, type RegistryAtOptions } from './registry-at.ts';
import { openRepo, resolveRevision } from './repo.ts';

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
    if (!(error instanceof NoRegistryAtRevision)) throw error;
    const revision = await resolveRevision(await openRepo(options.cwd), spec);
    const registry: Registry = { root: registryRoot, config: resolveConfig(), tenants: {}, files: [] };
    return { registry, label: { ref: spec, commit: revision.commit, empty: true } };
  });
}

/** Base and head loaded through one blob reader; head must hold a registry (see loadBaseSide for base). */
export async function loadSides(base: string, head: string, registryRoot: string): Promise<{ base: RegistrySide; head: RegistrySide }> {
  const repo = await openRepo();
  const reader = new BlobReader(repo.top);
  try {
    const headSide = await loadSide(head, registryRoot, { reader });
    return { base: await loadBaseSide(base, registryRoot, { reader }), head: headSide };
  } finally {
    reader.close();
  }
}

/** The semantic diff between two revisions (or a revision and the work tree): what `scopeguard diff` and the Action show. */
export async function diffRevisions(base: string, head: string, registryRoot: string): Promise<RegistryDiff> {
  const sides = await loadSides(base, head, registryRoot);
  return diffRegistries(sides.base.registry, sides.head.registry, { base: sides.base.label, head: sides.head.label });
}
