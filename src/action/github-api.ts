/**
 * The few GitHub REST calls the Action makes, on octokit (which brings retry with back-off for 5xx and the
 * throttling plugin for primary and secondary rate limits). Failures come back as one readable line, never a
 * stack trace: the caller decides whether a failed comment degrades the run or not.
 */
import { Octokit, RequestError } from 'octokit';

export interface ApiLog {
  info(message: string): void;
  debug(message: string): void;
}

export interface StickyComment {
  id: number;
  url: string;
  body: string;
}

export interface PullRequestRef {
  owner: string;
  repo: string;
  issueNumber: number;
}

/** A GitHub API call that failed after retries, described for a person reading the job log. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    /** GitHub's rate limit (primary or secondary) was still hit after the retries: no permission problem. */
    readonly rateLimited = false,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }

  /** The token may not write here (fork pull request, or a workflow without `pull-requests: write`). */
  get readOnly(): boolean {
    return !this.rateLimited && (this.status === 403 || this.status === 404);
  }
}

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL; https://api.github.com when unset, the GHES or test server otherwise. */
  baseUrl: string;
  log: ApiLog;
}

/**
 * Whether to wait out a rate limit and retry: twice at most, and only when GitHub says it lifts within a minute. An
 * exhausted hourly quota can take most of an hour to reset; waiting for it would run into the job's timeout and lose
 * the verdict, the summary and the SARIF, while giving up leaves the comment for the next run (a warning says so).
 */
function waitForRateLimit(what: string, retryAfter: number, request: { method: string; url: string; request: { retryCount: number } }, log: ApiLog): boolean {
  const wait = retryAfter <= MAX_RATE_LIMIT_WAIT_S && request.request.retryCount < 2;
  log.info(`GitHub API: ${what} for ${request.method} ${request.url}; ${wait ? `retrying in ${retryAfter}s` : `it lifts in ${retryAfter}s, not waiting`}`);
  return wait;
}

const MAX_RATE_LIMIT_WAIT_S = 60;

export class CommentClient {
  private readonly octokit: Octokit;
  private viewer: Promise<string | undefined> | undefined;

  constructor(options: GitHubClientOptions) {
    this.octokit = new Octokit({
      auth: options.token,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      log: {
        debug: (m: string) => options.log.debug(m),
        info: (m: string) => options.log.info(`GitHub API: ${m}`),
        warn: (m: string) => options.log.info(`GitHub API: ${m}`),
        error: (m: string) => options.log.info(`GitHub API: ${m}`),
      },
      // 5xx: up to three retries after 1 s, 4 s and 9 s (octokit's back-off); 4xx other than rate limits are final
      retry: { retries: 3 },
      throttle: {
        onRateLimit: (retryAfter: number, request: { method: string; url: string; request: { retryCount: number } }) =>
          waitForRateLimit('rate limit reached', retryAfter, request, options.log),
        onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string; request: { retryCount: number } }) =>
          waitForRateLimit('secondary rate limit', retryAfter, request, options.log),
      },
    });
  }

  /** Every comment on the pull request that starts with the marker (ours always do; a quote of one does not), oldest first. */
  async findSticky(pr: PullRequestRef, marker: string): Promise<StickyComment[]> {
    return this.call('list the pull request comments', async () => {
      const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: pr.owner,
        repo: pr.repo,
        issue_number: pr.issueNumber,
        per_page: 100,
      });
      // ours: written by this token's identity. Anyone may post a comment that starts with the marker; taking theirs
      // would put the verdict where its author can edit it back, and folding duplicates would delete their comment.
      const me = await this.identity();
      return comments
        .filter((c) => (c.body ?? '').trimStart().startsWith(marker))
        .filter((c) => (me !== undefined ? c.user?.login === me : c.user?.type === 'Bot'))
        .map((c) => ({ id: c.id, url: c.html_url, body: c.body ?? '' }));
    });
  }

  /**
   * The login the token writes as, for a personal token; undefined for the Actions token or an App installation
   * token, which may not read /user and whose comments are a bot's (github-actions[bot], <app>[bot]).
   */
  private identity(): Promise<string | undefined> {
    this.viewer ??= this.octokit.rest.users.getAuthenticated().then(
      ({ data }) => (data.type === 'Bot' ? undefined : data.login),
      () => undefined,
    );
    return this.viewer;
  }

  async create(pr: PullRequestRef, body: string): Promise<StickyComment> {
    return this.call('create the pull request comment', async () => {
      const { data } = await this.octokit.rest.issues.createComment({ owner: pr.owner, repo: pr.repo, issue_number: pr.issueNumber, body });
      return { id: data.id, url: data.html_url, body: data.body ?? '' };
    });
  }

  async update(pr: PullRequestRef, id: number, body: string): Promise<StickyComment> {
    return this.call('update the pull request comment', async () => {
      const { data } = await this.octokit.rest.issues.updateComment({ owner: pr.owner, repo: pr.repo, comment_id: id, body });
      return { id: data.id, url: data.html_url, body: data.body ?? '' };
    });
  }

  async delete(pr: PullRequestRef, id: number): Promise<void> {
    await this.call('delete the pull request comment', async () => {
      await this.octokit.rest.issues.deleteComment({ owner: pr.owner, repo: pr.repo, comment_id: id });
    });
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw describeApiError(what, error);
    }
  }
}

export function describeApiError(what: string, error: unknown): GitHubApiError {
  if (error instanceof RequestError && error.response === undefined) {
    // no answer at all: octokit calls it a 500, but it is a network or address problem, and its cause says which
    // fetch's TypeError ("fetch failed") carries the system error (ECONNREFUSED, ENOTFOUND...) as its own cause
    let reason = error.message;
    for (let cause: unknown = (error as { cause?: unknown }).cause; cause && typeof cause === 'object'; cause = (cause as { cause?: unknown }).cause) {
      const { code, message } = cause as { code?: unknown; message?: unknown };
      if (typeof code === 'string') {
        reason = code;
        break;
      }
      if (typeof message === 'string') reason = message;
    }
    return new GitHubApiError(`could not ${what}: GitHub's API did not answer (${reason}): check GITHUB_API_URL and the runner's network`, undefined);
  }
  if (error instanceof RequestError) {
    const detail = apiMessage(error);
    const status = error.status;
    const rateLimited = isRateLimited(error, detail);
    const hint = rateLimited
      ? "GitHub's API rate limit was reached and the retries ran out; the comment is left as it was and is updated on the next run"
      : status === 403
        ? 'the token cannot write here: a pull request from a fork gets a read-only token, or the workflow lacks `permissions: pull-requests: write`'
        : status === 404
          ? 'not found: check the repository, the pull request number and that the token can see them'
          : status === 422
            ? 'GitHub rejected the request as invalid'
            : status === 401
              ? 'the token was rejected: check the `github-token` input'
              : status >= 500
                ? 'GitHub is having trouble; retried with back-off and gave up'
                : 'unexpected answer';
    return new GitHubApiError(`could not ${what}: HTTP ${status}${detail ? ` (${detail})` : ''}: ${hint}`, status, rateLimited);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GitHubApiError(`could not ${what}: ${message}`, undefined);
}

/** A 429, or a 403 that GitHub marks as a rate limit (no requests left, a retry-after, or its own words). */
function isRateLimited(error: RequestError, detail: string): boolean {
  if (error.status === 429) return true;
  if (error.status !== 403) return false;
  const headers = error.response?.headers ?? {};
  return headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(detail);
}

function apiMessage(error: RequestError): string {
  const data = error.response?.data;
  if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string') return data.message.slice(0, 200);
  return '';
}
