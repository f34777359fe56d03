/** `scopeguard logs import|query|stats|export`: audit logs of every provider and tenant in one DuckDB store. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { InputError, UsageError } from '../errors.ts';
import { loadRegistry } from '../registry/load.ts';
import type { Registry, ResolvedConfig, Tenant } from '../registry/model.ts';
import { resolveConfig } from '../registry/load.ts';
import { TENANT_NAME_HINT, isTenantName } from '../registry/schema-check.ts';
import { didYouMean } from '../registry/suggest.ts';
import { escapeTerminal } from '../report/escape.ts';
import { defaultRejectsDir, importFile, providerByName, type FileImportResult } from '../logs/import.ts';
import { PROVIDER_NAMES } from '../logs/providers/index.ts';
import { EVENT_FORMATS, formatEvents, formatStats, type EventFormat } from '../logs/format.ts';
import { parseUserDate } from '../logs/time.ts';
import { Store } from '../store/store.ts';
import {
  EVENT_TYPE_FAMILIES,
  EVENT_TYPES,
  eventStats,
  eventTypesNamed,
  exportParquet,
  queryEvents,
  storedClientIds,
  storedScopes,
  storedTenants,
  type ClientMatch,
  type EventFilter,
} from '../store/query.ts';
import { progressEnabled, writeOutput } from './io.ts';
import { counted } from '../plural.ts';

// what a folder's log files are called: exports, and logrotate's rotations of them (access.log.1, access.log.2.gz,
// access.log-20261110 with dateext)
const LOG_FILE = /\.(ndjson|jsonl|json|log)(\.\d+|-\d{8}(\d{2})?)?(\.gz)?$|\.gz$/i;
const LOG_FILE_NAMES = '*.ndjson, *.jsonl, *.json, *.log, rotated as *.log.1 or *.log-20261110, *.gz';
// names listed in the line about skipped files before "and N more"
const SKIPPED_LISTED = 5;

interface StoreOptions {
  db?: string;
  registry: string;
}

/** The registry when there is one: the default folder may be absent (logs work without a registry). */
async function optionalRegistry(dir: string, explicit: boolean): Promise<Registry | undefined> {
  if (!existsSync(dir)) {
    if (explicit) throw new InputError(`registry folder ${dir} does not exist`);
    return undefined;
  }
  return loadRegistry(dir);
}

function storePath(options: StoreOptions, config: ResolvedConfig): string {
  return options.db ?? config.store;
}

function globalQuiet(command: Command): boolean {
  return Boolean(command.optsWithGlobals().quiet);
}

function registryGiven(command: Command): boolean {
  return command.getOptionValueSource('registry') === 'cli';
}

/**
 * The files to import: each file as given, and in each folder (recursively) the files named like logs. A folder's
 * other files are skipped, and `skipped` is told which, per folder given; hidden files (.gitkeep) are not named.
 */
function listInputs(paths: string[], skipped: (folder: string, names: string[]) => void = () => undefined): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push(path);
      continue;
    }
    if (!existsSync(path)) throw new InputError(`no such file or folder: ${path}`);
    if (statSync(path).isDirectory()) {
      const others: string[] = [];
      const walk = (dir: string, hidden: boolean): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
          const full = join(dir, entry.name);
          const hiddenEntry = hidden || entry.name.startsWith('.');
          if (entry.isDirectory()) walk(full, hiddenEntry);
          else if (LOG_FILE.test(entry.name)) files.push(full);
          else if (!hiddenEntry) others.push(relative(path, full));
        }
      };
      walk(path, false);
      if (others.length > 0) skipped(path, others);
    } else {
      files.push(path);
    }
  }
  return files;
}

/** One line for the files of a folder that were not imported, naming the first few. */
function skippedLine(folder: string, names: string[]): string {
  const listed = names.slice(0, SKIPPED_LISTED).join(', ');
  const more = names.length > SKIPPED_LISTED ? `, and ${names.length - SKIPPED_LISTED} more` : '';
  return escapeTerminal(
    `scopeguard: ${folder}: skipped ${counted(names.length, 'file')} not named like a log file (${LOG_FILE_NAMES}): ${listed}${more}; pass a file by name to import it anyway`,
  );
}

/**
 * The tenant and provider that `sources` in scopeguard.yaml assign to a file: the deepest source path that is the
 * file or a folder holding it wins, and its provider applies to every file under it. Sources naming the same folder
 * with different providers leave the provider to detection.
 */
function fromSources(file: string, config: ResolvedConfig): { tenant?: string; provider?: string } {
  if (file === '-') return {};
  const absolute = resolve(file);
  let best: { tenant: string; providers: Set<string>; depth: number } | undefined;
  for (const [tenant, sources] of Object.entries(config.sources)) {
    for (const source of sources ?? []) {
      const base = resolve(source.path);
      if (absolute === base || absolute.startsWith(base.endsWith(sep) ? base : base + sep)) {
        const depth = base.length;
        if (!best || depth > best.depth) best = { tenant, providers: new Set([source.provider]), depth };
        else if (depth === best.depth) best.providers.add(source.provider);
      }
    }
  }
  if (!best) return {};
  return { tenant: best.tenant, ...(best.providers.size === 1 ? { provider: [...best.providers][0] } : {}) };
}

function summaryLine(results: FileImportResult[], seconds: number): string {
  const total = results.reduce(
    (sum, r) => ({ imported: sum.imported + r.imported, duplicates: sum.duplicates + r.duplicates, rejected: sum.rejected + r.rejected, skipped: sum.skipped + r.skipped }),
    { imported: 0, duplicates: 0, rejected: 0, skipped: 0 },
  );
  return `imported ${counted(total.imported, 'event')} from ${counted(results.length, 'file')}, ${counted(total.duplicates, 'duplicate')} skipped, ${total.rejected} rejected, ${total.skipped} not scope-related, in ${seconds.toFixed(1)}s`;
}

/** What a bare `logs import` reads: every path listed under `sources` (how scheduled workflows refresh the store). */
function configuredSourcePaths(config: ResolvedConfig): string[] {
  const paths = Object.values(config.sources).flatMap((sources) => (sources ?? []).map((source) => source.path));
  if (paths.length === 0) {
    throw new UsageError('no log files given', 'pass files or folders, or list them per tenant under sources in scopeguard.yaml');
  }
  return [...new Set(paths)];
}

async function runImport(paths: string[], options: ImportFlags, command: Command): Promise<void> {
  if (options.provider) providerByName(options.provider);
  const registry = await optionalRegistry(options.registry, registryGiven(command));
  if (options.tenant !== undefined) checkTenantFlag(options.tenant, registry);
  const config = registry?.config ?? resolveConfig();
  const inputs = paths.length > 0 ? paths : configuredSourcePaths(config);
  const files = listInputs(inputs, (folder, names) => process.stderr.write(`${skippedLine(folder, names)}\n`));
  if (files.length === 0) throw new InputError(`no log files (${LOG_FILE_NAMES}) under ${inputs.join(', ')}`);
  const dbPath = storePath(options, config);
  const store = await Store.open(dbPath);
  const quiet = globalQuiet(command);
  const showProgress = progressEnabled(quiet);
  const started = Date.now();
  const results: FileImportResult[] = [];
  try {
    for (const file of files) {
      const assigned = fromSources(file, config);
      const tenant = options.tenant ?? assigned.tenant ?? singleTenant(registry);
      // a source names the importer of every file under its path
      const provider = options.provider ?? assigned.provider;
      // loaded only when a bar is shown: piped and quiet runs, and every other command, skip it at start-up
      const cliProgress = showProgress ? (await import('cli-progress')).default : undefined;
      const bar = cliProgress
        ? new cliProgress.SingleBar(
            { format: `${file} {bar} {value} events | {speed} events/s`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let shown = { total: 0, value: 0, speed: 0 };
      bar?.start(0, 0, { speed: 0 });
      // a line written while the bar is drawn would land on the bar's line: the bar is cleared, the line written,
      // and the bar drawn again below it
      const say = (message: string): void => {
        const drawn = bar?.isActive === true;
        if (drawn) bar.stop();
        // notices name files, which may hold anything a file name can
        process.stderr.write(`${escapeTerminal(message)}\n`);
        if (drawn) bar.start(shown.total, shown.value, { speed: shown.speed });
      };
      const fileStarted = Date.now();
      const result = await importFile(store, file, {
        provider,
        tenant,
        tenants: registry ? Object.keys(registry.tenants) : undefined,
        strict: options.strict,
        keepRaw: options.keepRaw,
        gateway: config.gateway,
        rejectsDir: defaultRejectsDir(dbPath),
        notice: quiet ? undefined : say,
        requireTenant: (providerName) => {
          throw new UsageError(
            `cannot tell which tenant ${file} (${providerName}) belongs to`,
            `pass --tenant${registry ? ` (one of: ${Object.keys(registry.tenants).join(', ')})` : ''} or list the file under sources in scopeguard.yaml`,
          );
        },
        onProgress: bar
          ? (counts) => {
              const seconds = Math.max((Date.now() - fileStarted) / 1000, 0.001);
              shown = { total: counts.read, value: counts.read, speed: Math.round(counts.read / seconds) };
              bar.setTotal(shown.total);
              bar.update(shown.value, { speed: shown.speed });
            }
          : undefined,
      }).finally(() => bar?.stop());
      results.push(result);
      if (result.unreadable) process.stderr.write(`scopeguard: ${file}: ${result.unreadable}\n`);
      if (result.rejectsFile) process.stderr.write(`scopeguard: ${file}: ${counted(result.rejected, 'rejected record')} written to ${relativeForDisplay(result.rejectsFile)}\n`);
    }
  } finally {
    await store.checkpoint().catch(() => undefined);
    store.close();
  }
  writeOutput(summaryLine(results, (Date.now() - started) / 1000));
  const stored = results.reduce((n, r) => n + r.imported + r.duplicates + r.skipped, 0);
  const rejected = results.reduce((n, r) => n + r.rejected, 0);
  const unreadable = results.some((r) => r.unreadable);
  if (stored === 0 && (rejected > 0 || unreadable)) process.exitCode = 2;
  else if (rejected > 0 || unreadable) process.exitCode = 1;
}

/**
 * Events are stored under their tenant for good, and a re-import under the right name adds them again: a --tenant
 * that no tenant of the registry has is a typo to stop before anything is written (with no registry, any valid
 * name goes).
 */
function checkTenantFlag(tenant: string, registry: Registry | undefined): void {
  if (!isTenantName(tenant)) {
    throw new UsageError(`--tenant ${JSON.stringify(tenant)} is not a valid tenant name`, TENANT_NAME_HINT);
  }
  const known = Object.keys(registry?.tenants ?? {});
  if (known.length === 0 || known.includes(tenant)) return;
  throw new UsageError(
    `--tenant ${tenant} is not a tenant of the registry`,
    didYouMean(tenant, known) ?? `its tenants are ${known.join(', ')}; add ${tenant}'s registry files before importing its logs`,
  );
}

/** Nothing matched and the store holds nothing of the tenant asked for: most often a typo, so say which it holds. */
async function explainUnknownTenant(store: Store, tenant: string): Promise<boolean> {
  const tenants = await storedTenants(store);
  if (tenants.includes(tenant)) return false;
  const suggestion = didYouMean(tenant, tenants);
  const held = tenants.length > 0 ? `it holds ${tenants.join(', ')}` : 'it is empty';
  process.stderr.write(`scopeguard: the store holds no events of tenant ${JSON.stringify(tenant)}; ${held}${suggestion ? ` (${suggestion})` : ''}\n`);
  return true;
}

/**
 * A query matched nothing: when the tenant, client or scope asked for appears nowhere (a typo, most often), says so
 * on stderr with the closest known name, so an empty answer is not mistaken for "no such events happened".
 */
async function explainNoMatch(store: Store, flags: QueryFlags, filter: EventFilter, registry: Registry | undefined): Promise<void> {
  const tenant = filter.tenant;
  if (tenant !== undefined && (await explainUnknownTenant(store, tenant))) return;
  const allTenants = Object.entries(registry?.tenants ?? {});
  const tenants = allTenants.filter(([name]) => tenant === undefined || name === tenant);
  // without a registry (none found and none given) only the store can be asked
  const inRegistry = (what: string): string =>
    registry === undefined ? '' : `, and ${tenant === undefined ? 'the registry has' : `the registry's tenant ${tenant} has`} no ${what} of that name`;
  const noStoredEvent = tenant === undefined ? 'no stored event' : `no stored event of tenant ${tenant}`;
  // a name the registry, or else the store, knows only in other tenants than --tenant's
  const elsewhere = async (has: (tenant: Tenant) => string | undefined, storedIn: () => Promise<string[]>, storedVerb: string): Promise<string | undefined> => {
    const owners = allTenants.filter(([name]) => name !== tenant).flatMap(([name, t]) => {
      const known = has(t);
      return known === undefined ? [] : [`${known} of tenant ${name}`];
    });
    if (owners.length > 0) return `it is ${owners.join(', ')}`;
    const storing = tenant === undefined ? [] : (await storedIn()).filter((name) => name !== tenant);
    return storing.length > 0 ? `stored events of tenant ${storing.join(', ')} ${storedVerb} it` : undefined;
  };
  // the closest name may be a stored client id, which is log text
  const say = (message: string, hint: string | undefined): void => {
    process.stderr.write(`${escapeTerminal(`scopeguard: ${message}${hint ? ` (${hint})` : ''}`)}\n`);
  };
  const client = flags.client;
  if (client !== undefined && !tenants.some(([, t]) => Object.hasOwn(t.clients, client))) {
    const stored = await storedClientIds(store, { tenant });
    const ids = filter.clients?.map((c) => c.clientId) ?? [client];
    if (!ids.some((id) => stored.includes(id))) {
      const hint =
        (await elsewhere((t) => clientNamed(t, client), () => storedTenants(store, { clients: ids.map((clientId) => ({ clientId })) }), 'have')) ??
        didYouMean(client, [...tenants.flatMap(([, t]) => Object.keys(t.clients)), ...stored]);
      say(`${noStoredEvent} has client ${JSON.stringify(client)}${inRegistry('client')}`, hint);
      return;
    }
  }
  const scope = filter.scope;
  if (scope !== undefined && !tenants.some(([, t]) => Object.hasOwn(t.scopes, scope))) {
    const stored = await storedScopes(store, { tenant });
    if (!stored.includes(scope)) {
      const hint =
        (await elsewhere((t) => (Object.hasOwn(t.scopes, scope) ? 'a scope' : undefined), () => storedTenants(store, { scope }), 'carry')) ??
        didYouMean(scope, [...tenants.flatMap(([, t]) => Object.keys(t.scopes)), ...stored]);
      say(`${noStoredEvent} carries or requests scope ${JSON.stringify(scope)}${inRegistry('scope')}`, hint);
    }
  }
}

/** How a registry tenant knows `--client`: as a client's name or as its provider client id. */
function clientNamed(tenant: Tenant, client: string): string | undefined {
  if (Object.hasOwn(tenant.clients, client)) return 'a client';
  const owner = Object.values(tenant.clients).find((known) => known.clientId === client);
  return owner ? `the provider id of client ${owner.name}` : undefined;
}

function relativeForDisplay(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function singleTenant(registry: Registry | undefined): string | undefined {
  const tenants = registry ? Object.keys(registry.tenants) : [];
  return tenants.length === 1 ? tenants[0] : undefined;
}

interface ImportFlags extends StoreOptions {
  provider?: string;
  tenant?: string;
  strict?: boolean;
  keepRaw?: boolean;
}

interface QueryFlags extends StoreOptions {
  tenant?: string;
  client?: string;
  scope?: string;
  type?: string;
  since?: string;
  until?: string;
  outcome?: string;
  limit: string;
  format: string;
}

function parseFormat(value: string): EventFormat {
  if (!(EVENT_FORMATS as readonly string[]).includes(value)) throw new UsageError(`unknown format "${value}"`, `one of: ${EVENT_FORMATS.join(', ')}`);
  return value as EventFormat;
}

function parseDate(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const iso = parseUserDate(value);
  if (!iso) throw new UsageError(`${flag} ${value} is not a date`, 'use YYYY-MM-DD or an ISO-8601 time such as 2026-11-20T08:00:00Z');
  return iso;
}

/** `--client` is a registry client name (resolved to its provider client ids) or a provider client id. */
/**
 * `--client`: a provider client id as given (any tenant), and a registry client's name resolved to its provider id in
 * its own tenant only: another tenant's events with the same id belong to another client.
 */
function clientMatches(client: string | undefined, tenant: string | undefined, registry: Registry | undefined): ClientMatch[] | undefined {
  if (!client) return undefined;
  const matches: ClientMatch[] = [{ clientId: client }];
  for (const [name, t] of Object.entries(registry?.tenants ?? {})) {
    if (tenant && name !== tenant) continue;
    const known = t.clients[client];
    if (known) matches.push({ clientId: known.clientId, tenant: name });
  }
  return matches;
}

async function buildFilter(options: QueryFlags, registry: Registry | undefined): Promise<EventFilter> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit ${options.limit} is not a number of rows`, 'give 0 or more; 0 means no limit');
  if (options.outcome && !['success', 'failure', 'unknown'].includes(options.outcome)) throw new UsageError(`unknown outcome "${options.outcome}"`, 'one of: success, failure, unknown');
  // the types are a closed vocabulary: a misspelt one would match nothing and look like an empty store
  if (options.type !== undefined && eventTypesNamed(options.type).length === 0) {
    throw new UsageError(
      `unknown event type "${options.type}"`,
      didYouMean(options.type, [...EVENT_TYPES, ...EVENT_TYPE_FAMILIES]) ?? `a type (${EVENT_TYPES.join(', ')}) or a family (${EVENT_TYPE_FAMILIES.join(', ')})`,
    );
  }
  const since = parseDate('--since', options.since);
  const until = parseDate('--until', options.until);
  // swapped bounds would match nothing and look like an empty store
  if (since !== undefined && until !== undefined && Date.parse(since) >= Date.parse(until)) {
    throw new UsageError(`the time window is empty: --since ${since} is not before --until ${until}`, '--since is inclusive, --until exclusive');
  }
  return {
    tenant: options.tenant,
    clients: clientMatches(options.client, options.tenant, registry),
    scope: options.scope,
    type: options.type,
    since,
    until,
    outcome: options.outcome,
    limit,
  };
}

function storeOptions(command: Command): Command {
  return command
    .option('--db <path>', 'DuckDB store (default: config store, else .scopeguard/audit.duckdb)')
    .option('--registry <dir>', 'registry folder (for config, tenants and client names)', 'scopes');
}

export function registerLogs(program: Command): void {
  const logs = program.command('logs').description('import audit logs of every provider into one store; query, count and export them');

  storeOptions(
    logs
      .command('import')
      .description('import audit-log exports (NDJSON, JSON array or API page; plain or .gz; - for stdin)')
      .argument('[paths...]', 'files or folders, or - for stdin (default: every path under sources in scopeguard.yaml)')
      .option('--provider <name>', `importer: ${PROVIDER_NAMES.join(', ')} (default: detected from the first records)`)
      .option('--tenant <name>', 'tenant the events belong to (default: from config sources)')
      .option('--strict', 'stop at the first bad record')
      .option('--keep-raw', 'also store the (scrubbed) provider record as JSON'),
  ).action(async (paths: string[], options: ImportFlags, command: Command) => runImport(paths, options, command));

  storeOptions(
    logs
      .command('query')
      .description('events filtered by tenant, client, scope, type, time and outcome, newest first')
      .option('--tenant <name>', 'tenant')
      .option('--client <name|id>', 'registry client name or provider client id')
      .option('--scope <scope>', 'granted or requested scope')
      .option('--type <type>', 'event type (token.issued) or family (token)')
      .option('--since <date>', 'from this date/time (inclusive, UTC)')
      .option('--until <date>', 'before this date/time (exclusive, UTC)')
      .option('--outcome <outcome>', 'success, failure or unknown')
      .option('--limit <n>', 'at most this many events (0: all)', '100')
      .option('--format <format>', `output: ${EVENT_FORMATS.join(', ')}`, 'table'),
  ).action(async (options: QueryFlags, command: Command) => {
    const format = parseFormat(options.format);
    const registry = await optionalRegistry(options.registry, registryGiven(command));
    const filter = await buildFilter(options, registry);
    const store = await Store.open(storePath(options, registry?.config ?? resolveConfig()), { readOnly: true });
    try {
      const events = await queryEvents(store, filter);
      writeOutput(formatEvents(events, format));
      if (events.length === 0) await explainNoMatch(store, options, filter, registry);
    } finally {
      store.close();
    }
  });

  storeOptions(
    logs
      .command('stats')
      .description('event counts per tenant, provider, type and day')
      .option('--tenant <name>', 'only this tenant')
      .option('--format <format>', `output: ${EVENT_FORMATS.join(', ')}`, 'table'),
  ).action(async (options: StoreOptions & { tenant?: string; format: string }, command: Command) => {
    const format = parseFormat(options.format);
    const registry = await optionalRegistry(options.registry, registryGiven(command));
    const store = await Store.open(storePath(options, registry?.config ?? resolveConfig()), { readOnly: true });
    try {
      const rows = await eventStats(store, { tenant: options.tenant });
      writeOutput(formatStats(rows, format, { filtered: options.tenant !== undefined }));
      if (rows.length === 0 && options.tenant !== undefined) await explainUnknownTenant(store, options.tenant);
    } finally {
      store.close();
    }
  });

  storeOptions(
    logs
      .command('export')
      .description('export the store as Hive-partitioned Parquet (tenant=/date=)')
      .requiredOption('--parquet <dir>', 'output folder'),
  ).action(async (options: StoreOptions & { parquet: string }, command: Command) => {
    const registry = await optionalRegistry(options.registry, registryGiven(command));
    const store = await Store.open(storePath(options, registry?.config ?? resolveConfig()), { readOnly: true });
    try {
      const count = await exportParquet(store, options.parquet);
      writeOutput(`exported ${counted(count, 'event')} to ${options.parquet} (tenant=/date= partitions)`);
    } finally {
      store.close();
    }
  });
}
