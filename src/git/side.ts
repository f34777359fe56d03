/** One side of a comparison: the registry at a revision, or in the work tree (what a PR checkout holds). */
import { loadRegistry, resolveConfig } from '../registry/load.ts';
import type { Registry } from '../registry/model.ts';
import { diffRegistries } from '../diff/diff.ts';
import type { RegistryDiff, RevisionLabel } from '../diff/types.ts';
import { BlobReader } from './blobs.ts';
import { NoRegistryAtRevision, registryAt } from './registry-at.ts';
import { openRepo, resolveRevision } from './repo.ts';

export const WORKTREE = 'worktree';

export interface RegistrySide {
  registry: Registry;
  label: RevisionLabel;
}

export async function loadSide(spec: string, registryRoot: string, reader?: BlobReader): Promise<RegistrySide> {
  if (spec === WORKTREE) return { registry: await loadRegistry(registryRoot), label: { ref: WORKTREE } };
  const { registry, revision } = await registryAt(spec, registryRoot, reader ? { reader } : {});
  return { registry, label: { ref: spec, commit: revision.commit } };
}

/**
 * Base and head loaded through one blob reader. Head must hold a registry; a base without one is the change that
 * introduces it (the first pull request of a repository adopting scopeguard), compared as an empty registry.
 */
export async function loadSides(base: string, head: string, registryRoot: string): Promise<{ base: RegistrySide; head: RegistrySide }> {
  const repo = await openRepo();
  const reader = new BlobReader(repo.top);
  try {
    const headSide = await loadSide(head, registryRoot, reader);
    const baseSide = await loadSide(base, registryRoot, reader).catch(async (error: unknown) => {
      if (!(error instanceof NoRegistryAtRevision)) throw error;
      const revision = await resolveRevision(repo, base);
      return { registry: emptyRegistry(registryRoot), label: { ref: base, commit: revision.commit, empty: true } };
    });
    return { base: baseSide, head: headSide };
  } finally {
    reader.close();
  }
}

/** What a revision without the registry folder holds: no tenants, default settings. */
export function emptyRegistry(root: string): Registry {
  return { root, config: resolveConfig(), tenants: {}, files: [] };
}

/** The semantic diff between two revisions (or a revision and the work tree): what `scopeguard diff` and the Action show. */
export async function diffRevisions(base: string, head: string, registryRoot: string): Promise<RegistryDiff> {
  const sides = await loadSides(base, head, registryRoot);
  return diffRegistries(sides.base.registry, sides.head.registry, { base: sides.base.label, head: sides.head.label });
}
