/** `scopeguard usage`: per client the granted scopes with issued/exercised counts, last use and a least-privilege score. */
import type { Command } from 'commander';
import { loadRegistry } from '../registry/load.ts';
import { USAGE_FORMATS, USAGE_FORMATTERS } from '../report/usage-table.ts';
import { assertRegistryClient, collectUsageFacts } from '../usage/analyze.ts';
import { leastPrivilege } from '../usage/least-privilege.ts';
import { assertFormat, writeOutput } from './io.ts';
import { addStoreOptions, storeOptions, type StoreFlags } from './usage-options.ts';
import { parseNow } from './now.ts';

interface UsageFlags extends StoreFlags {
  registry: string;
  client?: string;
  format: string;
  output?: string;
  now?: string;
}

export function registerUsage(program: Command): void {
  const command = program
    .command('usage')
    .description('per client: granted scopes, how often each was issued and exercised, last use, least-privilege score')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--client <name>', 'only this client (registry name or provider client id)')
    .option('--format <format>', `output format: ${USAGE_FORMATS.join(', ')}`, 'table')
    .option('--output <file>', 'write to a file instead of stdout')
    .option('--now <date>', 'the current instant for the window (default: now; SCOPEGUARD_NOW)');
  addStoreOptions(command).action(async (flags: UsageFlags) => {
    assertFormat(flags.format, USAGE_FORMATS);
    const options = storeOptions(flags);
    const now = parseNow(flags.now);
    const registry = await loadRegistry(flags.registry);
    if (flags.client) assertRegistryClient(registry, flags.client, flags.tenant);
    const facts = await collectUsageFacts(registry, options, now);
    const clients = facts.flatMap((f) => leastPrivilege(f, flags.client));
    const window = facts[0]?.window ?? { since: now.toISOString(), until: now.toISOString(), days: 0 };
    writeOutput(USAGE_FORMATTERS[flags.format]({ window, clients }), flags.output);
  });
}
