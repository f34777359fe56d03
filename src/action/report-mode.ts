/**
 * Report mode (scheduled workflow): the compliance report for the current registry, one folder per tenant and
 * day under report-dir, as `scopeguard report` writes it. The workflow commits the folder or opens a PR with it.
 */
import * as core from '@actions/core';
import { resolve } from 'node:path';
import type { ActionInputs } from './main.ts';
import { writeComplianceReport } from './engine.ts';

export async function runReportMode(inputs: ActionInputs): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const outDir = resolve(workspace, inputs.reportDir ?? 'reports');
  const report = await writeComplianceReport({
    workspace,
    registry: inputs.registry,
    outDir,
    ...(inputs.failOn ? { failOn: inputs.failOn } : {}),
    ...(inputs.policy ? { policy: inputs.policy } : {}),
  });
  for (const folder of report.folders) core.info(`scopeguard: report written to ${folder}`);
  const open = report.findings.filter((f) => f.status !== 'waived');
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(report.summaryMarkdown).write();
  core.setOutput('findings', String(open.length));
  core.setOutput('new-findings', String(report.newCount));
  core.setOutput('verdict', report.failed ? 'fail' : 'pass');
  core.setOutput('report-path', report.reportPath);
  core.setOutput('comment-url', '');
  // a report records the state; it does not fail the scheduled run over findings (they are in the report)
  core.info(`scopeguard: ${open.length} open finding${open.length === 1 ? '' : 's'} (${report.failed ? 'at or above' : 'none at or above'} ${report.failOn})`);
}
