/**
 * Usage rules on small, hand-written stores where the right answer is known: each case is a registry, a few
 * normalized events and what `check --usage` and `usage` must say about them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scopeguard, tempDir } from '../usage/helpers.ts';

interface Finding {
  ruleId: string;
  subject: string;
  message: string;
  status: string;
  evidence?: Record<string, unknown>;
}

interface UsageRow {
  scope: string;
  exercised: number;
  used: boolean;
}

const SCOPES = `kind: ScopeSet
tenant: t
scopes:
  read.a: {description: Read A, owner: team}
  read.b: {description: Read B, owner: team}
  admin.x: {description: Administer X, owner: team, sensitivity: critical}
  write.top: {description: Implies write.mid, owner: team, implies: [write.mid]}
  write.mid: {description: Implies write.low, owner: team, implies: [write.low]}
  write.low: {description: Write low, owner: team}
---
kind: ActionMap
tenant: t
actions:
  read.a: [GET /a]
  read.b: [GET /b]
  admin.x: [POST /admin]
  write.top: [POST /top]
  write.mid: [POST /mid]
  write.low: [POST /low]
`;

type Event = Record<string, unknown>;

let counter = 0;
/** A normalized event of client `cid1` (unless given), with an id of its own. */
function event(time: string, type: string, fields: Event = {}): Event {
  counter++;
  return { eventId: `e${counter}`, tenant: 't', provider: 'scopeguard', time, type, outcome: 'success', clientId: 'cid1', ...fields };
}

const request = (time: string, method: string, path: string, fields: Event = {}): Event => event(time, 'api.request', { request: { method, path, status: 200 }, ...fields });

/** A workspace with the scopes above, `clients` as the ClientSet body, and `events` imported into its store. */
function workspace(clients: string, events: Event[], extra = ''): { run: (args: string[]) => ReturnType<typeof scopeguard> } {
  const dir = tempDir('sg-usage-edges-');
  mkdirSync(join(dir, 'scopes'));
  writeFileSync(join(dir, 'scopes', 'registry.yaml'), `${SCOPES}---\nkind: ClientSet\ntenant: t\nclients:\n${clients}${extra}`);
  writeFileSync(join(dir, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const run = (args: string[]) => scopeguard([...args, '--registry', 'scopes', '--db', 'audit.duckdb'], dir);
  const imported = run(['logs', 'import', 'events.ndjson', '--provider', 'scopeguard', '--tenant', 't', '--quiet']);
  expect(imported.status, imported.stderr).toBe(0);
  return { run };
}

function findings(ws: ReturnType<typeof workspace>, now: string, extra: string[] = []): Finding[] {
  const result = ws.run(['check', '--usage', '--format', 'json', '--fail-on', 'never', '--now', now, ...extra]);
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId.startsWith('SG3'));
}

function usageOf(ws: ReturnType<typeof workspace>, client: string, now: string, extra: string[] = []): UsageRow[] {
  const result = ws.run(['usage', '--format', 'json', '--now', now, ...extra]);
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { clients: Array<{ client: string; granted: UsageRow[] }> }).clients.find((c) => c.client === client)!.granted;
}

describe('usage rules at their edges', () => {
  it('credits a request to a grant through a chain of implies, not only the first link', () => {
    const ws = workspace('  c1: {clientId: cid1, type: machine, owner: team, scopes: [write.top]}\n', [
      request('2026-11-01T10:00:00Z', 'POST', '/mid'),
      request('2026-11-02T10:00:00Z', 'POST', '/low'),
    ]);
    const found = findings(ws, '2026-11-20');
    expect(found.filter((f) => f.ruleId === 'SG304')).toEqual([]);
    expect(usageOf(ws, 'c1', '2026-11-20')).toMatchObject([{ scope: 'write.top', exercised: 2, used: true }]);
  });

  it('takes a refused token request for no first use of a sensitive scope (SG307); a granted one is', () => {
    const daily = Array.from({ length: 100 }, (_, day) => request(new Date(Date.UTC(2026, 7, 1 + day, 9)).toISOString(), 'GET', '/a'));
    const refused = event('2026-11-15T10:00:00Z', 'token.issued', { outcome: 'failure', scopes: ['admin.x'], requestedScopes: ['admin.x'] });
    const clients = '  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a, admin.x], justification: {admin.x: runs the nightly admin job}}\n';
    const firstUse = (events: Event[]) => findings(workspace(clients, events), '2026-11-20').filter((f) => f.ruleId === 'SG307');
    expect(firstUse([...daily, refused])).toEqual([]);
    const granted = event('2026-11-16T10:00:00Z', 'token.issued', { scopes: ['admin.x'] });
    expect(firstUse([...daily, refused, granted]).map((f) => f.message)).toEqual([expect.stringContaining('for the first time on 2026-11-16')]);
  });

  it('reports a token revoked before the window and used in it as used after revocation, not as idle and unrevoked', () => {
    const ws = workspace('  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a]}\n', [
      event('2026-06-01T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-r' }),
      event('2026-07-01T10:00:00Z', 'token.revoked', { tokenId: 'tok-r' }),
      event('2026-08-25T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-r' }),
      request('2026-11-10T10:00:00Z', 'GET', '/a', { tokenId: 'tok-other' }),
    ]);
    const found = findings(ws, '2026-11-20');
    expect(found.filter((f) => f.ruleId === 'SG303')).toEqual([]);
    expect(found.filter((f) => f.ruleId === 'SG302').map((f) => [f.subject, f.message])).toEqual([
      ['token:tok-r', expect.stringContaining('after it was revoked on 2026-07-01')],
    ]);
  });

  it('judges use over one window, thresholds.unusedScopeDays long unless set: SG301, usage and rightsize agree', () => {
    const clients = '  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a, read.b]}\n';
    const events = [request('2026-08-12T10:00:00Z', 'GET', '/a'), request('2026-10-20T10:00:00Z', 'GET', '/b')];
    const overScoped = (ws: ReturnType<typeof workspace>, extra: string[] = []) =>
      findings(ws, '2026-11-20', extra).filter((f) => f.ruleId === 'SG301').map((f) => [f.subject, f.message]);
    const used = (ws: ReturnType<typeof workspace>, extra: string[] = []) => usageOf(ws, 'c1', '2026-11-20', extra).map((r) => [r.scope, r.used]);

    // default thresholds: a 90-day window from 2026-08-22; read.a was last used 100 days ago
    const plain = workspace(clients, events);
    expect(overScoped(plain)).toEqual([['client:c1/scope:read.a', 'client c1 holds read.a but did not use it in the 90-day usage window (since 2026-08-22)']]);
    expect(used(plain)).toEqual([['read.a', false], ['read.b', true]]);
    expect(plain.run(['rightsize', '--now', '2026-11-20']).stdout).toContain('rightsize: 1 scope to remove from 1 client (not used in the 90-day window)');

    // unusedScopeDays: 180 makes the window 180 days: both grants used, everywhere
    const long = workspace(clients, events, '---\nkind: Config\nthresholds: {unusedScopeDays: 180}\n');
    expect(overScoped(long)).toEqual([]);
    expect(used(long)).toEqual([['read.a', true], ['read.b', true]]);
    expect(long.run(['rightsize', '--now', '2026-11-20']).stdout).toContain('every granted scope was used in the 180-day window');

    // unusedScopeDays: 30: read.b's use 31 days ago is outside, for SG301 and usage alike
    const short = workspace(clients, events, '---\nkind: Config\nthresholds: {unusedScopeDays: 30}\n');
    expect(overScoped(short).map(([subject]) => subject)).toEqual(['client:c1/scope:read.a', 'client:c1/scope:read.b']);
    expect(used(short)).toEqual([['read.a', false], ['read.b', false]]);

    // an explicit window wins, and the message says which window was judged
    expect(overScoped(plain, ['--window', '120d'])).toEqual([]);
    expect(overScoped(plain, ['--window', '30d'])[1]).toEqual(['client:c1/scope:read.b', 'client c1 holds read.b but did not use it in the 30-day usage window (since 2026-10-21)']);
  });

  it('measures ages at the end of the window, not at the time the command runs', () => {
    // SG303: a refresh token last used 2026-08-25 is idle (more than 30 days) at 2026-11-20, but not at 2026-09-10
    const ws = workspace('  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a]}\n', [
      event('2026-08-20T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-1' }),
      event('2026-08-25T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-1' }),
    ]);
    const idle = (extra: string[]) => findings(ws, '2026-11-20', extra).filter((f) => f.ruleId === 'SG303').map((f) => f.subject);
    expect(idle([])).toEqual(['client:c1']);
    expect(idle(['--since', '2026-08-01', '--until', '2026-09-10'])).toEqual([]);
  });

  it("samples a spike's evidence from the spike day", () => {
    const days = Array.from({ length: 71 }, (_, day) => new Date(Date.UTC(2026, 8, 1 + day, 9)).toISOString());
    const usual = days.flatMap((time) => [request(time, 'GET', '/a'), request(time.replace('T09', 'T15'), 'GET', '/a')]);
    const spike = Array.from({ length: 30 }, (_, i) => request(`2026-11-11T10:${String(i).padStart(2, '0')}:00Z`, 'GET', '/a', { eventId: `spike-${i}` }));
    const ws = workspace('  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a]}\n', [...usual, ...spike]);
    const [found] = findings(ws, '2026-11-20').filter((f) => f.ruleId === 'SG307');
    expect(found?.message).toBe('client c1 made 30 requests under read.a on 2026-11-11, 15 times its daily median of 2');
    expect(found?.evidence?.sampleEventIds).toEqual(['spike-0', 'spike-1', 'spike-2', 'spike-3', 'spike-4']);
  });

  it('keeps exactly the grants whose SG301 finding an exception waives, in check and rightsize alike', () => {
    const exceptions =
      '---\nkind: ExceptionSet\ntenant: t\nexceptions:\n' +
      '  - {rule: SG301, subject: "client:c1/scope:read.a", reason: quarterly job, owner: team, expires: 2027-01-31}\n' +
      '  - {rule: SG301, subject: "client:c1", reason: \"names the client, not a grant\", owner: team, expires: 2027-01-31}\n';
    const ws = workspace('  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a, read.b, write.low]}\n', [request('2026-11-10T10:00:00Z', 'POST', '/low')], exceptions);
    const sg301 = findings(ws, '2026-11-20').filter((f) => f.ruleId === 'SG301').map((f) => [f.subject, f.status]);
    expect(sg301).toEqual([['client:c1/scope:read.a', 'waived'], ['client:c1/scope:read.b', 'new']]);
    const plan = ws.run(['rightsize', '--now', '2026-11-20']).stdout;
    expect(plan).toContain('rightsize: 1 scope to remove from 1 client');
    expect(plan).toContain('  - read.b  (low; never exercised)');
    expect(plan).toContain('t c1 read.a: exception until 2027-01-31: quarterly job');
  });
});

describe('the usage window as the table names it', () => {
  it('names the last day the window holds (it ends before --until) and counts a part of a day in hours', () => {
    const ws = workspace('  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a]}\n', [
      request('2026-11-18T10:00:00Z', 'GET', '/a'),
      request('2026-11-19T10:00:00Z', 'GET', '/a'),
    ]);
    const days = ws.run(['usage', '--since', '2026-11-01', '--until', '2026-11-19']);
    expect(days.stdout.split('\n')[0]).toBe('usage 2026-11-01 .. 2026-11-18 (18 days)');
    const hours = ws.run(['usage', '--since', '2026-11-19', '--until', '2026-11-19T12:00:00Z']);
    expect(hours.stdout.split('\n')[0]).toBe('usage 2026-11-19 .. 2026-11-19 (12 hours)');
  });
});
