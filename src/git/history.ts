/**
 * Who changed what, commit by commit. Walks only the commits that touch the registry root (`git log -- <root>`),
 * and for each compares the fragments of the blobs it changed, parsed once per blob. A scope that moves to
 * another file appears on both sides of that commit and so does not look removed and re-added.
 */
import { diffRegistries, type RegistryTenants } from '../diff/diff.ts';
import { belongsToTenant, isFileNote, type RegistryChange } from '../diff/types.ts';
import { InputError } from '../errors.ts';
import { BlobReader } from './blobs.ts';
import { isUnreadable, mergeFragments, parseFragment, type UnreadableFile } from './fragments.ts';
import { decodeRegistryFile } from '../registry/load.ts';
import { tenantsNamedIn } from '../registry/yaml-source.ts';
import { isRegistryFile, registryFilesAt } from './registry-at.ts';
import { hasNoCommits, noCommitsError, openRepo, parseDateSpec, pathInRepo, type GitRepo } from './repo.ts';

const NO_BLOB = /^0+$/;

export interface CommitInfo {
  commit: string;
  parents: string[];
  author: string;
  email: string;
  /** Author date, ISO-8601 with offset as git gives it. */
  date: string;
  /**
   * When the commit landed on the branch walked: its committer date when it is on the branch's first-parent line,
   * else the committer date of the merge that brought it in. `--since` and report periods go by this date, as
   * `show --at` does: a commit written in February and merged in July changed the branch in July.
   */
  landed?: string;
  /** Committer date. */
  committed?: string;
  subject: string;
  /** Pull request number from "Merge pull request #12" / "Title (#12)" or from the merge that brought the commit in. */
  pr?: number;
}

export interface ChangedFile {
  path: string;
  before?: string;
  after?: string;
}

export interface CommitChanges extends CommitInfo {
  files: ChangedFile[];
  /** The semantic changes this commit made, compared with its (first) parent. */
  changes: RegistryChange[];
  /** The entries of the files it changed, as they were before and after it (partial registries). */
  before: RegistryTenants;
  after: RegistryTenants;
}

export interface WalkOptions {
  /** Path of the registry root inside the repository ('' for the repository root). */
  root: string;
  /** A `git log` revision range (`base..head`) or a single ref; default HEAD. */
  range?: string;
  since?: string;
  /** Only blobs whose text contains this string are parsed: a name absent from both sides cannot have changed. */
  mentioning?: string;
  reader?: BlobReader;
}

const PR_IN_MESSAGE = [/^Merge pull request #(\d+)\b/, /\(#(\d+)\)\s*$/];

export function pullRequestNumber(subject: string): number | undefined {
  for (const pattern of PR_IN_MESSAGE) {
    const match = pattern.exec(subject);
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
}

const FIELD = '\x1f';
const RECORD = '\x1e';
const FORMAT = `${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%cI${FIELD}%s`;
/** `git log` of commits with the blobs of the files they changed, as parseLog reads it. */
const LOG = ['-c', 'core.quotePath=false', 'log', `--format=${FORMAT}`, '--raw', '--no-abbrev', '--no-renames'];

/** Commits that touch the registry root, newest first, with the semantic change each made. */
export async function walkRegistryCommits(repo: GitRepo, options: WalkOptions): Promise<CommitChanges[]> {
  const since = options.since === undefined ? undefined : parseDateSpec(options.since);
  if (options.since !== undefined && !since) throw new InputError(`--since "${options.since}" is not a date`, 'write it as YYYY-MM-DD');
  const range = options.range ?? 'HEAD';
  const tip = range.includes('..') ? range.slice(range.indexOf('..') + 2) || 'HEAD' : range;
  let output: string;
  try {
    // what landed on the branch since then: everything after its newest first-parent commit from before that date
    // (git's own --since would go by each commit's date and miss a commit written earlier but merged since)
    const boundary = since ? (await repo.git.raw(['rev-list', '-1', '--first-parent', `--before=${Math.floor(since.getTime() / 1000) - 1}`, tip])).trim() : '';
    output = await repo.git.raw([...LOG, boundary ? `${boundary}..${tip}` : range, '--', options.root === '' ? '.' : options.root]);
  } catch (error) {
    if (await hasNoCommits(repo)) throw noCommitsError(repo);
    throw error;
  }
  const walked = parseLog(output, options.root);
  await attachLandingDates(repo, walked, tip);
  const commits = since ? walked.filter((commit) => Date.parse(commit.landed ?? commit.date) >= since.getTime()) : walked;
  const reader = options.reader ?? new BlobReader(repo.top);
  try {
    // ask for every blob up front: cat-file answers them in one stream instead of one round trip per commit
    const ids = [...new Set(commits.flatMap((commit) => commit.files.flatMap((file) => [file.before, file.after])))].filter((id): id is string => id !== undefined);
    const contents = new Map<string, DecodedBlob>();
    await Promise.all(ids.map((id) => decodedBlob(reader, contents, id)));
    const wanted = options.mentioning;
    const mentions = (blob: string | undefined): boolean => {
      const decoded = contents.get(blob ?? '');
      return decoded !== undefined && (wanted === undefined || mayMention(decoded, wanted));
    };
    const fragment = (file: ChangedFile, blob: string | undefined): RegistryTenants | UnreadableFile | undefined => {
      const decoded = blob === undefined ? undefined : contents.get(blob);
      return blob === undefined || decoded === undefined ? undefined : fragmentFor(blob, file.path, decoded);
    };
    const tenantsOf = (blob: string | undefined) => (contents.get(blob ?? '')?.tenants ?? [undefined]).map((tenant) => tenant ?? '');
    const result: CommitChanges[] = [];
    let actionFiles: Map<string, Set<string>> | undefined;
    for (const commit of commits) {
      const beforeParts: RegistryTenants[] = [];
      const afterParts: RegistryTenants[] = [];
      const notes: RegistryChange[] = [];
      for (const file of commit.files) {
        // both sides of a file are parsed when either mentions the name, so an edit never looks like an addition
        if (wanted !== undefined && !mentions(file.before) && !mentions(file.after)) continue;
        const after = fragment(file, file.after);
        let before = fragment(file, file.before);
        // A commit that breaks a file did not remove what the file defines, and edits of a broken file change nothing
        // anyone can read: the changes are shown where it parses again, against its last version that parsed.
        if (after && isUnreadable(after)) {
          if (!before || !isUnreadable(before)) {
            notes.push(...fileNotes(tenantsOf(file.after), file.path, 'file.unreadable', `${file.path} does not parse from here (${after.unreadable}); its changes show where it parses again`));
          }
          continue;
        }
        if (before && isUnreadable(before)) {
          const last = await lastReadableVersion(repo, reader, options.root, commit.commit, file.path);
          if (after) {
            const since = last ? `changes since its last version that parsed (${last.commit.slice(0, 12)})` : 'no earlier version of it parses, so all of it counts as new';
            notes.push(...fileNotes(tenantsOf(file.after), file.path, 'file.readable-again', `${file.path} parses again: ${since}`));
          }
          before = last?.fragment;
        }
        if (before) beforeParts.push(before);
        if (after) afterParts.push(after);
      }
      let before = mergeFragments(beforeParts);
      let after = mergeFragments(afterParts);
      let diffed = beforeParts.length === 0 && afterParts.length === 0 ? [] : diffRegistries(before, after).changes;
      const changedPaths = new Set(commit.files.map((file) => file.path));
      const remapped = remappedScopes(diffed, wanted);
      if (remapped.size > 0) actionFiles ??= await filesMappingActions(repo, reader, options.root, commits, contents, wanted);
      // most scopes are mapped in one file: only those mapped elsewhere too need the rest of the tree
      const mappedElsewhere = new Set([...remapped].filter((key) => [...(actionFiles?.get(key) ?? [])].some((path) => !changedPaths.has(path))));
      if (mappedElsewhere.size > 0) {
        const unchanged = await unchangedActions(repo, reader, commit.commit, changedPaths, options.root, mappedElsewhere, contents);
        before = mergeFragments([before, unchanged]);
        after = mergeFragments([after, unchanged]);
        diffed = diffRegistries(before, after).changes;
      }
      result.push({ ...commit, changes: [...notes, ...diffed], before, after });
    }
    await attachPullRequests(repo, result);
    return result;
  } finally {
    if (!options.reader) reader.close();
  }
}

/** Tenant and scope (`tenant\0scope`) of each scope whose action list a change touched; only `wanted`, if given. */
function remappedScopes(changes: readonly RegistryChange[], wanted: string | undefined): Set<string> {
  const scopes = new Set<string>();
  for (const change of changes) {
    if (change.kind !== 'action.added' && change.kind !== 'action.removed') continue;
    const scope = change.subject.slice('scope:'.length, change.subject.indexOf('/action:'));
    if (wanted === undefined || scope === wanted) scopes.add(`${change.tenant}\0${scope}`);
  }
  return scopes;
}

/**
 * The files that map actions for each scope (`tenant\0scope` → paths) in any version the walk can meet: the files
 * at its newest commit and every version its commits changed. A file as it is at some commit of the walk either
 * stays so up to the newest commit or is changed by a later commit, so it is among them.
 */
async function filesMappingActions(
  repo: GitRepo,
  reader: BlobReader,
  root: string,
  commits: ReadonlyArray<{ commit: string; files: ChangedFile[] }>,
  contents: Map<string, DecodedBlob>,
  wanted: string | undefined,
): Promise<Map<string, Set<string>>> {
  const versions = commits.flatMap((commit) => commit.files.flatMap((file) => [file.before, file.after].filter((blob): blob is string => blob !== undefined).map((blob) => ({ path: file.path, blob }))));
  if (commits[0]) versions.push(...(await registryFilesAt(repo, commits[0].commit, root)));
  await Promise.all(versions.map(({ blob }) => decodedBlob(reader, contents, blob)));
  const index = new Map<string, Set<string>>();
  for (const { path, blob } of versions) {
    const decoded = contents.get(blob);
    if (!decoded?.searchText.includes('ActionMap') || (wanted !== undefined && !mayMention(decoded, wanted))) continue;
    const fragment = fragmentFor(blob, path, decoded);
    if (isUnreadable(fragment)) continue;
    for (const [tenant, part] of Object.entries(fragment.tenants)) {
      for (const scope of Object.keys(part.actions)) {
        const key = `${tenant}\0${scope}`;
        let paths = index.get(key);
        if (!paths) index.set(key, (paths = new Set()));
        paths.add(path);
      }
    }
  }
  return index;
}

/**
 * A scope's actions may be mapped in several files, and a commit's changed files hold only their part of the list:
 * a pattern moved between files over two commits would look added by one and removed by the other, and a pattern
 * another file already covers would look like a widening. The files the commit left alone map the same patterns on
 * both sides of it, so their patterns for the scopes the commit remapped are added to both sides before judging.
 */
async function unchangedActions(
  repo: GitRepo,
  reader: BlobReader,
  commit: string,
  changed: ReadonlySet<string>,
  root: string,
  scopes: ReadonlySet<string>,
  contents: Map<string, DecodedBlob>,
): Promise<RegistryTenants> {
  const parts: RegistryTenants[] = [];
  for (const file of await registryFilesAt(repo, commit, root)) {
    if (changed.has(file.path)) continue;
    const decoded = await decodedBlob(reader, contents, file.blob);
    if (!decoded?.searchText.includes('ActionMap')) continue;
    const fragment = fragmentFor(file.blob, file.path, decoded);
    if (isUnreadable(fragment)) continue;
    const tenants: RegistryTenants['tenants'] = {};
    for (const [name, tenant] of Object.entries(fragment.tenants)) {
      const actions = Object.fromEntries(Object.entries(tenant.actions).filter(([scope]) => scopes.has(`${name}\0${scope}`)));
      if (Object.keys(actions).length > 0) tenants[name] = { name, scopes: {}, actions, clients: {}, exceptions: [] };
    }
    parts.push({ tenants });
  }
  return mergeFragments(parts);
}

/** One note per tenant the file names (they filter by tenant), or one of no tenant. */
function fileNotes(tenants: readonly string[], path: string, kind: 'file.unreadable' | 'file.readable-again', detail: string): RegistryChange[] {
  return tenants.map((tenant) => ({ tenant, subject: `file:${path}`, kind, classification: 'neutral', detail }));
}

/**
 * The newest version of a file before `commit` on its first-parent line that parses, for the commit that repairs it;
 * undefined when none does within the history at hand (it was created broken, or the clone is shallow).
 */
async function lastReadableVersion(
  repo: GitRepo,
  reader: BlobReader,
  root: string,
  commit: string,
  path: string,
): Promise<{ commit: string; fragment: RegistryTenants } | undefined> {
  let output: string;
  try {
    output = await repo.git.raw([...LOG, '--first-parent', '-n', String(LAST_READABLE_DEPTH), `${commit}^`, '--', path]);
  } catch {
    return undefined; // a root commit has no parent
  }
  for (const earlier of parseLog(output, root)) {
    const file = earlier.files.find((changed) => changed.path === path);
    if (!file) continue;
    if (file.after === undefined) return undefined; // deleted before: nothing earlier to compare with
    const bytes = await reader.read(file.after);
    if (bytes === undefined) continue;
    const fragment = fragmentFor(file.after, path, decodeBlob(bytes));
    if (!isUnreadable(fragment)) return { commit: earlier.commit, fragment };
  }
  return undefined;
}

/** How far back the repair of a broken file looks for a version that parses. */
const LAST_READABLE_DEPTH = 200;

/** A blob as a registry file: its text, or why it has none (not UTF-8); text to search either way; its tenants. */
type DecodedBlob = ({ text: string } | { refused: string }) & { searchText: string; tenants: Array<string | undefined> };

function decodeBlob(bytes: Buffer): DecodedBlob {
  // the path only matters to the problem's position, which the note does not show
  const decoded = decodeRegistryFile('', bytes);
  return 'content' in decoded
    ? { text: decoded.content, searchText: decoded.content, tenants: tenantsNamedIn(decoded.content) }
    : { refused: decoded.problem.message, searchText: decoded.looseText, tenants: decoded.unread };
}

/** A blob decoded, read once into `contents`; undefined when git has no such blob. */
async function decodedBlob(reader: BlobReader, contents: Map<string, DecodedBlob>, blob: string): Promise<DecodedBlob | undefined> {
  let decoded = contents.get(blob);
  if (!decoded) {
    const bytes = await reader.read(blob);
    if (bytes !== undefined) contents.set(blob, (decoded = decodeBlob(bytes)));
  }
  return decoded;
}

/**
 * Whether a blob may name `wanted`: its text holds the name, or it has a backslash, which may start a YAML escape
 * that spells it (`"caf\u00e9.read"` is café.read; PyYAML writes non-ASCII names so by default).
 */
function mayMention(decoded: DecodedBlob, wanted: string): boolean {
  return decoded.searchText.includes(wanted) || decoded.searchText.includes('\\');
}

const fragmentCache = new Map<string, RegistryTenants | UnreadableFile>();

/** Parsed once per blob id (the path only labels locations, and a blob's content never changes). */
function fragmentFor(blob: string, path: string, decoded: DecodedBlob): RegistryTenants | UnreadableFile {
  const key = `${blob}:${path}`;
  let fragment = fragmentCache.get(key);
  if (!fragment) {
    fragment = 'refused' in decoded ? { unreadable: decoded.refused } : parseFragment(path, decoded.text);
    fragmentCache.set(key, fragment);
  }
  return fragment;
}

function parseLog(output: string, root: string): Array<CommitInfo & { files: ChangedFile[] }> {
  const commits: Array<CommitInfo & { files: ChangedFile[] }> = [];
  for (const record of output.split(RECORD)) {
    if (record.trim() === '') continue;
    const [header = '', ...lines] = record.split('\n');
    const [commit = '', parents = '', author = '', email = '', date = '', committed = '', subject = ''] = header.split(FIELD);
    const files: ChangedFile[] = [];
    for (const line of lines) {
      if (!line.startsWith(':')) continue;
      const tab = line.indexOf('\t');
      const [, , before = '', after = ''] = line.slice(1, tab).split(' ');
      const path = unquote(line.slice(tab + 1));
      const insideRoot = root === '' ? path : path.startsWith(`${root}/`) ? path.slice(root.length + 1) : undefined;
      if (insideRoot === undefined || !isRegistryFile(insideRoot)) continue;
      files.push({ path, ...(NO_BLOB.test(before) ? {} : { before }), ...(NO_BLOB.test(after) ? {} : { after }) });
    }
    const pr = pullRequestNumber(subject);
    commits.push({ commit, parents: parents.split(' ').filter(Boolean), author, email, date, committed, subject, ...(pr !== undefined ? { pr } : {}), files });
  }
  return commits;
}

/** git quotes paths with unusual characters as C strings. */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  try {
    return JSON.parse(path) as string;
  } catch {
    return path.slice(1, -1);
  }
}

/** Sets `landed` on each commit: see CommitInfo.landed. */
async function attachLandingDates(repo: GitRepo, commits: CommitInfo[], tip: string): Promise<void> {
  if (commits.length === 0) return;
  const firstParentLine = new Set((await repo.git.raw(['rev-list', '--first-parent', tip])).split('\n').filter(Boolean));
  for (const commit of commits) {
    if (firstParentLine.has(commit.commit)) {
      commit.landed = commit.committed ?? commit.date;
      continue;
    }
    // the oldest first-parent commit that descends from it is the merge that brought it in
    const line = (await repo.git.raw(['log', '--first-parent', '--ancestry-path', `--format=%cI`, `${commit.commit}..${tip}`])).trim().split('\n');
    commit.landed = line.at(-1) || commit.committed || commit.date;
  }
}

/** Commits merged by "Merge pull request #N" get N, unless their own message names one. */
async function attachPullRequests(repo: GitRepo, commits: CommitInfo[]): Promise<void> {
  const missing = commits.filter((c) => c.pr === undefined && c.parents.length === 1);
  if (missing.length === 0) return;
  const wanted = new Map(missing.map((c) => [c.commit, c]));
  const merges = await repo.git.raw(['log', '--merges', `--format=%H${FIELD}%P${FIELD}%s`, 'HEAD']);
  for (const line of merges.split('\n')) {
    if (wanted.size === 0) return;
    const [, parents = '', subject = ''] = line.split(FIELD);
    const pr = pullRequestNumber(subject);
    const [first, second] = parents.split(' ');
    if (pr === undefined || !first || !second) continue;
    const brought = await repo.git.raw(['rev-list', second, `^${first}`]);
    for (const commit of brought.split('\n')) {
      const info = wanted.get(commit.trim());
      if (info) {
        info.pr = pr;
        wanted.delete(commit.trim());
      }
    }
  }
}

/**
 * True when a change concerns the scope `name`: the scope, its actions, grants of it, exceptions about it, and a
 * client added or removed holding it (a grant made or revoked along with its client).
 */
export function concernsScope(change: RegistryChange, name: string): boolean {
  const s = change.subject;
  if (s === `scope:${name}` || s.startsWith(`scope:${name}/action:`) || s.endsWith(`/scope:${name}`)) return true;
  if (change.kind !== 'client.added' && change.kind !== 'client.removed') return false;
  const client = (change.kind === 'client.added' ? change.after : change.before) as { scopes?: unknown } | undefined;
  return Array.isArray(client?.scopes) && client.scopes.includes(name);
}

/** True when a change concerns the client `name`: the client, its grants, exceptions about it. */
export function concernsClient(change: RegistryChange, name: string): boolean {
  const s = change.subject;
  if (s === `client:${name}` || s.startsWith(`client:${name}/`)) return true;
  return s.startsWith('exception:') && (s.includes(`/client:${name}/`) || s.endsWith(`/client:${name}`));
}

/** One commit as `history` and the compliance report show it: who, when, which PR, and the semantic changes. */
export interface HistoryEntry {
  commit: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  pr?: number;
  /** When it reached the branch, if another day than `date` (merged later, or rebased): see CommitInfo.landed. */
  landed?: string;
  changes: Array<{ tenant: string; subject: string; kind: string; classification: string; detail: string }>;
}

/** The commits with at least one change that `keep` accepts, each with only those changes. */
export function historyEntries(commits: readonly CommitChanges[], keep: (change: RegistryChange) => boolean): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const commit of commits) {
    const changes = commit.changes.filter(keep);
    if (changes.length === 0) continue;
    entries.push({
      commit: commit.commit,
      date: commit.date,
      author: commit.author,
      email: commit.email,
      subject: commit.subject,
      ...(commit.pr !== undefined ? { pr: commit.pr } : {}),
      ...(commit.landed !== undefined && utcDay(commit.landed) !== utcDay(commit.date) ? { landed: commit.landed } : {}),
      changes: changes.map((c) => ({ tenant: c.tenant, subject: c.subject, kind: c.kind, classification: c.classification, detail: c.detail })),
    });
  }
  return entries;
}

const utcDay = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

/** Every commit that changed one scope or client (of one tenant, if given), newest first. */
export async function subjectHistory(options: { scope?: string; client?: string; tenant?: string; since?: string; registry: string }): Promise<HistoryEntry[]> {
  const name = options.scope ?? options.client ?? '';
  const concerns = options.scope !== undefined ? concernsScope : concernsClient;
  const repo = await openRepo();
  const root = pathInRepo(repo, process.cwd(), options.registry);
  const commits = await walkRegistryCommits(repo, { root, mentioning: name, ...(options.since ? { since: options.since } : {}) });
  if (commits.length === 0 && options.since === undefined) {
    throw new InputError(`no commit touches "${options.registry}"`, 'pass --registry DIR with the folder holding the scope YAML files (default: scopes)');
  }
  // the walk parsed only files that mention the name, so a note about one of them belongs to its history
  return historyEntries(commits, (c) => (concerns(c, name) || isFileNote(c)) && (options.tenant === undefined || belongsToTenant(c, options.tenant)));
}
