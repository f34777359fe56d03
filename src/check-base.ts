/**
 * `scopeguard check --base REF`: what a pull request runs. The registry rules judge head and base; head findings
 * whose fingerprint base already had are `existing`, the rest `new`. The change rules (SG2xx) judge the semantic
 * diff and the commits in between. By default only new findings can fail the run, so a PR is judged on what it
 * adds, not on the debt it inherits.
 */
import { runCheck, policyFolders, type CheckOptions, type CheckResult } from './check.ts';
import { diffRegistries } from './diff/diff.ts';
import type { RegistryDiff } from './diff/types.ts';
import type { Registry } from './registry/model.ts';
import { meetsThreshold, type Finding } from './findings/finding.ts';
import { exceptionsOfUnknownRules, finalizeFindings, locate, sortFindings } from './findings/finalize.ts';
import { didYouMean } from './registry/suggest.ts';
import { formatPosition } from './registry/load.ts';
import { summarize } from './findings/summary.ts';
import { walkRegistryCommits } from './git/history.ts';
import { forkPoint, openRepo, pathInRepo, resolveRevision } from './git/repo.ts';
import { loadSides, WORKTREE } from './git/side.ts';
import { loadPolicyEngine } from './policy/engine.ts';
import { buildChangeInput, type CommitRecord, type PullRequestInfo } from './policy/input-change.ts';

export interface ChangeCheckOptions extends Omit<CheckOptions, 'registry'> {
  /** Base revision: ref, commit or date. */
  base: string;
  /** Head revision, or `worktree` (default). */
  head?: string;
  /** Let existing findings fail the run too. */
  failOnExisting?: boolean;
  pr?: PullRequestInfo;
  /**
   * Judge both sides with this scopeguard.yaml (the base branch's, read by the caller), so a pull request cannot
   * weaken the rules that judge it (the GitHub Action). Custom policy folders then come only from `policyDirs`.
   */
  baseRules?: Registry['config'];
}

export interface ChangeCheckResult extends CheckResult {
  diff: RegistryDiff;
  /**
   * With `baseRules`: head's exceptions that name a rule the base's rules do not have (a rule the change adds, or a
   * typo). They waive nothing until such a rule exists; said, not fatal, so the review still runs.
   */
  notices: string[];
}

/** Said wherever a change is compared with its fork point rather than the base's newest commit (see RevisionLabel.tip). */
export function forkPointNotice(base: string, label: RegistryDiff['base']): string | undefined {
  if (!label?.tip || !label.commit) return undefined;
  return `${base} has moved on to ${label.tip.slice(0, 12)} since this change left it at ${label.commit.slice(0, 12)}; the change is compared with ${label.commit.slice(0, 12)}, so what was changed on ${base} since is not counted as this change's`;
}

/** Said wherever a change is judged against an earlier base than asked for (see RevisionLabel.loadedAt). */
export function baseSubstituteNotice(base: string, loadedAt: string): string {
  return `the registry does not load at base ${base}; findings are compared with ${loadedAt.slice(0, 12)}, the newest earlier revision where it does`;
}

export async function runChangeCheck(options: ChangeCheckOptions): Promise<ChangeCheckResult> {
  const now = options.now ?? new Date();
  const headSpec = options.head ?? WORKTREE;
  // A change is compared with where it left its base, as a pull request's diff is: when the base branch has moved on,
  // its newer commits are not the change's to answer for (they would show as the change undoing them).
  const repo = await openRepo();
  const baseCommit = (await resolveRevision(repo, options.base)).commit;
  const headRevision = headSpec === WORKTREE ? 'HEAD' : (await resolveRevision(repo, headSpec)).commit;
  const fork = await forkPoint(repo, baseCommit, headRevision);
  const sides = await loadSides(fork ?? options.base, headSpec, options.registryRoot);
  if (fork) sides.base.label = { ...sides.base.label, ref: options.base, tip: baseCommit };
  const rules = options.baseRules ? { ...options.baseRules, policies: [] } : undefined;
  const base = rules ? { ...sides.base.registry, config: rules } : sides.base.registry;
  const head = rules ? { ...sides.head.registry, config: rules } : sides.head.registry;

  // head's rule ids (its `rules:` and exceptions) are checked unless base's rules judge it: then its `rules:` are
  // base's, and its exceptions naming rules base lacks become notices; base is only compared with (its typos must
  // not block the pull request that fixes them)
  const headChecks = rules ? 'none' : 'all';
  const headResult = await runCheck({ ...options, now, registry: head, ruleIdChecks: headChecks });
  // usage facts describe today, not the base revision: base is judged by the registry rules alone
  const { usage: _usage, ...registryOnly } = options;
  const baseResult = await runCheck({ ...registryOnly, now, registry: base, ruleIdChecks: 'none' });
  const atBase = new Set(baseResult.findings.map((f) => f.fingerprint));
  const registryFindings = headResult.findings.map((f): Finding => (f.status === 'new' && atBase.has(f.fingerprint) ? { ...f, status: 'existing' } : f));

  const diff = diffRegistries(base, head, { base: sides.base.label, head: sides.head.label });
  const root = pathInRepo(repo, process.cwd(), options.registryRoot);
  const headCommit = sides.head.label.commit ?? 'HEAD';
  const commits: CommitRecord[] = sides.base.label.commit
    ? await walkRegistryCommits(repo, { root, range: `${sides.base.label.commit}..${headCommit}` })
    : [];

  const engine = await loadPolicyEngine(policyFolders(head, options.policyDirs));
  const input = buildChangeInput({ base, head, baseLabel: sides.base.label, headLabel: sides.head.label, diff, commits, now, ...(options.pr ? { pr: options.pr } : {}) });
  const raw = engine.evaluate('change', input, head.config);
  const changeFindings = finalizeFindings(raw, { registry: head, rulesMeta: engine.rules, now, ruleIdChecks: headChecks }).map((finding): Finding => {
    if (finding.location) return finding;
    // Head has no place for it: an entry the change removed, located where it was at base, and marked so (that line
    // is not head's); or an entry only the diff can place (an exception), where the diff located it (marked at base
    // when that is where it is).
    const atBase = sides.base.label.loadedAt ?? sides.base.label.commit;
    const inBase = locate(base.tenants[finding.tenant], { subject: finding.subject });
    if (inBase) return { ...finding, location: atBase ? { ...inBase, revision: atBase } : inBase };
    const location = diff.changes.find((c) => c.subject === finding.subject)?.location;
    return location ? { ...finding, location } : finding;
  });

  const inTenants = (finding: Finding): boolean => !options.tenants?.length || options.tenants.includes(finding.tenant);
  const findings = sortFindings([...registryFindings, ...changeFindings.filter(inTenants)]);
  const failOn = options.failOn ?? head.config.failOn;
  const summary = summarize(findings, failOn);
  summary.failed = findings.some((f) => (f.status === 'new' || (options.failOnExisting === true && f.status === 'existing')) && meetsThreshold(f.severity, failOn));
  const notices = rules
    ? exceptionsOfUnknownRules(head, engine.rules).map((exception) => {
        const where = exception.location ? ` at ${formatPosition(exception.location)}` : '';
        const guess = didYouMean(exception.rule, engine.rules.map((rule) => rule.id));
        return `the exception${where} names ${exception.rule}, a rule the base branch does not have${guess ? ` (${guess})` : ''}: it waives nothing until such a rule is merged`;
      })
    : [];
  return { ...headResult, findings, summary, registry: head, rules: engine.rules, now, diff, notices };
}
