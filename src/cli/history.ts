/** `scopeguard history`: every commit that changed one scope or client, newest first, as semantic changes. */
import { isFileNote } from '../diff/types.ts';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { subjectHistory, type HistoryEntry } from '../git/history.ts';
import { loadRegistry } from '../registry/load.ts';
import type { Registry } from '../registry/model.ts';
import { didYouMean } from '../registry/suggest.ts';
import { escapeTerminal, jsonOutput } from '../report/escape.ts';
import { assertFormat, withFormattedErrors, writeOutput } from './io.ts';

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

function formatText(entries: HistoryEntry[], what: string): string {
  if (entries.length === 0) return `no commits changed ${what}\n`;
  return entries
    .map((e) => {
      // author, email and subject come from git, details from YAML: none of it may drive the terminal
      const landed = e.landed ? `  (landed ${e.landed})` : '';
      const head = `${e.date}${landed}  ${e.commit.slice(0, 12)}  ${e.author} <${e.email}>${e.pr !== undefined ? `  PR #${e.pr}` : ''}  ${e.subject}`;
      const line = (c: HistoryEntry['changes'][number]) => (isFileNote(c) ? `    ${c.tenant || '(tenant unknown)'}  note: ${c.detail}` : `    ${c.tenant}  ${c.detail}  [${c.classification}]`);
      return [head, ...e.changes.map(line)].map((text) => escapeTerminal(text)).join('\n');
    })
    .join('\n') + '\n';
}

/**
 * No commit changed the subject: most often a misspelt name. When today's registry has no such scope or client
 * either, say so with the closest name (a warning only: an old name, or one cut off by --since or a shallow clone,
 * is not an error). A registry that does not load says nothing here: `validate` reports it.
 */
async function warnIfUnknown(options: HistoryOptions): Promise<void> {
  let registry: Registry;
  try {
    registry = await loadRegistry(options.registry);
  } catch {
    return;
  }
  const kind = options.scope !== undefined ? 'scope' : 'client';
  const name = (options.scope ?? options.client)!;
  const tenants = Object.values(registry.tenants).filter((tenant) => options.tenant === undefined || tenant.name === options.tenant);
  const names = new Set(tenants.flatMap((tenant) => Object.keys(kind === 'scope' ? tenant.scopes : tenant.clients)));
  if (names.has(name)) return;
  const suggestion = didYouMean(name, names);
  process.stderr.write(escapeTerminal(`scopeguard: the registry has no ${kind} "${name}"${options.tenant !== undefined ? ` in tenant ${options.tenant}` : ''}${suggestion ? `; ${suggestion}` : ''}`) + '\n');
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
      assertFormat(options.format, FORMATS);
      await withFormattedErrors(options.format, options.output, async () => {
        const entries = await subjectHistory(options);
        const what = options.scope !== undefined ? `scope ${options.scope}` : `client ${options.client}`;
        if (entries.length === 0) await warnIfUnknown(options);
        writeOutput(options.format === 'json' ? jsonOutput({ subject: what.replace(' ', ':'), commits: entries }, 2) : formatText(entries, what), options.output);
      });
    });
}
