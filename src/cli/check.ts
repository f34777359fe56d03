/** `scopeguard check`: judge the registry with the built-in (and custom) rules; exit 1 on findings at or above fail-on. */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { runCheck, type CheckResult } from '../check.ts';
import { baseSubstituteNotice, forkPointNotice, runChangeCheck, type ChangeCheckResult } from '../check-base.ts';
import { headSpec } from './diff.ts';
import type { FailOn } from '../findings/finding.ts';
import { FAIL_ON_CHOICES } from '../findings/summary.ts';
import { FORMATTERS, OUTPUT_FORMATS } from '../report/formatter.ts';
import { VERSION } from '../version.ts';
import { parseNow } from './now.ts';
import { assertFormat, withFormattedErrors, writeOutput } from './io.ts';
import { addUsageCheckOptions, sendCheckAlerts, usageCheckOptions, type UsageCheckFlags } from './usage-options.ts';

interface CheckFlags extends UsageCheckFlags {
  registry: string;
  format: string;
  output?: string;
  failOn?: string;
  policy: string[];
  now?: string;
  base?: string;
  head?: string;
  worktree?: boolean;
  failOnExisting?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const isChangeCheck = (result: CheckResult): result is ChangeCheckResult => 'diff' in result;

export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .description('judge the scope registry with the built-in Rego rules (and custom policies); exit 1 on findings at or above --fail-on')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--format <format>', `output format: ${OUTPUT_FORMATS.join(', ')}`, 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', `lowest severity that fails: ${FAIL_ON_CHOICES.join(', ')} (default: failOn from scopeguard.yaml, else high)`)
    .option('--policy <dir>', 'extra Rego policy folder, compiled with opa (repeatable)', collect, [])
    .option('--now <date>', 'judge dates (exception expiry, deprecation age) as of this day or instant (default: now; SCOPEGUARD_NOW)')
    .option('--base <ref>', 'judge a change: mark findings new or existing against this revision (ref, commit or date) and run the change rules')
    .option('--head <ref>', 'with --base: the head revision (default: the work tree)')
    .option('--worktree', 'with --base: compare with the work tree (the default)')
    .option('--fail-on-existing', 'with --base: findings already present at base can fail the run too');
  addUsageCheckOptions(command).action(async (flags: CheckFlags) => {
      // flags are checked before any work, so a typo never costs a policy evaluation
      const format = flags.format;
      assertFormat(format, OUTPUT_FORMATS);
      const result = await withFormattedErrors(format, flags.output, async () => {
        if (flags.failOn !== undefined && !(FAIL_ON_CHOICES as readonly string[]).includes(flags.failOn)) {
          throw new UsageError(`unknown --fail-on "${flags.failOn}"`, `use one of: ${FAIL_ON_CHOICES.join(', ')}`);
        }
        const usage = usageCheckOptions(flags);
        const now = parseNow(flags.now);
        if (flags.base === undefined && (flags.head !== undefined || flags.worktree || flags.failOnExisting)) {
          throw new UsageError('--head, --worktree and --fail-on-existing need --base REF');
        }
        const options = {
          registryRoot: flags.registry,
          policyDirs: flags.policy,
          now,
          ...(flags.failOn ? { failOn: flags.failOn as FailOn } : {}),
          ...(usage ? { usage } : {}),
          ...(flags.tenant.length ? { tenants: flags.tenant } : {}),
        };
        return flags.base === undefined
          ? await runCheck(options)
          : await runChangeCheck({ ...options, base: flags.base, head: headSpec({ base: flags.base, ...(flags.head !== undefined ? { head: flags.head } : {}), ...(flags.worktree ? { worktree: true } : {}) }), failOnExisting: flags.failOnExisting === true });
      });
      const loadedAt = isChangeCheck(result) ? result.diff.base?.loadedAt : undefined;
      const forked = isChangeCheck(result) ? forkPointNotice(flags.base ?? '', result.diff.base) : undefined;
      if (forked) process.stderr.write(`scopeguard: ${forked}\n`);
      if (loadedAt) process.stderr.write(`scopeguard: ${baseSubstituteNotice(flags.base ?? '', loadedAt)}\n`);
      const color = !flags.output && Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
      const text = FORMATTERS[format](result, { color, version: VERSION });
      writeOutput(text, flags.output);
      await sendCheckAlerts(result, flags);
      process.exitCode = result.summary.failed ? 1 : 0;
    });
}
