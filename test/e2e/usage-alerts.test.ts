/**
 * `check --usage --alert webhook` against a real HTTP receiver on 127.0.0.1: signed JSON and Slack payloads,
 * retries with back-off on 500, a clear line per failed delivery, and nothing lost: what failed is sent next run,
 * what was delivered is not sent again.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_NOW } from '../fixtures/scenario/generate.ts';
import { scenarioWorkspace, scopeguardAsync, type ScenarioWorkspace } from '../usage/helpers.ts';

interface Received {
  path: string;
  body: string;
  signature?: string;
  authorization?: string;
}

const SECRET = 'test-signing-secret';

describe('webhook alerts', () => {
  let ws: ScenarioWorkspace;
  let server: Server;
  let port = 0;
  let respondWith = 200;
  const received: Received[] = [];

  beforeAll(async () => {
    ws = await scenarioWorkspace();
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-scopeguard-signature'] as string | undefined, authorization: req.headers.authorization });
        res.statusCode = req.url === '/slack' ? 200 : respondWith;
        res.end('ok');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
    writeFileSync(
      join(ws.dir, 'scopes', 'scopeguard.yaml'),
      [
        'kind: Config',
        'failOn: high',
        'alerts:',
        `  - {url: "http://127.0.0.1:${port}/hook/secret-path-token", format: json, secretEnv: SG_TEST_SECRET}`,
        `  - {url: "http://127.0.0.1:${port}/slack", format: slack}`,
        '',
      ].join('\n'),
    );
  }, 180_000);

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const run = () =>
    scopeguardAsync(['check', '--usage', '--alert', 'webhook', '--registry', 'scopes', '--db', 'audit.duckdb', '--now', SCENARIO_NOW, '--format', 'json'], ws.dir, {
      SG_TEST_SECRET: SECRET,
      SCOPEGUARD_ALERT_BACKOFF_MS: '20',
    });
  const hook = () => received.filter((r) => r.path.startsWith('/hook/'));
  const slack = () => received.filter((r) => r.path.split('?')[0] === '/slack');

  it('retries a failing receiver, says so in one line per target, and keeps the findings for next run', async () => {
    respondWith = 500;
    const result = await run();
    expect(result.status).toBe(1); // the findings decide the exit code, not the alert
    expect(hook()).toHaveLength(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`scopeguard: alert to #1 http://127.0.0.1:${port} failed after 3 attempts (HTTP 500); the 14 findings will be sent next run`);
    expect(result.stderr).not.toContain('secret-path-token');
    // the Slack target succeeded independently
    expect(slack()).toHaveLength(1);
    const text = (JSON.parse(slack()[0]!.body) as { text: string }).text;
    expect(text).toMatch(/^scopeguard: 14 new findings\n/);
    expect(text).toContain('[HIGH] SG306 scenario client:0oaSHADOW306');
  });

  it('sends the failed findings on the next run, signed with HMAC-SHA256 over the body', async () => {
    respondWith = 200;
    received.length = 0;
    const result = await run();
    expect(result.stderr).toBe('');
    expect(hook()).toHaveLength(1);
    const { body, signature } = hook()[0]!;
    expect(signature).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(signature).not.toBe(`sha256=${createHmac('sha256', 'wrong').update(body).digest('hex')}`);
    const payload = JSON.parse(body) as { count: number; findings: { ruleId: string; status?: string; evidence?: { sampleEventIds?: string[] } }[] };
    expect(payload.count).toBe(14);
    expect(payload.findings.map((f) => f.ruleId)).toContain('SG302');
    // waived findings never alert
    expect(payload.findings.some((f) => f.ruleId === 'SG301' && JSON.stringify(f).includes('waived-app'))).toBe(false);
    expect(payload.findings.find((f) => f.ruleId === 'SG306')!.evidence!.sampleEventIds!.length).toBeGreaterThan(0);
    // Slack already had them
    expect(slack()).toHaveLength(0);
  });

  it('does not alert again for findings already delivered', async () => {
    received.length = 0;
    const result = await run();
    expect(result.status).toBe(1);
    expect(received).toHaveLength(0);
  });

  it('reports a missing signing secret instead of sending unsigned', async () => {
    writeFileSync(
      join(ws.dir, 'scopes', 'scopeguard.yaml'),
      ['kind: Config', 'alerts:', `  - {url: "http://127.0.0.1:${port}/hook/other", secretEnv: SG_TEST_SECRET}`, ''].join('\n'),
    );
    received.length = 0;
    const result = await scopeguardAsync(['check', '--usage', '--alert', 'webhook', '--registry', 'scopes', '--db', 'audit.duckdb', '--now', SCENARIO_NOW], ws.dir, { SG_TEST_SECRET: '' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `scopeguard: alert to #1 http://127.0.0.1:${port} not sent: environment variable SG_TEST_SECRET (the signing secret) is not set; the 14 findings will be sent next run`,
    );
    expect(received).toHaveLength(0);
  });

  it('sends user:password@ in a URL as Basic authentication, and prints nothing of a URL beyond its origin', async () => {
    writeFileSync(
      join(ws.dir, 'scopes', 'scopeguard.yaml'),
      [
        'kind: Config',
        'alerts:',
        // a query of its own: without its credentials the URL must not be a target earlier tests were sent to
        `  - {url: "http://user:hunter2@127.0.0.1:${port}/slack?with=basic", format: slack}`,
        // fetch never connects to port 6000: an error that no retry mends
        '  - {url: "http://user:hunter2@127.0.0.1:6000/services/T000/SECRETPATH?token=t0k3n", format: slack}',
        '',
      ].join('\n'),
    );
    received.length = 0;
    const result = await run();
    expect(result.status).toBe(1);
    expect(slack()).toHaveLength(1);
    expect(slack()[0]!.authorization).toBe(`Basic ${Buffer.from('user:hunter2').toString('base64')}`);
    expect(result.stderr).not.toMatch(/hunter2|SECRETPATH|t0k3n|T000/);
    expect(result.stderr.trim()).toBe(
      'scopeguard: alert to #2 http://127.0.0.1:6000 failed after 1 attempt (bad port: fetch never connects to this port); the 14 findings will be sent next run',
    );
  });

  it('rejects an alert URL that is not http(s) when the config is read, not when it is sent', async () => {
    for (const url of ['hooks.slack.com/services/T000/SECRETPATH', 'ftp://127.0.0.1/SECRETPATH']) {
      writeFileSync(join(ws.dir, 'scopes', 'scopeguard.yaml'), ['kind: Config', 'alerts:', `  - {url: "${url}", format: slack}`, ''].join('\n'));
      received.length = 0;
      const validate = await scopeguardAsync(['validate', '--registry', 'scopes'], ws.dir);
      expect(validate.status).toBe(2);
      expect(validate.stdout).toMatch(/scopeguard\.yaml:3:\d+ +alerts\[0\]\.url must be an http:\/\/ or https:\/\/ URL /);
      expect(validate.stdout).not.toContain('SECRETPATH');
      const check = await run();
      expect(check.status).toBe(2);
      expect(received).toHaveLength(0);
    }
  });
});
