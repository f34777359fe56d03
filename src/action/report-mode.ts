/**
 * Report mode (scheduled workflow): the compliance report for the current registry, one folder per tenant and
 * day under report-dir, as `scopeguard report` writes it. The workflow commits the folder or opens a PR with it.
 */
import * as core from '@actions/core';
import { resolve } from 'node:path';
import type { ActionInputs } from './main.ts';
import { usageUnavailableReason, writeReports } from './engine.ts';
import { counted } from '../plural.ts';

export async function runReportMode(inputs: ActionInputs): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  if (inputs.failOn) core.info('scopeguard: report mode judges with failOn from scopeguard.yaml; the fail-on input applies to pull requests');
  const withoutUsage = await usageUnavailableReason();
  if (withoutUsage) core.notice(`scopeguard: the report leaves usage out: ${withoutUsage}`);
  const report = await writeReports({
    workspace,
    ...(withoutUsage ? { withoutUsage } : {}),
    registry: inputs.registry,
    outDir: resolve(workspace, inputs.reportDir ?? 'reports'),
    ...(inputs.policy ? { policy: inputs.policy } : {}),
  });
  for (const folder of report.folders) core.info(`scopeguard: report written to ${folder}`);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(report.summaryMarkdown).write();
  core.setOutput('findings', String(report.openFindings));
  core.setOutput('new-findings', String(report.newFindings));
  core.setOutput('verdict', report.failed ? 'fail' : 'pass');
  core.setOutput('report-path', report.reportPath);
  core.setOutput('comment-url', '');
  // a report records the state; it does not fail the scheduled run over findings (they are in the report)
  core.info(`scopeguard: ${counted(report.openFindings, 'open finding')}, ${report.newFindings} new since the previous report; verdict ${report.failed ? 'fail' : 'pass'}`);
}
