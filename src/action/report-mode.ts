/**
 * Report mode (scheduled workflow): the compliance report for the current registry, one folder per tenant and
 * day under report-dir, as `scopeguard report` writes it. The workflow commits the folder or opens a PR with it.
 */
import * as core from '@actions/core';
import { resolve } from 'node:path';
import type { ActionInputs } from './main.ts';
import { usageUnavailableReason, writeReports } from './engine.ts';
import { counted } from '../plural.ts';
import { parseNow } from '../cli/now.ts';
import { SUMMARY_LIMIT } from './comment.ts';

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
    now: reportInstant(),
  });
  for (const folder of report.folders) core.info(`scopeguard: report written to ${folder}`);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(fitSummary(report.summaryMarkdown, report.reportPath)).write();
  core.setOutput('findings', String(report.openFindings));
  core.setOutput('new-findings', String(report.newFindings));
  core.setOutput('verdict', report.failed ? 'fail' : 'pass');
  core.setOutput('report-path', report.reportPath);
  core.setOutput('comment-url', '');
  // a report records the state; it does not fail the scheduled run over findings (they are in the report)
  core.info(`scopeguard: ${counted(report.openFindings, 'open finding')}, ${report.newFindings} new since the previous report; verdict ${report.failed ? 'fail' : 'pass'}`);
}

/**
 * The instant a scheduled report describes: the start of the current UTC day (SCOPEGUARD_NOW overrides it). A day's
 * report then covers whole days, and a rerun on the same day writes the same files, so the workflow finds nothing
 * to commit instead of opening another pull request over a new time of day.
 */
function reportInstant(): Date {
  if (process.env.SCOPEGUARD_NOW) return parseNow(undefined);
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** The report as the job summary, cut at a line to GitHub's size limit, with where the whole of it is. */
function fitSummary(markdown: string, reportPath: string): string {
  if (SUMMARY_LIMIT.sizeOf(markdown) <= SUMMARY_LIMIT.max) return markdown;
  const tail = `\n\n… cut to fit GitHub's job summary limit; the whole report is in \`${reportPath}\`.\n`;
  const budget = SUMMARY_LIMIT.max - SUMMARY_LIMIT.sizeOf(tail);
  const kept: string[] = [];
  let size = 0;
  for (const line of markdown.split('\n')) {
    size += SUMMARY_LIMIT.sizeOf(line) + 1;
    if (size > budget) break;
    kept.push(line);
  }
  return `${kept.join('\n')}${tail}`;
}
