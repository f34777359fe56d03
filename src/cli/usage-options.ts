/** Flags shared by the commands that read the audit store (`check --usage`, `usage`, `rightsize`, `report`). */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { CheckResult } from '../check.ts';
import { deliverAlerts } from '../report/alert-webhook.ts';
import { parseInstant, parseWindowDays, storePath, type UsageOptions } from '../usage/analyze.ts';
import { VERSION } from '../version.ts';

export interface StoreFlags {
  db?: string;
  tenant: string[];
  window?: string;
  since?: string;
  until?: string;
}

export interface UsageCheckFlags extends StoreFlags {
  usage?: boolean;
  alert?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
export const ALERT_KINDS = ['webhook'] as const;

export function addStoreOptions(command: Command): Command {
  return command
    .option('--db <path>', 'DuckDB audit store (default: store from scopeguard.yaml, else .scopeguard/audit.duckdb)')
    .option('--tenant <name>', 'only this tenant (repeatable; default: every tenant)', collect, [])
    .option('--window <days>', 'usage window ending at --until (e.g. 90d, 12w; default: thresholds.unusedScopeDays of scopeguard.yaml, 90d)')
    .option('--since <date>', 'start of the usage window (overrides --window)')
    .option('--until <date>', 'end of the usage window (default: now)');
}

/** `check` gains `--usage` (the SG3xx rules over the store) and `--alert webhook`. */
export function addUsageCheckOptions(command: Command): Command {
  return addStoreOptions(command)
    .option('--usage', 'also run the usage rules (SG3xx) over the audit store')
    .option('--alert <kind>', `send new findings to the alert targets of scopeguard.yaml: ${ALERT_KINDS.join(', ')} (with --usage)`);
}

export function storeOptions(flags: StoreFlags): UsageOptions {
  return {
    ...(flags.db ? { dbPath: flags.db } : {}),
    ...(flags.tenant.length ? { tenants: flags.tenant } : {}),
    ...(flags.window ? { windowDays: parseWindowDays(flags.window) } : {}),
    ...(flags.since ? { since: parseInstant('--since', flags.since) } : {}),
    ...(flags.until ? { until: parseInstant('--until', flags.until) } : {}),
  };
}

/** The usage part of check's options, or undefined without --usage; flags are checked before any work. */
export function usageCheckOptions(flags: UsageCheckFlags): UsageOptions | undefined {
  if (flags.alert !== undefined && !(ALERT_KINDS as readonly string[]).includes(flags.alert)) {
    throw new UsageError(`unknown --alert "${flags.alert}"`, `use one of: ${ALERT_KINDS.join(', ')}`);
  }
  if (flags.alert && !flags.usage) throw new UsageError('--alert needs --usage', 'alerts are sent for usage findings: scopeguard check --usage --alert webhook');
  return flags.usage ? storeOptions(flags) : undefined;
}

/** After check: post new findings to the configured webhooks (failures are reported, never lost, never fatal). */
export async function sendCheckAlerts(result: CheckResult, flags: UsageCheckFlags): Promise<void> {
  if (flags.alert !== 'webhook') return;
  const targets = result.registry.config.alerts;
  if (targets.length === 0) {
    process.stderr.write('scopeguard: --alert webhook: no alerts configured in scopeguard.yaml (alerts: [{url, format, secretEnv}])\n');
    return;
  }
  await deliverAlerts({ findings: result.findings, targets, dbPath: storePath(result.registry, flags.db), now: result.now, version: VERSION });
}
