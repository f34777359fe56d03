/**
 * Webhook alerts for `check --usage --alert webhook`: every finding a target has not received yet is posted to it
 * (generic JSON, or a Slack-compatible `{text}`), signed with HMAC-SHA256 when the target names a secret, retried
 * with back-off. A delivery is recorded in the store only after a 2xx, so a failed alert is sent again next run.
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
  findings: number;
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
      const targetKey = createHash('sha256').update(target.url).digest('hex');
      const delivered = await deliveredFingerprints(store, targetKey);
      const pending = alertable.filter((f) => !delivered.has(f.fingerprint));
      if (pending.length === 0) {
        results.push({ target: label, findings: 0, delivered: true, attempts: 0 });
        continue;
      }
      const retried = `${pending.length === 1 ? 'the finding' : `the ${pending.length} findings`} will be sent next run`;
      const body = JSON.stringify(target.format === 'slack' ? slackPayload(pending) : jsonPayload(pending, options.now, options.version));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': `scopeguard/${options.version}` };
      if (target.secretEnv) {
        const secret = env[target.secretEnv];
        if (!secret) {
          const error = `environment variable ${target.secretEnv} (the signing secret) is not set`;
          log(`scopeguard: alert to ${label} not sent: ${error}; ${retried}`);
          results.push({ target: label, findings: pending.length, delivered: false, attempts: 0, error });
          continue;
        }
        headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      }
      const outcome = await postWithRetry(target.url, body, headers, attempts, backoffMs);
      if (outcome.ok) {
        await recordDeliveries(store, targetKey, pending, options.now);
      } else {
        log(`scopeguard: alert to ${label} failed after ${outcome.attempts} attempts (${outcome.error}); ${retried}`);
      }
      results.push({ target: label, findings: pending.length, delivered: outcome.ok, attempts: outcome.attempts, ...(outcome.ok ? {} : { error: outcome.error }) });
    }
  } finally {
    store.close();
  }
  return results;
}

/** Scheme, host and port only: webhook URLs (Slack's, for one) carry their secret in the path. */
export function targetLabel(url: string, index: number): string {
  try {
    return `#${index + 1} ${new URL(url).origin}`;
  } catch {
    return `#${index + 1} (invalid URL)`;
  }
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

/** Slack's incoming webhooks take `{text}` in mrkdwn; `<`, `>` and `&` are its only control characters. */
export function slackPayload(findings: readonly Finding[]): { text: string } {
  const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = findings.slice(0, 50).map((f) => `• [${f.severity.toUpperCase()}] ${f.ruleId} ${esc(f.tenant)} ${esc(f.subject)}: ${esc(f.message)}`);
  if (findings.length > 50) lines.push(`… and ${findings.length - 50} more`);
  return { text: `scopeguard: ${counted(findings.length, 'new finding')}\n${lines.join('\n')}` };
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
    try {
      const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${response.status}`;
      // a 4xx other than 408/429 will not get better by asking again
      if (response.status < 500 && response.status !== 408 && response.status !== 429) return { ok: false, attempts: attempt, error };
    } catch (cause) {
      error = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    }
    if (attempt < attempts) await new Promise((resolveDelay) => setTimeout(resolveDelay, backoffMs * 2 ** (attempt - 1)));
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
