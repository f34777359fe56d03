/**
 * `writeComplianceReport`: the periodic compliance report per tenant, as files under
 * `<out>/<tenant>/<YYYY-MM-DD>/report.{md,json,html,sarif}`, plus a refreshed `<out>/index.md`.
 * The library entry used by `scopeguard report` and the GitHub Action's report mode. Deterministic: the same
 * registry, store, git history, stored reports and `now` give the same bytes.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck, type CheckResult } from '../../check.ts';
import { SEVERITIES, type Finding, type Severity } from '../../findings/finding.ts';
import { summarize } from '../../findings/summary.ts';
import { belongsToTenant } from '../../diff/types.ts';
import { historyEntries, walkRegistryCommits } from '../../git/history.ts';
import { openRepo, pathInRepo } from '../../git/repo.ts';
import { loadRegistry } from '../../registry/load.ts';
import { assertRegistryTenants, storePath, type UsageOptions } from '../../usage/analyze.ts';
import { leastPrivilege } from '../../usage/least-privilege.ts';
import { VERSION } from '../../version.ts';
import { formatSarif } from '../sarif.ts';
import { renderComplianceHtml } from './html.ts';
import { renderComplianceIndex, renderComplianceMarkdown } from './markdown.ts';
import { REPORT_SCHEMA_VERSION, type ComplianceReport, type HistoryPoint, type TrendEntry } from './model.ts';
import { jsonOutput } from '../escape.ts';

export const REPORT_FORMATS = ['md', 'json', 'html', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ComplianceReportOptions {
  registryRoot: string;
  /** Output folder (default `reports`). */
  outDir?: string;
  formats?: readonly ReportFormat[];
  tenants?: string[];
  now?: Date;
  /** Usage window and store; without a store the report covers the registry rules and says usage is unavailable. */
  usage?: Omit<UsageOptions, 'tenants'>;
  policyDirs?: string[];
  /** Where git is asked about the registry's history (default: the working directory). */
  cwd?: string;
  /** Leave usage out even when a store exists, saying why in the report (the bundled Action has no DuckDB). */
  withoutUsage?: string;
}

export interface ComplianceReportResult {
  reports: ComplianceReport[];
  files: string[];
  index: string;
}

export async function writeComplianceReport(options: ComplianceReportOptions): Promise<ComplianceReportResult> {
  const now = options.now ?? new Date();
  const outDir = options.outDir ?? 'reports';
  const formats = options.formats ?? REPORT_FORMATS;
  const registry = await loadRegistry(options.registryRoot);
  const tenants = options.tenants?.length ? options.tenants : Object.keys(registry.tenants).sort();
  assertRegistryTenants(registry, tenants);
  const dbPath = storePath(registry, options.usage?.dbPath);
  const withUsage = options.withoutUsage === undefined && existsSync(dbPath);
  const result = await runCheck({
    registryRoot: options.registryRoot,
    registry,
    now,
    ...(options.policyDirs ? { policyDirs: options.policyDirs } : {}),
    ...(withUsage ? { usage: { ...options.usage, dbPath, tenants } } : {}),
  });
  const date = now.toISOString().slice(0, 10);
  const reports: ComplianceReport[] = [];
  const files: string[] = [];
  for (const tenant of tenants) {
    const previous = previousReport(outDir, tenant, date);
    const report = await buildReport(result, tenant, now, previous, {
      history: storedHistory(outDir, tenant, date),
      usageReason: withUsage ? undefined : (options.withoutUsage ?? `no audit store at ${dbPath}`),
      registryRoot: options.registryRoot,
      cwd: options.cwd ?? process.cwd(),
    });
    reports.push(report);
    const folder = join(outDir, tenant, date);
    mkdirSync(folder, { recursive: true });
    const tenantFindings = result.findings.filter((f) => f.tenant === tenant);
    const renderings: Record<ReportFormat, () => string> = {
      md: () => renderComplianceMarkdown(report),
      json: () => `${jsonOutput(report, 2)}\n`,
      html: () => renderComplianceHtml(report),
      sarif: () => formatSarif({ findings: tenantFindings, summary: summarize(tenantFindings, result.summary.failOn), rules: result.rules }, { color: false, version: VERSION }),
    };
    for (const format of formats) {
      const file = join(folder, `report.${format}`);
      const text = renderings[format]();
      writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
      files.push(file);
    }
    // the trend of the next report needs this one's JSON even when only other formats were asked for
    if (!formats.includes('json')) writeFileSync(join(folder, 'report.json'), `${jsonOutput(report, 2)}\n`);
  }
  const index = join(outDir, 'index.md');
  writeFileSync(index, renderComplianceIndex(indexEntries(outDir)));
  return { reports, files, index };
}

interface BuildContext {
  history: HistoryPoint[];
  usageReason?: string;
  registryRoot: string;
  cwd: string;
}

async function buildReport(result: CheckResult, tenant: string, now: Date, previous: ComplianceReport | undefined, context: BuildContext): Promise<ComplianceReport> {
  const findings = result.findings.filter((f) => f.tenant === tenant);
  const open = findings.filter((f) => f.status !== 'waived');
  const bySeverity = countBySeverity(open);
  const summary = summarize(findings, result.summary.failOn);
  const facts = result.usage?.find((f) => f.tenant === tenant);
  const previousOpen = new Map((previous?.findings ?? []).filter((f) => f.status !== 'waived').map((f) => [f.fingerprint, f]));
  const currentOpen = new Set(open.map((f) => f.fingerprint));
  const currentWaived = new Set(findings.filter((f) => f.status === 'waived').map((f) => f.fingerprint));
  const date = now.toISOString().slice(0, 10);
  const sinceForChanges = previous?.generatedAt ?? (facts ? facts.window.since : new Date(now.getTime() - 90 * 86_400_000).toISOString());
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'scopeguard', version: VERSION },
    tenant,
    date,
    generatedAt: now.toISOString(),
    verdict: summary.failed ? 'fail' : 'pass',
    failOn: summary.failOn,
    counts: { open: open.length, waived: findings.length - open.length, bySeverity },
    usage: facts ? { available: true, window: facts.window, events: facts.events } : { available: false, reason: context.usageReason ?? 'usage was not analysed' },
    trend: {
      ...(previous ? { previous: previous.date } : {}),
      new: previous ? open.filter((f) => !previousOpen.has(f.fingerprint)).map(trendEntry) : [],
      // a finding an exception now waives is not fixed: it still holds, and shows under waived
      fixed: [...previousOpen.values()].filter((f) => !currentOpen.has(f.fingerprint) && !currentWaived.has(f.fingerprint)).map(trendEntry),
      waived: [...previousOpen.values()].filter((f) => currentWaived.has(f.fingerprint)).map(trendEntry),
      stillOpen: previous ? open.filter((f) => previousOpen.has(f.fingerprint)).length : 0,
    },
    registryChanges: await registryChanges(context.cwd, context.registryRoot, tenant, sinceForChanges, now),
    history: [...context.history, { date, open: open.length, bySeverity }],
    leastPrivilege: facts ? leastPrivilege(facts) : [],
    findings,
  };
}

function trendEntry(f: Finding): TrendEntry {
  return { ruleId: f.ruleId, severity: f.severity, subject: f.subject, message: f.message, fingerprint: f.fingerprint };
}

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

async function registryChanges(cwd: string, registryRoot: string, tenant: string, since: string, now: Date): Promise<ComplianceReport['registryChanges']> {
  let repo;
  try {
    repo = await openRepo(cwd);
  } catch {
    return { available: false, reason: 'not a git repository' };
  }
  try {
    const root = pathInRepo(repo, cwd, registryRoot);
    const commits = await walkRegistryCommits(repo, { root, since: since.slice(0, 10) });
    // only what reached the branch between the previous report and this one, so reruns of a past date stay the same
    const landed = (commit: (typeof commits)[number]): number => Date.parse(commit.landed ?? commit.date);
    const inPeriod = commits.filter((commit) => landed(commit) <= now.getTime() && landed(commit) >= Date.parse(since));
    const entries = historyEntries(inPeriod, (c) => belongsToTenant(c, tenant));
    return { available: true, since, commits: entries };
  } catch (error) {
    return { available: false, reason: `git history unavailable: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Stored report dates of a tenant, oldest first (folder names are YYYY-MM-DD). */
function storedDates(outDir: string, tenant: string): string[] {
  const dir = join(outDir, tenant);
  if (!isFolder(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name) && existsSync(join(dir, name, 'report.json')))
    .sort();
}

/** The reports folder is often committed with a .gitkeep or a README beside the tenant folders: only folders count. */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing, or a file in the way of it (reported when the folder is made)
  }
}

function readStored(outDir: string, tenant: string, date: string): ComplianceReport | undefined {
  try {
    const report = JSON.parse(readFileSync(join(outDir, tenant, date, 'report.json'), 'utf8')) as ComplianceReport;
    return report.schemaVersion === REPORT_SCHEMA_VERSION ? report : undefined;
  } catch {
    return undefined;
  }
}

function previousReport(outDir: string, tenant: string, date: string): ComplianceReport | undefined {
  const earlier = storedDates(outDir, tenant).filter((d) => d < date);
  const last = earlier.at(-1);
  return last ? readStored(outDir, tenant, last) : undefined;
}

function storedHistory(outDir: string, tenant: string, date: string): HistoryPoint[] {
  return storedDates(outDir, tenant)
    .filter((d) => d < date)
    .map((d) => readStored(outDir, tenant, d))
    .filter((r): r is ComplianceReport => r !== undefined)
    .map((r) => ({ date: r.date, open: r.counts.open, bySeverity: r.counts.bySeverity }));
}

export interface IndexEntry {
  tenant: string;
  date: string;
  verdict: 'pass' | 'fail';
  open: number;
  bySeverity: Record<Severity, number>;
  formats: string[];
}

function indexEntries(outDir: string): IndexEntry[] {
  if (!existsSync(outDir)) return [];
  const entries: IndexEntry[] = [];
  for (const tenant of readdirSync(outDir).sort()) {
    if (!isFolder(join(outDir, tenant))) continue;
    for (const date of storedDates(outDir, tenant).reverse()) {
      const report = readStored(outDir, tenant, date);
      if (!report) continue;
      const formats = readdirSync(join(outDir, tenant, date)).filter((f) => f.startsWith('report.')).map((f) => f.slice('report.'.length)).sort();
      entries.push({ tenant, date, verdict: report.verdict, open: report.counts.open, bySeverity: report.counts.bySeverity, formats });
    }
  }
  return entries;
}

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

