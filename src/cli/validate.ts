/** `scopeguard validate`: the registry is either valid, or every problem is listed with its exact place. */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { collectReadRegistryProblems, readRegistrySources } from '../registry/load.ts';
import type { Registry } from '../registry/model.ts';
import { assertFormat, writeOutput } from './io.ts';
import { counted } from '../plural.ts';
import { jsonProblem } from '../report/json.ts';
import { formatProblemLine } from '../report/text.ts';
import { escapeTerminal, jsonOutput } from '../report/escape.ts';

const FORMATS = ['text', 'json'] as const;
type ValidateFormat = (typeof FORMATS)[number];

export interface RegistrySummary {
  tenants: number;
  scopes: number;
  clients: number;
  files: number;
}

export function summarize(registry: Registry): RegistrySummary {
  const tenants = Object.values(registry.tenants);
  return {
    tenants: tenants.length,
    scopes: tenants.reduce((sum, tenant) => sum + Object.keys(tenant.scopes).length, 0),
    clients: tenants.reduce((sum, tenant) => sum + Object.keys(tenant.clients).length, 0),
    files: registry.files.length,
  };
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check the scope registry: YAML, schemas and cross-references; lists every problem as file:line:column')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .action(async (options: { registry: string; format: string }) => {
      assertFormat(options.format, FORMATS);
      const format = options.format as ValidateFormat;
      let read: Awaited<ReturnType<typeof readRegistrySources>>;
      try {
        read = await readRegistrySources(options.registry);
      } catch (error) {
        // piped JSON stays parseable even when the folder itself is wrong
        if (format === 'json' && error instanceof InputError) {
          writeOutput(jsonOutput({ valid: false, error: error.message, hint: error.hint ?? null, problems: [] }, 2));
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      const { registry, problems } = collectReadRegistryProblems(options.registry, read);
      if (registry && problems.length === 0) {
        const summary = summarize(registry);
        writeOutput(
          format === 'json'
            ? jsonOutput({ valid: true, summary }, 2)
            : `valid: ${counted(summary.tenants, 'tenant')}, ${counted(summary.scopes, 'scope')}, ${counted(summary.clients, 'client')}, ${counted(summary.files, 'file')}`,
        );
        return;
      }
      writeOutput(
        format === 'json'
          ? jsonOutput({ valid: false, problems: problems.map(jsonProblem) }, 2)
          : `${problems.map(formatProblemLine).join('\n')}\n${counted(problems.length, 'problem')} in ${escapeTerminal(options.registry)}`,
      );
      process.exitCode = 2;
    });
}
