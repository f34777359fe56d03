/** What every diff format shares: where a change is, and how the compared revisions are named. */
import type { SourcePosition } from '../registry/model.ts';
import type { RegistryDiff } from '../diff/types.ts';
import { atRevision } from './formatter.ts';

export type DiffFormatter = (diff: RegistryDiff) => string;

/** `file:line`, and ` (at <commit>)` when it is base's line (an entry the change removed), as `check` writes it. */
export const changeLocation = (location?: SourcePosition): string => (location ? `${location.file}:${location.line}${atRevision(location)}` : '');

export const revisionLabel = (diff: RegistryDiff, side: 'base' | 'head'): string => {
  const label = diff[side];
  if (!label) return side;
  const notes = [
    label.tip ? `fork point ${label.commit?.slice(0, 12)}; ${label.ref} is now at ${label.tip.slice(0, 12)}` : label.commit?.slice(0, 12),
    label.empty ? (side === 'base' ? 'no registry yet' : 'registry removed') : undefined,
    label.loadedAt ? `does not load: compared with ${label.loadedAt.slice(0, 12)}` : undefined,
  ].filter(Boolean);
  return notes.length > 0 ? `${label.ref} (${notes.join(', ')})` : label.ref;
};
