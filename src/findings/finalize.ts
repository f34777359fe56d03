/**
 * Turns what the policies returned into Finding[]: severity (rule METADATA, overridden or switched off in
 * scopeguard.yaml), a stable fingerprint, a location in the registry, exceptions applied, deterministic order.
 */
import { createHash } from 'node:crypto';
import { InputError, ValidationError } from '../errors.ts';
import type { Exception, Registry, Severity, SourcePosition, Tenant } from '../registry/model.ts';
import { didYouMean } from '../registry/suggest.ts';
import type { RawFinding } from '../policy/engine.ts';
import type { RuleMeta } from '../policy/bundle.ts';
import { severityRank, type Finding } from './finding.ts';
import { findWaiver } from './exceptions.ts';

/**
 * Which rule ids must name a known rule (a typo is exit 2): `all` checks the exceptions and the config's `rules:`;
 * `exceptions` leaves out `rules:` when the config is another revision's (the Action judges a pull request with
 * the base's rules); `none` is for a base revision, judged only to compare with, whose typos must not block the
 * change that fixes them.
 */
export type RuleIdChecks = 'all' | 'exceptions' | 'none';

export interface FinalizeContext {
  registry: Registry;
  rulesMeta: readonly RuleMeta[];
  now: Date;
  /** Default `all`. */
  ruleIdChecks?: RuleIdChecks;
}

/** Severity of a custom rule that declares none, and of a finding whose ruleId no METADATA describes. */
const DEFAULT_SEVERITY: Severity = 'medium';

export function finalizeFindings(raw: readonly RawFinding[], context: FinalizeContext): Finding[] {
  const { registry, now } = context;
  const rules = new Map(context.rulesMeta.map((rule) => [rule.id, rule]));
  const checks = context.ruleIdChecks ?? 'all';
  if (checks !== 'none') checkExceptionRules(registry, rules);
  if (checks === 'all') checkConfiguredRules(registry, rules);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const fingerprints = distinctFingerprints(raw);
  for (const [index, r] of raw.entries()) {
    const meta = rules.get(r.ruleId);
    const override = registry.config.rules[r.ruleId]?.severity;
    if (override === 'off') continue;
    const fingerprint = fingerprints[index]!;
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    const tenant = registry.tenants[r.tenant];
    const finding: Finding = {
      ruleId: r.ruleId,
      severity: override ?? meta?.severity ?? DEFAULT_SEVERITY,
      tenant: r.tenant,
      subject: r.subject,
      message: r.message,
      fingerprint,
      status: 'new',
    };
    if (meta?.remediation) finding.remediation = meta.remediation;
    const location = locate(tenant, r);
    if (location) finding.location = location;
    if (r.evidence) finding.evidence = r.evidence;
    const waiver = findWaiver(tenant, r.ruleId, r.subject, now);
    if (waiver) {
      finding.status = 'waived';
      finding.waivedBy = { reason: waiver.reason, expires: waiver.expires, ...(waiver.owner ? { owner: waiver.owner } : {}) };
    }
    findings.push(finding);
  }
  return sortFindings(findings);
}

/** sha256 of rule, tenant, subject and the discriminating key: stable across runs, edits and line moves. */
export function fingerprintOf(finding: Pick<RawFinding, 'ruleId' | 'tenant' | 'subject' | 'key'>): string {
  return createHash('sha256')
    .update([finding.ruleId, finding.tenant, finding.subject, finding.key ?? ''].join('\0'))
    .digest('hex');
}

/**
 * One fingerprint per raw finding. Findings of one rule on one subject are told apart by their `key`, and those
 * with the same key are one finding (SG205 reports a commit once per owner, however many ways it touched the
 * entry). Where a rule gives no key at all (a custom rule may not know it should) and reports a subject with
 * different messages, each message is a finding of its own, instead of all but one being dropped as repeats.
 */
function distinctFingerprints(raw: readonly RawFinding[]): string[] {
  const plain = raw.map(fingerprintOf);
  const messages = new Map<string, Set<string>>();
  plain.forEach((fingerprint, index) => {
    if (raw[index]!.key !== undefined) return;
    let seen = messages.get(fingerprint);
    if (!seen) messages.set(fingerprint, (seen = new Set()));
    seen.add(raw[index]!.message);
  });
  return plain.map((fingerprint, index) => {
    const finding = raw[index]!;
    const told = (messages.get(fingerprint)?.size ?? 0) > 1;
    return told ? fingerprintOf({ ...finding, key: `\0${finding.message}` }) : fingerprint;
  });
}

/** Most severe first, then by rule, tenant, subject and fingerprint, so output never depends on evaluation order. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.tenant, b.tenant) ||
      compare(a.subject, b.subject) ||
      compare(a.fingerprint, b.fingerprint),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const GRANT_SUBJECT = /^client:(.+)\/scope:(.+)$/;

/** Where a finding points: an exception entry, a grant line, a client or a scope definition. */
export function locate(tenant: Tenant | undefined, finding: Pick<RawFinding, 'subject' | 'exception'>): SourcePosition | undefined {
  if (!tenant) return undefined;
  if (finding.exception !== undefined) {
    const exception = tenant.exceptions[finding.exception];
    if (exception) return exception.location;
  }
  const grant = GRANT_SUBJECT.exec(finding.subject);
  if (grant) {
    const client = tenant.clients[grant[1]!];
    return client?.grants.find((g) => g.scope === grant[2])?.location ?? client?.location ?? tenant.scopes[grant[2]!]?.location;
  }
  if (finding.subject.startsWith('client:')) return tenant.clients[finding.subject.slice('client:'.length)]?.location;
  if (finding.subject.startsWith('scope:')) {
    const name = finding.subject.slice('scope:'.length);
    return tenant.scopes[name]?.location ?? tenant.actions[name]?.[0]?.location;
  }
  return undefined;
}

/**
 * A `rules:` setting for a rule nobody defines changes nothing (`SG016: {severity: off}` meant to silence SG106
 * would not): a typo, reported at its key as linters report an unknown rule in their configuration.
 */
function checkConfiguredRules(registry: Registry, rules: ReadonlyMap<string, RuleMeta>): void {
  for (const [ruleId, settings] of Object.entries(registry.config.rules)) {
    const location = registry.config.ruleLocations?.[ruleId] ?? registry.config.location;
    const rule = rules.get(ruleId);
    if (!rule) throw unknownRule('rules:', ruleId, location, rules);
    // `{severty: off}` or `{enabled: false}` would change nothing while looking like it switched the rule off
    if (rule.options === undefined) continue;
    const known = ['severity', ...rule.options];
    const unknown = Object.keys(settings).find((name) => !known.includes(name));
    if (unknown !== undefined) {
      throw registryProblem(
        `rules: ${ruleId} has no setting "${unknown}"`,
        didYouMean(unknown, known) ?? `${ruleId} takes ${known.join(', ')}; write {severity: off} to switch it off`,
        location,
      );
    }
  }
}

/** An exception naming a rule nobody defines can never waive anything: it is a typo, reported at its entry. */
function checkExceptionRules(registry: Registry, rules: ReadonlyMap<string, RuleMeta>): void {
  const [first] = exceptionsOfUnknownRules(registry, [...rules.values()]);
  if (first) throw unknownRule('exception', first.rule, first.location, rules);
}

/**
 * The exceptions that name a rule none of `rules` defines. `check` stops at the first. The Action judges a pull
 * request by the base branch's rules, and a pull request may add a custom rule together with its exceptions: there
 * they are said in the comment instead (see runChangeCheck's `notices`).
 */
export function exceptionsOfUnknownRules(registry: Registry, rules: readonly RuleMeta[]): Exception[] {
  const known = new Set(rules.map((rule) => rule.id));
  return Object.values(registry.tenants).flatMap((tenant) => tenant.exceptions.filter((exception) => !known.has(exception.rule)));
}

/** `<what> names unknown rule <id>` at its place, with the closest known id (or all of them) as the hint. */
function unknownRule(what: string, ruleId: string, location: SourcePosition | undefined, rules: ReadonlyMap<string, RuleMeta>): InputError {
  return registryProblem(`${what} names unknown rule ${ruleId}`, didYouMean(ruleId, rules.keys()) ?? `known rules: ${[...rules.keys()].join(', ')}`, location);
}

/**
 * A mistake at one place in the registry (a rule id or setting that nothing defines) is a registry problem there, as
 * a schema error is: placed in annotations and SARIF, with its position in the text. Without a place, a plain error.
 */
function registryProblem(message: string, hint: string, location: SourcePosition | undefined): InputError {
  if (!location) return new InputError(message, hint);
  return new ValidationError([{ file: location.file, line: location.line, column: location.column, code: 'reference', message, hint }]);
}
