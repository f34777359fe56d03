/**
 * Pull-request mode: judge the head against the base revision, then tell the reviewer through every channel the
 * token allows: the sticky comment, annotations, the job summary, SARIF. The comment is best effort (a fork's
 * read-only token cannot write it); the verdict never depends on it.
 */
import * as core from '@actions/core';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { openRepo } from '../git/repo.ts';
import { InputError, NoRegistryFiles, ScopeguardError, ValidationError } from '../errors.ts';
import { meetsThreshold } from '../findings/finding.ts';
import type { ActionInputs } from './main.ts';
import { COMMENT_LIMIT, SUMMARY_LIMIT, newFindings, renderInvalid, renderReview, stickyMarker, verdictOf, type RenderContext } from './comment.ts';
import { CommentClient, GitHubApiError, type PullRequestRef, type StickyComment } from './github-api.ts';
import { emitAnnotations, reviewPullRequest, writeProblemsSarif, writeSarif, type PullRequestReview } from './engine.ts';
import { counted } from '../plural.ts';

export type CommentMode = 'true' | 'false' | 'on-findings';

class EventError extends ScopeguardError {}

interface PullRequestEvent {
  number: number;
  author?: string;
  title?: string;
  baseSha: string;
  headSha: string;
  owner: string;
  repo: string;
}

function readEvent(): PullRequestEvent {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) throw new EventError('GITHUB_EVENT_PATH is not set', 'pull-request mode runs in a workflow triggered by `pull_request`');
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EventError(`cannot read the event payload ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pr = (
    payload as { pull_request?: { number?: unknown; title?: unknown; user?: { login?: unknown }; base?: { sha?: unknown }; head?: { sha?: unknown } } }
  ).pull_request;
  const number = (payload as { number?: unknown }).number ?? pr?.number;
  if (!pr || typeof pr.base?.sha !== 'string' || typeof pr.head?.sha !== 'string' || typeof number !== 'number') {
    throw new EventError(
      'the event has no pull request (base and head sha)',
      'use `mode: report` on schedule/workflow_dispatch, or trigger the workflow on `pull_request`',
    );
  }
  const fullName = process.env.GITHUB_REPOSITORY ?? (payload as { repository?: { full_name?: string } }).repository?.full_name ?? '';
  const [owner = '', repo = ''] = fullName.split('/');
  if (!owner || !repo) throw new EventError('GITHUB_REPOSITORY is not set (owner/name)');
  return {
    number,
    baseSha: pr.base.sha,
    headSha: pr.head.sha,
    owner,
    repo,
    ...(typeof pr.user?.login === 'string' ? { author: pr.user.login } : {}),
    ...(typeof pr.title === 'string' ? { title: pr.title } : {}),
  };
}

export async function runPullRequestMode(given: ActionInputs): Promise<void> {
  const event = readEvent();
  // where sarif-file points; the review itself runs in the repository's checkout
  const runnerWorkspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  // finding locations are relative to the workspace; blob links need them relative to the repository's top
  const { workspace, repoTop, inputs } = await checkoutOf(runnerWorkspace, given);
  core.info(`scopeguard: reviewing ${inputs.registry} at ${event.headSha.slice(0, 12)} against base ${event.baseSha.slice(0, 12)}`);
  const context: RenderContext = {
    registry: inputs.registry,
    serverUrl: (process.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
    repository: `${event.owner}/${event.repo}`,
    baseSha: event.baseSha,
    headSha: event.headSha,
    repoPath: (file) => relative(repoTop, resolve(realpathSync(workspace), file)).split(sep).join('/'),
  };

  let review: PullRequestReview;
  try {
    review = await reviewPullRequest({
      workspace,
      registry: inputs.registry,
      baseSha: event.baseSha,
      headSha: event.headSha,
      ...(inputs.failOn ? { failOn: inputs.failOn } : {}),
      ...(inputs.policy ? { policy: inputs.policy } : {}),
      pr: { number: event.number, ...(event.author ? { author: event.author } : {}), ...(event.title ? { title: event.title } : {}) },
    });
  } catch (error) {
    // neither side has the registry: the folder named is the workflow's mistake, and its hint names a CLI flag
    if (error instanceof NoRegistryFiles) throw new InputError(error.message, 'check the `registry` input of the step (default: scopes), relative to the repository checkout');
    // a pull request that breaks the registry gets told where, in the same comment; the failure itself is
    // reported (annotations, failed step) by the caller
    if (error instanceof ValidationError) {
      await reportInvalidRegistry(inputs, event, context, error);
      if (inputs.sarifFile) core.info(`scopeguard: SARIF written to ${writeProblemsSarif(error, resolve(runnerWorkspace, inputs.sarifFile))}`);
    }
    throw error;
  }
  const verdict = verdictOf(review);
  const fresh = newFindings(review);

  emitAnnotations(fresh, review.failOn, review.rules);

  const nothingNew = fresh.length === 0;
  const comment = await publishComment(inputs, event, {
    body: renderReview(review, context, { limit: COMMENT_LIMIT, overflowWhere: 'the job summary', allClear: nothingNew }),
    deleteInstead: nothingNew && inputs.comment === 'on-findings',
  });

  const summaryNotice = comment.degraded ? `The pull request comment could not be written: ${comment.degraded}` : undefined;
  const summary = renderReview(summaryNotice ? { ...review, notices: [...review.notices, summaryNotice] } : review, context, {
    limit: SUMMARY_LIMIT,
    overflowWhere: 'the SARIF file or `scopeguard check --format json`',
  });
  await writeSummary(summary);

  core.setOutput('findings', String(review.findings.filter((f) => f.status !== 'waived').length));
  core.setOutput('new-findings', String(fresh.length));
  core.setOutput('verdict', verdict);
  core.setOutput('report-path', '');
  core.setOutput('comment-url', comment.url ?? '');

  // last of the outputs: a SARIF path that cannot be written fails the step, but the review is out already
  if (inputs.sarifFile) {
    const written = writeSarif(review.findings, review.failOn, review.rules, resolve(runnerWorkspace, inputs.sarifFile));
    core.info(`scopeguard: SARIF written to ${written}`);
  }

  if (verdict === 'fail') {
    const blocking = fresh.filter((f) => meetsThreshold(f.severity, review.failOn)).length;
    core.setFailed(`scopeguard: ${counted(blocking, 'new finding')} at or above ${review.failOn}`);
  } else {
    core.info(`scopeguard: pass (${counted(fresh.length, 'new finding')}, none at or above ${review.failOn})`);
  }
}

/**
 * The repository checkout the review runs in, and the inputs relative to it. Usually the workspace itself; with
 * `actions/checkout`'s `path:` the repository sits in a folder of it, and the registry input names the registry
 * inside that folder (`path: app` → `registry: app/scopes`), so the repository is the one holding the registry.
 */
async function checkoutOf(runnerWorkspace: string, inputs: ActionInputs): Promise<{ workspace: string; repoTop: string; inputs: ActionInputs }> {
  try {
    return { workspace: runnerWorkspace, repoTop: (await openRepo(runnerWorkspace)).top, inputs };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    let folder = resolve(runnerWorkspace, inputs.registry);
    while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
    let top: string;
    try {
      top = (await openRepo(folder)).top;
    } catch {
      throw new InputError(
        `${runnerWorkspace} is not a git checkout, and neither is the registry folder "${inputs.registry}"`,
        'run actions/checkout before scopeguard; with its `path:` input, name the registry inside that folder (path: app → registry: app/scopes)',
      );
    }
    const inside = (path: string): string => relative(top, resolve(runnerWorkspace, path)).split(sep).join('/') || '.';
    return { workspace: top, repoTop: top, inputs: { ...inputs, registry: inside(inputs.registry), ...(inputs.policy ? { policy: inside(inputs.policy) } : {}) } };
  }
}

async function reportInvalidRegistry(inputs: ActionInputs, event: PullRequestEvent, context: RenderContext, error: ValidationError): Promise<void> {
  const problems = error.problems;
  const message = `${error.message}${error.hint ? ` (${error.hint})` : ''}`;
  const comment = await publishComment(inputs, event, {
    body: renderInvalid(problems, message, context, { limit: COMMENT_LIMIT, overflowWhere: 'the job summary' }),
    deleteInstead: false,
  });
  await writeSummary(renderInvalid(problems, message, context, { limit: SUMMARY_LIMIT, overflowWhere: 'the job log' }));
  core.setOutput('verdict', 'fail');
  core.setOutput('comment-url', comment.url ?? '');
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('scopeguard: GITHUB_STEP_SUMMARY is not set; job summary skipped');
    return;
  }
  await core.summary.addRaw(markdown).write();
}

interface CommentOutcome {
  url?: string;
  /** Why the comment could not be written (the run carries on without it). */
  degraded?: string;
}

async function publishComment(inputs: ActionInputs, event: PullRequestEvent, wanted: { body: string; deleteInstead: boolean }): Promise<CommentOutcome> {
  if (inputs.comment === 'false') return {};
  if (!inputs.token) {
    const reason = 'no `github-token` was given';
    core.notice(`scopeguard: ${reason}; results are in the job summary, annotations and SARIF`);
    return { degraded: reason };
  }
  const client = new CommentClient({
    token: inputs.token,
    baseUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
    log: { info: (m) => core.info(m), debug: (m) => core.debug(m) },
  });
  const pr: PullRequestRef = { owner: event.owner, repo: event.repo, issueNumber: event.number };
  const marker = stickyMarker(inputs.registry);
  try {
    const [sticky, ...duplicates] = await client.findSticky(pr, marker);
    // a second sticky can only come from a race between two runs; fold it back into one
    for (const extra of duplicates) await client.delete(pr, extra.id);

    if (wanted.deleteInstead) {
      if (sticky) {
        await client.delete(pr, sticky.id);
        core.info('scopeguard: nothing new left; the earlier comment was deleted');
      }
      return {};
    }
    const written = sticky ? await updateOrRecreate(client, pr, sticky.id, wanted.body) : await client.create(pr, wanted.body);
    core.info(`scopeguard: ${sticky ? 'updated' : 'created'} the pull request comment ${written.url}`);
    return { url: written.url };
  } catch (error) {
    if (!(error instanceof GitHubApiError)) throw error;
    const reason = error.message;
    if (error.readOnly) core.notice(`scopeguard: ${reason}. Results are in the job summary, annotations and SARIF instead.`);
    else core.warning(`scopeguard: ${reason}. Results are in the job summary, annotations and SARIF instead.`);
    return { degraded: reason };
  }
}

/** The sticky comment can vanish between listing and updating (deleted by hand): write a new one then. */
async function updateOrRecreate(client: CommentClient, pr: PullRequestRef, id: number, body: string): Promise<StickyComment> {
  try {
    return await client.update(pr, id, body);
  } catch (error) {
    if (!(error instanceof GitHubApiError) || error.status !== 404) throw error;
    core.info('scopeguard: the earlier comment is gone; writing a new one');
    return client.create(pr, body);
  }
}
