/** One side of a comparison: the registry at a revision, or in the work tree (what a PR checkout holds). */
import { loadRegistry } from '../registry/load.ts';
import type { Registry } from '../registry/model.ts';
import { diffRegistries } from '../diff/diff.ts';
import type { RegistryDiff, RevisionLabel } from '../diff/types.ts';
import { BlobReader } from './blobs.ts';
import { registryAt } from './registry-at.ts';
import { openRepo } from './repo.ts';

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

/** Base and head loaded through one blob reader. */
export async function loadSides(base: string, head: string, registryRoot: string): Promise<{ base: RegistrySide; head: RegistrySide }> {
  const repo = await openRepo();
  const reader = new BlobReader(repo.top);
  try {
    return { base: await loadSide(base, registryRoot, reader), head: await loadSide(head, registryRoot, reader) };
  } finally {
    reader.close();
  }
}

/** The semantic diff between two revisions (or a revision and the work tree): what `scopeguard diff` and the Action show. */
export async function diffRevisions(base: string, head: string, registryRoot: string): Promise<RegistryDiff> {
  const sides = await loadSides(base, head, registryRoot);
  return diffRegistries(sides.base.registry, sides.head.registry, { base: sides.base.label, head: sides.head.label });
}
