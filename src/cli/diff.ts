/** `scopeguard diff`: what changed in the registry between two revisions, by meaning, classified. */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { diffRevisions, WORKTREE } from '../git/side.ts';
import { DIFF_FORMATTERS, type DiffFormat } from '../report/diff-formats.ts';
import { assertFormat, withFormattedErrors, writeOutput } from './io.ts';

export interface SideOptions {
  base: string;
  head?: string;
  worktree?: boolean;
}

/** `--head REF` or `--worktree` (the default: what is checked out, edits included). */
export function headSpec(options: SideOptions): string {
  if (options.head !== undefined && options.worktree) throw new UsageError('give --head REF or --worktree, not both');
  return options.head ?? WORKTREE;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('semantic diff of the registry between two revisions (refs, commits or dates): added, removed, widened, narrowed')
    .requiredOption('--base <ref>', 'base revision: branch, tag, commit or date (YYYY-MM-DD)')
    .option('--head <ref>', 'head revision (default: the work tree)')
    .option('--worktree', 'compare with the work tree, uncommitted edits included (the default)')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--format <format>', `output format: ${Object.keys(DIFF_FORMATTERS).join(', ')}`, 'text')
    .option('--output <file>', 'write to a file instead of stdout')
    .action(async (options: SideOptions & { registry: string; format: string; output?: string }) => {
      assertFormat(options.format, Object.keys(DIFF_FORMATTERS) as DiffFormat[]);
      const head = headSpec(options);
      await withFormattedErrors(options.format, options.output, async () => {
        const diff = await diffRevisions(options.base, head, options.registry);
        writeOutput(DIFF_FORMATTERS[options.format as DiffFormat](diff), options.output);
      });
    });
}
