/**
 * deliverAlerts against a real HTTP receiver on 127.0.0.1 and a real DuckDB store: what is recorded as delivered is
 * what a message named, credentials in a URL become Basic authentication, and no error text shows more of a URL
 * than its origin.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverAlerts, fetchFailure, scrubUrl, webhookRequest, type AlertOptions } from '../../src/report/alert-webhook.ts';
import type { Finding } from '../../src/findings/finding.ts';
import { tempDir } from './helpers.ts';

interface Received {
  path: string;
  body: string;
  authorization?: string;
}

function findings(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) => ({
    ruleId: 'SG306',
    severity: 'high',
    tenant: 'acme',
    subject: `client:unknown-${String(i).padStart(3, '0')}`,
    message: `unknown client ${i} used the API`,
    fingerprint: `fp-${i}`,
    status: 'new',
  }));
}

describe('deliverAlerts', () => {
  let server: Server;
  let port = 0;
  const received: Received[] = [];
  let logged: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), authorization: req.headers.authorization });
        res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
        res.end('ok');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  beforeEach(() => {
    received.length = 0;
    logged = [];
  });

  const deliver = (options: Partial<AlertOptions> & Pick<AlertOptions, 'findings' | 'targets' | 'dbPath'>) =>
    deliverAlerts({ now: new Date('2026-11-20T00:00:00Z'), version: 'test', backoffMs: 5, env: {}, log: (line) => logged.push(line), ...options });
  const texts = () => received.map((r) => (JSON.parse(r.body) as { text: string }).text);

  it('sends every Slack finding: 65 go as two messages, each recorded only once accepted, none again next run', async () => {
    const dbPath = join(tempDir(), 'audit.duckdb');
    const targets = [{ url: `http://127.0.0.1:${port}/slack/T000/SECRET`, format: 'slack' as const }];
    const first = await deliver({ findings: findings(65), targets, dbPath });
    expect(first[0]).toMatchObject({ findings: 65, sent: 65, delivered: true });
    expect(received).toHaveLength(2);
    const [one, two] = texts();
    expect(one).toMatch(/^scopeguard: 65 new findings \(1–50\)\n/);
    expect(one!.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(50);
    expect(two).toMatch(/^scopeguard: 65 new findings \(51–65\)\n/);
    expect(two!.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(15);
    expect(two).toContain('client:unknown-064');
    expect(`${one}\n${two}`).not.toContain('more');
    received.length = 0;
    const second = await deliver({ findings: findings(65), targets, dbPath });
    expect(second[0]).toMatchObject({ findings: 0, delivered: true });
    expect(received).toHaveLength(0);
    expect(logged).toEqual([]);
  });

  it('leaves what no accepted message named for the next run', async () => {
    const dbPath = join(tempDir(), 'audit.duckdb');
    const slack = { url: `http://127.0.0.1:${port}/slack/many`, format: 'slack' as const };
    // ten messages of 50 a run; the last says how many wait
    const first = await deliver({ findings: findings(520), targets: [slack], dbPath });
    expect(first[0]).toMatchObject({ findings: 520, sent: 500, delivered: true });
    expect(received).toHaveLength(10);
    expect(texts()[9]).toMatch(/\n… and 20 more, in the next run's alert$/);
    received.length = 0;
    await deliver({ findings: findings(520), targets: [slack], dbPath });
    expect(received).toHaveLength(1);
    expect(texts()[0]).toMatch(/^scopeguard: 20 new findings\n/);
    expect(texts()[0]).toContain('client:unknown-519');
  });

  it('keeps the findings of a refused message for next run', async () => {
    const dbPath = join(tempDir(), 'audit.duckdb');
    const result = await deliver({ findings: findings(65), targets: [{ url: `http://127.0.0.1:${port}/fail/SECRET`, format: 'slack' }], dbPath });
    expect(result[0]).toMatchObject({ findings: 65, sent: 0, delivered: false, attempts: 3 });
    expect(logged).toEqual([`scopeguard: alert to #1 http://127.0.0.1:${port} failed after 3 attempts (HTTP 500); the 65 findings will be sent next run`]);
  });

  it('sends user:password@ in the URL as Basic authentication, to the URL without them', async () => {
    const dbPath = join(tempDir(), 'audit.duckdb');
    const result = await deliver({
      findings: findings(2),
      targets: [{ url: `http://us%40er:hun%3Ater2@127.0.0.1:${port}/services/T000/SECRETPATH`, format: 'json' }],
      dbPath,
    });
    expect(logged).toEqual([]);
    expect(result[0]).toMatchObject({ target: `#1 http://127.0.0.1:${port}`, delivered: true, attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe('/services/T000/SECRETPATH');
    expect(received[0]!.authorization).toBe(`Basic ${Buffer.from('us@er:hun:ter2').toString('base64')}`);
    // a rotated password is the same target: what it was sent is not sent again
    const rotated = await deliver({ findings: findings(2), targets: [{ url: `http://us%40er:n3w@127.0.0.1:${port}/services/T000/SECRETPATH`, format: 'json' }], dbPath });
    expect(rotated[0]).toMatchObject({ findings: 0, sent: 0 });
    expect(received).toHaveLength(1);
  });

  it('does not retry what cannot succeed, and says why without the URL', async () => {
    const dbPath = join(tempDir(), 'audit.duckdb');
    // 6000 (X11) is one of the ports fetch never connects to
    const result = await deliver({
      findings: findings(1),
      targets: [
        { url: 'http://user:hunter2@127.0.0.1:6000/services/SECRETPATH?token=abc', format: 'slack' },
        { url: 'ftp://user:hunter2@example.com/SECRETPATH', format: 'json' },
        { url: 'hooks.slack.com/services/SECRETPATH', format: 'slack' },
      ],
      dbPath,
    });
    expect(result.map((r) => r.attempts)).toEqual([1, 0, 0]);
    expect(logged).toEqual([
      'scopeguard: alert to #1 http://127.0.0.1:6000 failed after 1 attempt (bad port: fetch never connects to this port); the finding will be sent next run',
      "scopeguard: alert to #2 ftp://example.com not sent: the URL's scheme is ftp, not http or https; the finding will be sent next run",
      'scopeguard: alert to #3 (invalid URL) not sent: the URL is not a valid absolute URL (write it as https://host/path); the finding will be sent next run',
    ]);
  });
});

describe('scrubUrl', () => {
  const url = 'http://user:hunter2@127.0.0.1:8787/services/T000/SECRETPATH?token=t0k3n#frag';

  it('leaves only the origin of the URL in error text', () => {
    const undici = `Request cannot be constructed from a URL that includes credentials: ${url}`;
    expect(scrubUrl(undici, url)).toBe('Request cannot be constructed from a URL that includes credentials: http://127.0.0.1:8787');
    expect(scrubUrl(`POST ${new URL(url).href} failed`, url)).toBe('POST http://127.0.0.1:8787 failed');
    expect(scrubUrl('GET http://127.0.0.1:8787/services/T000/SECRETPATH?token=t0k3n#frag', url)).toBe('GET http://127.0.0.1:8787');
  });

  it('removes its credentials, path and query wherever else they appear', () => {
    const text = scrubUrl('user:hunter2@ said hunter2 about /services/T000/SECRETPATH and ?token=t0k3n', url);
    expect(text).not.toMatch(/hunter2|SECRETPATH|t0k3n/);
    expect(text).toBe('… said … about … and …');
    // short pieces ("/") do not blot out the message
    expect(scrubUrl('connect ECONNREFUSED 127.0.0.1:8787', 'http://127.0.0.1:8787/')).toBe('connect ECONNREFUSED 127.0.0.1:8787');
  });

  it('replaces a URL that does not parse as a whole', () => {
    expect(scrubUrl('bad: hooks.slack.com/services/SECRET', 'hooks.slack.com/services/SECRET')).toBe('bad: (the URL)');
  });
});

describe('webhookRequest and fetchFailure', () => {
  it('moves credentials out of the URL', () => {
    expect(webhookRequest('https://a:b@example.com/x?y=1')).toEqual({ url: 'https://example.com/x?y=1', headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(webhookRequest('https://example.com/x')).toEqual({ url: 'https://example.com/x', headers: {} });
  });

  it('retries connection errors and timeouts, not requests fetch refuses to make', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(fetchFailure(new TypeError('fetch failed', { cause: refused }))).toEqual({ error: 'connect ECONNREFUSED 127.0.0.1:9', retry: true });
    // every address of localhost refused: the AggregateError has no message of its own
    const both = Object.assign(new AggregateError([refused], ''), { code: 'ECONNREFUSED' });
    expect(fetchFailure(new TypeError('fetch failed', { cause: both }))).toEqual({ error: 'connect ECONNREFUSED 127.0.0.1:9', retry: true });
    expect(fetchFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toEqual({ error: 'no response within 10 s', retry: true });
    expect(fetchFailure(new TypeError('Request cannot be constructed from a URL that includes credentials: http://u:p@h/x')).retry).toBe(false);
    expect(fetchFailure(new TypeError('fetch failed', { cause: new Error('unknown scheme') }))).toEqual({ error: 'unknown scheme', retry: false });
    const expired = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(fetchFailure(new TypeError('fetch failed', { cause: expired })).retry).toBe(false);
  });
});
