/**
 * The Action's calls into the library the CLI uses: the check against a base revision, the formatters for
 * annotations and SARIF, the report files. Everything else under src/action only renders and talks to GitHub.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { baseSubstituteNotice, forkPointNotice, runChangeCheck } from '../check-base.ts';
import type { PullRequestInfo } from '../policy/input-change.ts';
import type { FailOn, Finding } from '../findings/finding.ts';
import { summarize } from '../findings/summary.ts';
import { loadBaseSide } from '../git/side.ts';
import { openRepo, pathInRepo, type GitRepo } from '../git/repo.ts';
import { readManifest } from '../policy/bundle.ts';
import type { RuleMeta } from '../policy/bundle.ts';
import type { Registry } from '../registry/model.ts';
import { InputError, type ValidationError } from '../errors.ts';
import { FORMATTERS, problemsReportOf, type FindingsReport } from '../report/formatter.ts';
import { formatSarifProblems } from '../report/sarif.ts';
import { VERSION } from '../version.ts';
import { writeComplianceReport } from '../report/compliance/write.ts';
import { renderComplianceMarkdown } from '../report/compliance/markdown.ts';
import type { ReviewResult } from './review.ts';

export interface ReviewOptions {
  workspace: string;
  registry: string;
  baseSha: string;
  headSha: string;
  failOn?: FailOn;
  policy?: string;
  pr?: PullRequestInfo;
}

export interface PullRequestReview extends ReviewResult {
  rules: readonly RuleMeta[];
}

export function policyBundleVersion(): string {
  const manifest = readManifest();
  return `opa ${manifest.opaVersion} · ${manifest.sourceHash.slice(0, 12)}`;
}

/**
 * `check --base <base> --head <head>` for a pull request, judged by the rules of the base revision (scopeguard.yaml
 * and custom policy folders read from git at base), so a pull request cannot weaken what judges it.
 */
export async function reviewPullRequest(options: ReviewOptions): Promise<PullRequestReview> {
  const { workspace, registry: registryRoot, baseSha } = options;
  const baseRegistry = (await loadBaseSide(baseSha, registryRoot, { cwd: workspace })).registry;
  const repo = await openRepo(workspace);
  const policies = await policyFoldersAtBase(repo, workspace, baseRegistry, options.policy, baseSha);
  try {
    return await reviewWithPolicies(options, repo, baseRegistry, policies.folders);
  } finally {
    policies.remove();
  }
}

async function reviewWithPolicies(options: ReviewOptions, repo: GitRepo, baseRegistry: Registry, policyDirs: string[]): Promise<PullRequestReview> {
  const { workspace, registry: registryRoot, baseSha, headSha } = options;
  const result = await withCwd(workspace, () =>
    runChangeCheck({
      registryRoot,
      base: baseSha,
      head: headSha,
      baseRules: baseRegistry.config,
      policyDirs,
      ...(options.failOn ? { failOn: options.failOn } : {}),
      ...(options.pr ? { pr: options.pr } : {}),
    }),
  );
  // what this pull request changes in them: from where it left the base, not from the base's newest commit
  const comparedWith = result.diff.base?.commit ?? baseSha;
  const ruleChanges = await changedRuleFiles(repo, workspace, registryRoot, [baseRegistry.config.location?.file, baseRegistry.config.policies, options.policy], comparedWith, headSha);
  const notices = [
    forkPointNotice(`the base branch`, result.diff.base),
    result.diff.base?.loadedAt ? baseSubstituteNotice(comparedWith.slice(0, 12), result.diff.base.loadedAt) : undefined,
    ...result.notices,
  ].flatMap((notice) => (notice ? [sentence(notice)] : []));

  return {
    findings: result.findings,
    changes: result.diff.changes,
    failOn: result.summary.failOn,
    failed: result.summary.failed,
    policyVersion: policyBundleVersion(),
    ruleChanges,
    notices,
    rules: result.rules,
  };
}

/**
 * The custom policy folders (config `policies:` at base, plus the `policy` input) as they were at base, written to a
 * temporary folder that `remove` deletes when the review is done.
 */
async function policyFoldersAtBase(
  repo: GitRepo,
  workspace: string,
  base: Registry,
  extra: string | undefined,
  baseSha: string,
): Promise<{ folders: string[]; remove: () => void }> {
  const folders = [...base.config.policies, ...(extra ? [extra] : [])];
  if (folders.length === 0) return { folders: [], remove: () => undefined };
  const target = mkdtempSync(join(tmpdir(), 'scopeguard-base-policies-'));
  const remove = (): void => rmSync(target, { recursive: true, force: true });
  try {
    return { folders: await materializeAtBase(repo, workspace, folders, baseSha, target), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

async function materializeAtBase(repo: GitRepo, workspace: string, folders: string[], baseSha: string, target: string): Promise<string[]> {
  const materialized: string[] = [];
  for (const [index, folder] of folders.entries()) {
    const inRepo = pathInRepo(repo, workspace, folder);
    const out = join(target, String(index));
    mkdirSync(out, { recursive: true });
    // -z: paths as they are, not C-quoted (a folder named règles would come back as "r\303\250gles")
    const listing = (await repo.git.raw(['ls-tree', '-r', '-z', '--name-only', baseSha, '--', inRepo])).split('\0').filter(Boolean);
    // not at base: new in this pull request (its rules apply after merge, and the comment says the rules change), or
    // a path that is nowhere, which would silently run no custom rule at all
    if (listing.length === 0 && !existsSync(resolve(workspace, folder))) {
      throw new InputError(`policy folder "${folder}" does not exist, at base or in the checkout`, 'check the `policy` input and `policies:` in scopeguard.yaml');
    }
    for (const file of listing) {
      const text = await repo.git.raw(['show', `${baseSha}:${file}`]);
      const destination = join(out, relative(inRepo, file));
      mkdirSync(dirname(destination), { recursive: true });
      writeFileSync(destination, text);
    }
    materialized.push(out);
  }
  return materialized;
}

/** scopeguard.yaml and policy folders this pull request touches: reported, applied only after merge. */
async function changedRuleFiles(
  repo: GitRepo,
  workspace: string,
  registryRoot: string,
  folders: Array<readonly string[] | string | undefined>,
  baseSha: string,
  headSha: string,
): Promise<string[]> {
  const paths = new Set<string>([pathInRepo(repo, workspace, join(registryRoot, 'scopeguard.yaml'))]);
  for (const folder of folders.flat()) if (folder) paths.add(pathInRepo(repo, workspace, folder));
  const output = await repo.git.raw(['diff', '-z', '--name-only', baseSha, headSha, '--', ...paths]);
  return output.split('\0').filter(Boolean).sort();
}

/** Registry paths are resolved against the working directory; the Action's is the workspace. */
async function withCwd<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const previous = process.cwd();
  if (resolve(previous) === resolve(dir)) return work();
  process.chdir(dir);
  try {
    return await work();
  } finally {
    process.chdir(previous);
  }
}

function findingsReport(findings: readonly Finding[], failOn: FailOn, rules: readonly RuleMeta[]): FindingsReport {
  return { findings, summary: summarize(findings, failOn), rules };
}

/** Workflow-command annotations for the given findings, through the same formatter as `check --format github`. */
export function emitAnnotations(findings: readonly Finding[], failOn: FailOn, rules: readonly RuleMeta[]): void {
  if (findings.length === 0) return;
  const text = FORMATTERS.github(findingsReport(findings, failOn, rules), { color: false, version: VERSION });
  // the formatter ends with a plain summary line; the Action prints its own verdict
  process.stdout.write(`${text.trimEnd().split('\n').filter((line) => line.startsWith('::')).join('\n')}\n`);
}

export function writeSarif(findings: readonly Finding[], failOn: FailOn, rules: readonly RuleMeta[], file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, FORMATTERS.sarif(findingsReport(findings, failOn, rules), { color: false, version: VERSION }));
  return file;
}

/** The SARIF of a registry that does not load: its problems at their lines, as `check --format sarif` writes it. */
export function writeProblemsSarif(error: ValidationError, file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, formatSarifProblems(problemsReportOf(error), { color: false, version: VERSION }));
  return file;
}

export interface ReportModeOptions {
  workspace: string;
  registry: string;
  outDir: string;
  policy?: string;
  now?: Date;
  /** Leave usage out of the report, with this reason (see usageUnavailableReason). */
  withoutUsage?: string;
}

export interface ReportModeResult {
  /** Open (not waived) findings over every tenant. */
  openFindings: number;
  /** Findings that the previous stored report did not have. */
  newFindings: number;
  failed: boolean;
  /** The folder holding the reports: `<out>/<tenant>/<date>` for one tenant, `<out>` for several. */
  reportPath: string;
  folders: string[];
  summaryMarkdown: string;
}

/** Report mode is `scopeguard report`: the same library call, the same files, the same index. */
/**
 * The bundle carries no DuckDB (a native module); it loads the workspace's copy when the workflow ran `npm ci`.
 * Returns why usage cannot be analysed, or undefined when it can.
 */
export async function usageUnavailableReason(): Promise<string | undefined> {
  const duckdb: object = await import('@duckdb/node-api');
  const marker = (duckdb as { scopeguardUnavailable?: unknown; default?: { scopeguardUnavailable?: unknown } });
  const reason = marker.scopeguardUnavailable ?? marker.default?.scopeguardUnavailable;
  return typeof reason === 'string' ? reason : undefined;
}

export async function writeReports(options: ReportModeOptions): Promise<ReportModeResult> {
  const result = await withCwd(options.workspace, () =>
    writeComplianceReport({
      registryRoot: options.registry,
      outDir: options.outDir,
      cwd: options.workspace,
      ...(options.withoutUsage ? { withoutUsage: options.withoutUsage } : {}),
      ...(options.policy ? { policyDirs: [resolve(options.workspace, options.policy)] } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  const folders = result.reports.map((report) => join(options.outDir, report.tenant, report.date));
  return {
    openFindings: result.reports.reduce((sum, report) => sum + report.counts.open, 0),
    newFindings: result.reports.reduce((sum, report) => sum + report.trend.new.length, 0),
    failed: result.reports.some((report) => report.verdict === 'fail'),
    reportPath: folders.length === 1 ? (folders[0] ?? options.outDir) : options.outDir,
    folders,
    summaryMarkdown: result.reports.map(renderComplianceMarkdown).join('\n\n---\n\n'),
  };
}

const sentence = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
