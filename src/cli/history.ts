/** `scopeguard history`: every commit that changed one scope or client, newest first, as semantic changes. */
import type { Command } from 'commander';
import { InputError, UsageError } from '../errors.ts';
import { concernsClient, concernsScope, walkRegistryCommits, type CommitChanges } from '../git/history.ts';
import { openRepo, pathInRepo } from '../git/repo.ts';
import { withJsonErrors, writeOutput } from './io.ts';

const FORMATS = ['text', 'json'] as const;

interface HistoryOptions {
  scope?: string;
  client?: string;
  tenant?: string;
  since?: string;
  registry: string;
  format: string;
  output?: string;
}

export interface HistoryEntry {
  commit: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  pr?: number;
  changes: Array<{ tenant: string; subject: string; kind: string; classification: string; detail: string }>;
}

export async function subjectHistory(options: { scope?: string; client?: string; tenant?: string; since?: string; registry: string }): Promise<HistoryEntry[]> {
  const name = options.scope ?? options.client ?? '';
  const concerns = options.scope !== undefined ? concernsScope : concernsClient;
  const repo = await openRepo();
  const root = pathInRepo(repo, process.cwd(), options.registry);
  const commits = await walkRegistryCommits(repo, { root, mentioning: name, ...(options.since ? { since: options.since } : {}) });
  if (commits.length === 0 && options.since === undefined) {
    throw new InputError(`no commit touches "${options.registry}"`, 'pass --registry DIR with the folder holding the scope YAML files (default: scopes)');
  }
  const entries: HistoryEntry[] = [];
  for (const commit of commits) {
    const changes = commit.changes.filter((c) => concerns(c, name) && (options.tenant === undefined || c.tenant === options.tenant));
    if (changes.length === 0) continue;
    entries.push(toEntry(commit, changes));
  }
  return entries;
}

function toEntry(commit: CommitChanges, changes: CommitChanges['changes']): HistoryEntry {
  return {
    commit: commit.commit,
    date: commit.date,
    author: commit.author,
    email: commit.email,
    subject: commit.subject,
    ...(commit.pr !== undefined ? { pr: commit.pr } : {}),
    changes: changes.map((c) => ({ tenant: c.tenant, subject: c.subject, kind: c.kind, classification: c.classification, detail: c.detail })),
  };
}

function formatText(entries: HistoryEntry[], what: string): string {
  if (entries.length === 0) return `no commits changed ${what}\n`;
  return entries
    .map((e) => {
      const head = `${e.date}  ${e.commit.slice(0, 12)}  ${e.author} <${e.email}>${e.pr !== undefined ? `  PR #${e.pr}` : ''}  ${e.subject}`;
      return [head, ...e.changes.map((c) => `    ${c.tenant}  ${c.detail}  [${c.classification}]`)].join('\n');
    })
    .join('\n') + '\n';
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('commits that changed a scope or client, newest first, with author, PR and the semantic change')
    .option('--scope <name>', 'the scope to follow')
    .option('--client <name>', 'the client to follow')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--since <date>', 'only commits since this date (YYYY-MM-DD)')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--output <file>', 'write to a file instead of stdout')
    .action(async (options: HistoryOptions) => {
      if ((options.scope === undefined) === (options.client === undefined)) throw new UsageError('give exactly one of --scope NAME or --client NAME');
      if (!(FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`unknown --format "${options.format}"`, `use one of: ${FORMATS.join(', ')}`);
      await withJsonErrors(options.format === 'json', async () => {
        const entries = await subjectHistory(options);
        const what = options.scope !== undefined ? `scope ${options.scope}` : `client ${options.client}`;
        writeOutput(options.format === 'json' ? JSON.stringify({ subject: what.replace(' ', ':'), commits: entries }, null, 2) : formatText(entries, what), options.output);
      });
    });
}
