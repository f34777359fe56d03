/** What the file system refused, in words: a path in the way or not writable is the user's to fix, not a bug. */
import { resolve } from 'node:path';
import { displayPath } from './registry/load.ts';

const FILE_SYSTEM_REFUSALS: Record<string, string> = {
  ENOTDIR: 'a file is in the way of a folder on that path',
  EEXIST: 'a file is in the way of a folder on that path',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large for the file system',
};

/** The refusal as one line naming the path (`cannot write out/x.sarif: permission denied`), or undefined for any other error. */
export function fileSystemProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  const refusal = code === undefined ? undefined : FILE_SYSTEM_REFUSALS[code];
  if (refusal === undefined) return undefined;
  const attempt = syscall === 'mkdir' ? 'cannot create the folder' : syscall === 'open' || syscall === 'write' ? 'cannot write' : 'cannot use';
  // a write that fails once the file is open (a full disk) names no path
  return path === undefined ? `${attempt}: ${refusal}` : `${attempt} ${displayPath(resolve(path))}: ${refusal}`;
}
