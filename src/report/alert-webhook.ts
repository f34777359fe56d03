/**
 * Webhook alerts for `check --usage --alert webhook`: every finding a target has not received yet is posted to it
 * (generic JSON, or Slack-compatible `{text}` messages of up to 50 findings), signed with HMAC-SHA256 when the target
 * names a secret, retried with back-off when another attempt can go differently. A finding is recorded as delivered
 * only after a 2xx for a message that named it, so a failed alert is sent again next run. `user:password@` in a URL is
 * sent as Basic authentication, and nothing of a URL beyond its origin is ever printed.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AlertTarget } from '../schema/types.ts';
import type { Finding } from '../findings/finding.ts';
import { Store } from '../store/store.ts';
import { counted } from '../plural.ts';

export const SIGNATURE_HEADER = 'X-Scopeguard-Signature';

export interface AlertOptions {
  findings: readonly Finding[];
  targets: readonly AlertTarget[];
  dbPath: string;
  now: Date;
  version: string;
  env?: NodeJS.ProcessEnv;
  /** Attempts per target per run (default 3). */
  attempts?: number;
  /** First back-off in ms, doubled per retry (default 500; SCOPEGUARD_ALERT_BACKOFF_MS overrides). */
  backoffMs?: number;
  /** One line per failed delivery (default: stderr). */
  log?: (line: string) => void;
}

export interface AlertDelivery {
  target: string;
  /** Findings the target had not received. */
  findings: number;
  /** Of those, the ones delivered in this run. */
  sent: number;
  delivered: boolean;
  attempts: number;
  error?: string;
}

export async function deliverAlerts(options: AlertOptions): Promise<AlertDelivery[]> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? Number(env.SCOPEGUARD_ALERT_BACKOFF_MS ?? 500);
  // waived findings are decisions already taken; they never page anyone
  const alertable = options.findings.filter((f) => f.status !== 'waived');
  const results: AlertDelivery[] = [];
  if (options.targets.length === 0) return results;
  const store = await Store.open(options.dbPath);
  try {
    for (const [index, target] of options.targets.entries()) {
      const label = targetLabel(target.url, index);
      const targetKey = createHash('sha256').update(deliveryTarget(target.url)).digest('hex');
      const delivered = await deliveredFingerprints(store, targetKey);
      const pending = alertable.filter((f) => !delivered.has(f.fingerprint));
      if (pending.length === 0) {
        results.push({ target: label, findings: 0, sent: 0, delivered: true, attempts: 0 });
        continue;
      }
      const notSent = (error: string): void => {
        log(`scopeguard: alert to ${label} not sent: ${error}; ${nextRun(pending.length)}`);
        results.push({ target: label, findings: pending.length, sent: 0, delivered: false, attempts: 0, error });
      };
      const request = webhookRequest(target.url);
      if ('error' in request) {
        notSent(request.error);
        continue;
      }
      const secret = target.secretEnv ? env[target.secretEnv] : undefined;
      if (target.secretEnv && !secret) {
        notSent(`environment variable ${target.secretEnv} (the signing secret) is not set`);
        continue;
      }
      const messages: AlertMessage[] =
        target.format === 'slack' ? slackMessages(pending) : [{ payload: jsonPayload(pending, options.now, options.version), findings: pending }];
      let sent = 0;
      let tries = 0;
      let failure: string | undefined;
      for (const message of messages) {
        const body = JSON.stringify(message.payload);
        const headers: Record<string, string> = { ...request.headers, 'content-type': 'application/json', 'user-agent': `scopeguard/${options.version}` };
        if (secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
        const outcome = await postWithRetry(request.url, body, headers, attempts, backoffMs);
        tries += outcome.attempts;
        if (!outcome.ok) {
          // whatever the error says, the URL's path, query and credentials are not printed
          failure = scrubUrl(outcome.error ?? 'unknown error', target.url);
          log(`scopeguard: alert to ${label} failed after ${counted(outcome.attempts, 'attempt')} (${failure}); ${nextRun(pending.length - sent)}`);
          break;
        }
        // a message's own findings, and only those, are recorded: what it did not name is sent next time
        await recordDeliveries(store, targetKey, message.findings, options.now);
        sent += message.findings.length;
      }
      results.push({
        target: label,
        findings: pending.length,
        sent,
        delivered: failure === undefined,
        attempts: tries,
        ...(failure === undefined ? {} : { error: failure }),
      });
    }
  } finally {
    store.close();
  }
  return results;
}

function nextRun(count: number): string {
  return `${count === 1 ? 'the finding' : `the ${count} findings`} will be sent next run`;
}

/** Scheme, host and port only: webhook URLs (Slack's, for one) carry their secret in the path. */
export function targetLabel(url: string, index: number): string {
  try {
    const parsed = new URL(url);
    return `#${index + 1} ${parsed.origin === 'null' ? `(a ${parsed.protocol} URL)` : parsed.origin}`;
  } catch {
    return `#${index + 1} (invalid URL)`;
  }
}

/**
 * What delivery bookkeeping is kept by: the URL without its credentials, so a rotated password does not send every
 * finding again; any other URL as written, as it always was kept.
 */
function deliveryTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.username || parsed.password ? withoutCredentials(parsed).href : url;
  } catch {
    return url;
  }
}

/** The URL with its `user:password@` taken out (a copy). */
function withoutCredentials(url: URL): URL {
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  return bare;
}

/** A percent-encoded URL part as text; as it is when it does not decode. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Error text with every trace of `url` beyond its origin removed: the whole URL (as written and as parsed) becomes
 * its origin, and its credentials, path, query and fragment wherever else they appear become "…". Error messages
 * (undici's, for one) quote the URL they were given.
 */
export function scrubUrl(text: string, url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    return text.split(url).join('(the URL)');
  }
  const origin = parsed.origin === 'null' ? '(the URL)' : parsed.origin;
  const wholes = [url, parsed.href, withoutCredentials(parsed).href].filter((whole) => whole !== origin);
  const pieces = [
    parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '',
    parsed.password,
    decode(parsed.password),
    parsed.username,
    decode(parsed.username),
    `${parsed.pathname}${parsed.search}${parsed.hash}`,
    parsed.pathname,
    decode(parsed.pathname),
    parsed.search,
    parsed.hash,
    // a short piece ("/", a one-letter user name) would blot out ordinary words of the message
  ].filter((piece) => piece.length >= 3);
  let scrubbed = text;
  for (const whole of [...new Set(wholes)].sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(whole).join(origin);
  for (const piece of [...new Set(pieces)].sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(piece).join('…');
  return scrubbed;
}

/**
 * The URL to post to and the headers it implies, or why it cannot be posted to. `user:password@` in the URL is
 * what a user means as HTTP Basic authentication; fetch refuses URLs with credentials, so they go in a header.
 */
export function webhookRequest(url: string): { url: string; headers: Record<string, string> } | { error: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: 'the URL is not a valid absolute URL (write it as https://host/path)' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { error: `the URL's scheme is ${parsed.protocol.slice(0, -1)}, not http or https` };
  }
  if (!parsed.username && !parsed.password) return { url: parsed.href, headers: {} };
  const authorization = `Basic ${Buffer.from(`${decode(parsed.username)}:${decode(parsed.password)}`, 'utf8').toString('base64')}`;
  return { url: withoutCredentials(parsed).href, headers: { authorization } };
}

export function jsonPayload(findings: readonly Finding[], now: Date, version: string) {
  return {
    source: 'scopeguard',
    version,
    sentAt: now.toISOString(),
    count: findings.length,
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      tenant: f.tenant,
      subject: f.subject,
      message: f.message,
      fingerprint: f.fingerprint,
      ...(f.remediation ? { remediation: f.remediation } : {}),
      ...(f.evidence ? { evidence: f.evidence } : {}),
    })),
  };
}

/** One posted body and the findings it names (recorded as delivered once it is accepted). */
export interface AlertMessage {
  payload: unknown;
  findings: readonly Finding[];
}

/** Findings per Slack message: a longer list is more than anyone reads in one message. */
export const SLACK_FINDINGS_PER_MESSAGE = 50;
/** Slack messages per target per run; findings beyond them are sent on the next run (Slack allows ~1 message/s). */
export const SLACK_MESSAGES_PER_RUN = 10;

/**
 * Slack's incoming webhooks take `{text}` in mrkdwn; `<`, `>` and `&` are its only control characters. Findings are
 * sent SLACK_FINDINGS_PER_MESSAGE to a message, each message naming every finding it stands for, up to
 * SLACK_MESSAGES_PER_RUN messages; the last one says how many are left for the next run.
 */
export function slackMessages(findings: readonly Finding[]): AlertMessage[] {
  const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const total = findings.length;
  const sendable = findings.slice(0, SLACK_FINDINGS_PER_MESSAGE * SLACK_MESSAGES_PER_RUN);
  const messages: AlertMessage[] = [];
  for (let start = 0; start < sendable.length; start += SLACK_FINDINGS_PER_MESSAGE) {
    const chunk = sendable.slice(start, start + SLACK_FINDINGS_PER_MESSAGE);
    const lines = chunk.map((f) => `• [${f.severity.toUpperCase()}] ${f.ruleId} ${esc(f.tenant)} ${esc(f.subject)}: ${esc(f.message)}`);
    const end = start + chunk.length;
    if (end === sendable.length && end < total) lines.push(`… and ${total - end} more, in the next run's alert`);
    const range = total > SLACK_FINDINGS_PER_MESSAGE ? ` (${start + 1}–${end})` : '';
    messages.push({ payload: { text: `scopeguard: ${counted(total, 'new finding')}${range}\n${lines.join('\n')}` }, findings: chunk });
  }
  return messages;
}

// TLS certificate problems do not go away by asking again a second later
const PERMANENT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * What went wrong with a fetch, and whether another attempt can go differently: a timeout or a connection error
 * (a system or undici error code) can; a request fetch refuses to make (no code: "bad port", "unknown scheme",
 * credentials in the URL, an invalid header) cannot.
 */
export function fetchFailure(error: unknown): { error: string; retry: boolean } {
  if (!(error instanceof Error)) return { error: String(error), retry: false };
  if (error.name === 'TimeoutError') return { error: 'no response within 10 s', retry: true };
  const inner = error.cause instanceof Error ? error.cause : error;
  const code = (inner as NodeJS.ErrnoException).code ?? (error as NodeJS.ErrnoException).code;
  // an AggregateError (every address of the host refused) has no message of its own
  const nested = inner instanceof AggregateError ? inner.errors.find((e): e is Error => e instanceof Error)?.message : undefined;
  let text = inner.message || nested || code || error.message || error.name;
  // fetch's list of ports it never connects to (those of mail, IRC, X11...)
  if (text === 'bad port') text = 'bad port: fetch never connects to this port';
  return { error: text, retry: typeof code === 'string' && !PERMANENT_CODES.has(code) };
}

async function postWithRetry(
  url: string,
  body: string,
  headers: Record<string, string>,
  attempts: number,
  backoffMs: number,
): Promise<{ ok: boolean; attempts: number; error?: string }> {
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let wait = backoffMs * 2 ** (attempt - 1);
    try {
      const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${response.status}`;
      // a 4xx other than 408/429 will not get better by asking again
      if (response.status < 500 && response.status !== 408 && response.status !== 429) return { ok: false, attempts: attempt, error };
      // a rate limit says when to come back (Slack's: Retry-After in seconds); a long one waits for the next run
      const retryAfter = Number(response.headers.get('retry-after'));
      if (response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) {
        if (retryAfter > 30) return { ok: false, attempts: attempt, error: `${error}, retry after ${retryAfter} s` };
        wait = Math.max(wait, retryAfter * 1000);
      }
    } catch (cause) {
      const failure = fetchFailure(cause);
      error = failure.error;
      if (!failure.retry) return { ok: false, attempts: attempt, error };
    }
    if (attempt < attempts) await new Promise((resolveDelay) => setTimeout(resolveDelay, wait));
  }
  return { ok: false, attempts, error };
}

async function deliveredFingerprints(store: Store, target: string): Promise<Set<string>> {
  const reader = await store.connection.runAndReadAll(`SELECT fingerprint FROM alert_deliveries WHERE target = $1`, [target]);
  return new Set(reader.getRowObjectsJS().map((row) => String(row.fingerprint)));
}

async function recordDeliveries(store: Store, target: string, findings: readonly Finding[], now: Date): Promise<void> {
  const at = now.toISOString().replace('T', ' ').replace('Z', '');
  await store.connection.run('BEGIN TRANSACTION');
  try {
    for (let i = 0; i < findings.length; i += 200) {
      const chunk = findings.slice(i, i + 200);
      const values = chunk.map((_, r) => `($${r * 4 + 1}, $${r * 4 + 2}, $${r * 4 + 3}, $${r * 4 + 4}, CAST('${at}' AS TIMESTAMP))`);
      await store.connection.run(
        `INSERT INTO alert_deliveries VALUES ${values.join(', ')}`,
        chunk.flatMap((f) => [target, f.fingerprint, f.ruleId, f.tenant]),
      );
    }
    await store.connection.run('COMMIT');
  } catch (error) {
    await store.connection.run('ROLLBACK');
    throw error;
  }
}
