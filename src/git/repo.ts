/**
 * The git repository a command runs in, and revisions in it: refs, tags, commits or dates. Reads history only;
 * nothing here checks out, stashes or writes to the work tree.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { InputError } from '../errors.ts';
import { didYouMean } from '../registry/suggest.ts';

export const SHALLOW_HINT = 'fetch more history: actions/checkout with fetch-depth: 0 (or `git fetch --unshallow`)';

export interface GitRepo {
  /** Absolute, symlinks resolved. */
  top: string;
  git: SimpleGit;
}

export async function openRepo(cwd: string = process.cwd()): Promise<GitRepo> {
  // loaded on first use: commands that never touch git (validate, check) start faster without it
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: cwd });
  let top: string;
  try {
    top = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    throw new InputError(`${cwd} is not inside a git repository`, 'run from a clone of the repository that holds the registry');
  }
  const real = realpathSync(top);
  return { top: real, git: simpleGit({ baseDir: real }) };
}

/** The registry root as a path inside the repository (`scopes`, `config/oauth/scopes`), given relative to `cwd`. */
export function pathInRepo(repo: GitRepo, cwd: string, registryRoot: string): string {
  const absolute = resolve(realpathSync(cwd), registryRoot);
  const inside = relative(repo.top, absolute);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new InputError(`registry root ${registryRoot} is outside the git repository at ${repo.top}`);
  }
  return inside.split(sep).join('/');
}

const DATE_SPEC = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date (`2026-06-01`, `2026-06-01T12:00:00Z`) rather than a ref; a bare date means midnight UTC. */
export function parseDateSpec(spec: string): Date | undefined {
  if (!DATE_SPEC.test(spec)) return undefined;
  const text = spec.length === 10 ? `${spec}T00:00:00Z` : /Z|[+-]\d{2}:?\d{2}$/.test(spec) ? spec.replace(' ', 'T') : `${spec.replace(' ', 'T')}Z`;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** True until the first commit: HEAD then names a branch that does not exist yet. */
export async function hasNoCommits(repo: GitRepo): Promise<boolean> {
  try {
    return (await repo.git.raw(['rev-parse', '--verify', '--quiet', 'HEAD'])).trim() === '';
  } catch {
    return true;
  }
}

/** What to say when history was asked of a repository that has none: git's own words ("bad revision 'HEAD'") do not. */
export function noCommitsError(repo: GitRepo): InputError {
  return new InputError(`the git repository at ${repo.top} has no commits yet`, 'commit the registry first (git add scopes && git commit), then compare or trace revisions');
}

export async function isShallow(repo: GitRepo): Promise<boolean> {
  return (await repo.git.revparse(['--is-shallow-repository'])).trim() === 'true';
}

export interface ResolvedRevision {
  /** As given. */
  spec: string;
  commit: string;
}

/**
 * Resolves a ref, tag, commit or date to a commit. A date is the last commit before that instant on the current
 * branch's first-parent line (what was merged then, not when a side branch happened to be written).
 */
export async function resolveRevision(repo: GitRepo, spec: string): Promise<ResolvedRevision> {
  if (spec.trim() === '' || spec.startsWith('-')) throw new InputError(`not a git revision: "${spec}"`);
  const date = parseDateSpec(spec);
  if (date) {
    // git's --before is inclusive; one second less makes it "before that instant"
    const seconds = Math.ceil(date.getTime() / 1000) - 1;
    let commit = '';
    try {
      commit = (await repo.git.raw(['rev-list', '-1', '--first-parent', `--before=${seconds}`, 'HEAD'])).trim();
    } catch (error) {
      if (await hasNoCommits(repo)) throw noCommitsError(repo);
      throw new InputError(`cannot list commits before ${spec}: ${firstLine(error)}`);
    }
    if (commit === '') {
      if (await isShallow(repo)) throw new InputError(`no commit before ${spec} in this shallow clone`, SHALLOW_HINT);
      throw new InputError(`no commit before ${spec} on the current branch`, 'pick a later date or a ref');
    }
    return { spec, commit };
  }
  try {
    const commit = (await repo.git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${spec}^{commit}`])).trim();
    if (commit !== '') return { spec, commit };
  } catch {
    // fall through to the explanation below
  }
  if (await hasNoCommits(repo)) throw noCommitsError(repo);
  if (await isShallow(repo)) {
    throw new InputError(`unknown revision "${spec}": it is not in this shallow clone`, SHALLOW_HINT);
  }
  throw new InputError(`unknown revision "${spec}"`, (await closestRef(repo, spec)) ?? 'give a branch, tag, commit or a date such as 2026-06-01');
}

/**
 * Where `head` left `base`: their merge base, when base has commits head does not (the base branch moved on after
 * head branched off). Undefined when base is already an ancestor of head, or git cannot tell (a shallow clone
 * without the fork point, unrelated histories): the comparison then uses base itself.
 */
export async function forkPoint(repo: GitRepo, base: string, head: string): Promise<string | undefined> {
  let mergeBase: string;
  try {
    mergeBase = (await repo.git.raw(['merge-base', base, head])).trim();
  } catch {
    return undefined;
  }
  return mergeBase !== '' && mergeBase !== base ? mergeBase : undefined;
}

/** "did you mean" among the repository's branches (local and remote) and tags, for a misspelt revision. */
async function closestRef(repo: GitRepo, spec: string): Promise<string | undefined> {
  try {
    const refs = (await repo.git.raw(['for-each-ref', '--format=%(refname:short)', 'refs/heads', 'refs/remotes', 'refs/tags'])).split('\n').filter(Boolean);
    return didYouMean(spec, refs);
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
