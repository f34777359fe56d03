/** `scopeguard rightsize`: propose (and with --write, make) the removal of scopes clients do not use. */
import type { Command } from 'commander';
import { loadRegistry } from '../registry/load.ts';
import { assertRegistryClient, collectUsageFacts } from '../usage/analyze.ts';
import { planRightsize, writeRightsize, type RightsizePlan } from '../usage/rightsize.ts';
import { assertFormat, writeOutput } from './io.ts';
import { parseNow } from './now.ts';
import { addStoreOptions, storeOptions, type StoreFlags } from './usage-options.ts';
import { counted } from '../plural.ts';
import { jsonOutput } from '../report/escape.ts';

interface RightsizeFlags extends StoreFlags {
  registry: string;
  client?: string;
  write?: boolean;
  includeJustified?: boolean;
  format: string;
  now?: string;
}

const FORMATS = ['text', 'json'] as const;

export function registerRightsize(program: Command): void {
  const command = program
    .command('rightsize')
    .description('propose removing scopes clients have not exercised in the usage window (exceptions and justifications are kept); --write edits the YAML')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--client <name>', 'only this client')
    .option('--write', 'edit the ClientSet files in place (comments and formatting kept)')
    .option('--include-justified', 'also propose grants that carry a justification')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--now <date>', 'the current instant for the window (default: now; SCOPEGUARD_NOW)');
  addStoreOptions(command).action(async (flags: RightsizeFlags) => {
    assertFormat(flags.format, FORMATS);
    const options = storeOptions(flags);
    const now = parseNow(flags.now);
    const registry = await loadRegistry(flags.registry);
    // an unknown client would plan nothing and read as "every granted scope was used"
    if (flags.client) assertRegistryClient(registry, flags.client, flags.tenant);
    const facts = await collectUsageFacts(registry, options, now);
    const plan = planRightsize(registry, facts, now, { ...(flags.client ? { client: flags.client } : {}), includeJustified: Boolean(flags.includeJustified) });
    const written = flags.write && plan.removals.length > 0 ? await writeRightsize(flags.registry, registry, plan.removals) : [];
    writeOutput(flags.format === 'json' ? `${jsonOutput({ ...plan, written }, 2)}\n` : formatPlan(plan, written, Boolean(flags.write)));
  });
}

function formatPlan(plan: RightsizePlan, written: string[], write: boolean): string {
  const lines: string[] = [];
  const clients = new Set(plan.removals.map((r) => `${r.tenant}/${r.client}`));
  lines.push(
    plan.removals.length > 0
      ? `rightsize: ${counted(plan.removals.length, 'scope')} to remove from ${counted(clients.size, 'client')} (not used in the ${plan.windowDays}-day window)`
      : plan.kept.length > 0
        ? `rightsize: nothing to remove (${counted(plan.kept.length, 'grant')} unused in the ${plan.windowDays}-day window, each waived or justified)`
        : `rightsize: every granted scope was used in the ${plan.windowDays}-day window; nothing to remove`,
  );
  let tenant = '';
  let client = '';
  for (const r of plan.removals) {
    if (r.tenant !== tenant) {
      lines.push('', `tenant ${r.tenant}`);
      tenant = r.tenant;
      client = '';
    }
    if (r.client !== client) {
      lines.push(`  client ${r.client}  ${r.location.file}:${r.location.line}:${r.location.column}`);
      client = r.client;
    }
    const evidence = r.lastUsed
      ? `last used ${r.lastUsed.slice(0, 10)}`
      : r.usedBy === 'requests'
        ? `never exercised${r.issued ? `, issued ${r.issued} times` : ''}`
        : 'no token carrying it issued';
    lines.push(`  - ${r.scope}  (${r.sensitivity}; ${evidence})`);
  }
  if (plan.kept.length > 0) {
    lines.push('', 'kept (unused, but waived or justified):');
    for (const k of plan.kept) lines.push(`  ${k.tenant} ${k.client} ${k.scope}: ${k.reason}`);
  }
  if (write) lines.push('', written.length ? `wrote ${written.join(', ')}; the registry still validates` : 'nothing written');
  else if (plan.removals.length > 0) lines.push('', 'run again with --write to edit the registry files');
  return `${lines.join('\n')}\n`;
}
