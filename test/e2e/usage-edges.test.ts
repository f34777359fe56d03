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
  old.c: {description: Old C, owner: team, status: deprecated, deprecatedSince: 2026-01-15, replacedBy: read.a}
---
kind: ActionMap
tenant: t
actions:
  read.a: [GET /a]
  read.b: [GET /b/**]
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

/** c1 and c2 of the reviewer's reproductions: c1 reads, c2 also holds the critical admin.x, with a justification. */
const TWO_CLIENTS =
  '  c1: {clientId: cid1, type: machine, owner: team, scopes: [read.a, read.b]}\n' +
  '  c2: {clientId: cid2, type: machine, owner: team, scopes: [read.a, admin.x], justification: {admin.x: runs the nightly admin job}}\n';
const NOW = '2026-11-20';
const of = (found: Finding[], rule: string): Finding[] => found.filter((f) => f.ruleId === rule);

describe('lifecycle events count only when they did not fail', () => {
  it('a failed revocation revokes nothing: no use after revocation, and the token and consent stay idle (SG302, SG303)', () => {
    const ws = workspace(TWO_CLIENTS, [
      event('2026-09-01T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-r' }),
      event('2026-09-02T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-r' }),
      event('2026-09-03T10:00:00Z', 'token.revoked', { tokenId: 'tok-r', outcome: 'failure' }),
      request('2026-09-04T10:00:00Z', 'GET', '/a', { tokenId: 'tok-r', scopes: ['read.a'] }),
      event('2026-09-05T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-idle' }),
      event('2026-09-06T10:00:00Z', 'token.revoked', { tokenId: 'tok-idle', outcome: 'failure' }),
      event('2026-09-01T10:00:00Z', 'consent.granted', { grantId: 'g1', scopes: ['read.a'] }),
      event('2026-09-02T10:00:00Z', 'consent.revoked', { grantId: 'g1', outcome: 'failure' }),
      // a provider that does not say how a revocation went (outcome unknown): it is taken as done
      event('2026-09-01T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-u' }),
      event('2026-09-02T10:00:00Z', 'token.revoked', { tokenId: 'tok-u', outcome: 'unknown' }),
      request('2026-09-03T10:00:00Z', 'GET', '/a', { tokenId: 'tok-u', scopes: ['read.a'], eventId: 'after-unknown' }),
    ]);
    const found = findings(ws, NOW);
    expect(of(found, 'SG302').map((f) => [f.subject, f.evidence?.kind, f.evidence?.sampleEventIds])).toEqual([['token:tok-u', 'used-after-revoke', ['after-unknown']]]);
    expect(of(found, 'SG303').map((f) => [f.subject, f.evidence?.kind, f.evidence?.sampleTokenIds ?? f.evidence?.sampleGrantIds])).toEqual([
      ['client:c1', 'token', ['tok-r', 'tok-idle']],
      ['client:c1', 'consent', ['g1']],
    ]);
  });

  it('a failed client deletion leaves its tokens alone; after a real one, the uses are reported with their events (SG302)', () => {
    const ws = workspace(TWO_CLIENTS, [
      event('2026-11-01T10:00:00Z', 'token.issued', { clientId: 'cid2', scopes: ['read.a'], tokenId: 'tok-2' }),
      event('2026-11-02T10:00:00Z', 'client.deleted', { clientId: 'cid2', outcome: 'failure' }),
      request('2026-11-03T10:00:00Z', 'GET', '/a', { clientId: 'cid2', tokenId: 'tok-2', scopes: ['read.a'] }),
      event('2026-11-01T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-1' }),
      event('2026-11-02T10:00:00Z', 'client.deleted', {}),
      request('2026-11-03T10:00:00Z', 'GET', '/a', { tokenId: 'tok-1', scopes: ['read.a'], eventId: 'use-1' }),
      request('2026-11-04T10:00:00Z', 'GET', '/a', { tokenId: 'tok-1', scopes: ['read.a'], eventId: 'use-2' }),
    ]);
    const sg302 = of(findings(ws, NOW), 'SG302');
    expect(sg302.map((f) => [f.subject, f.message])).toEqual([['token:tok-1', 'token tok-1 was used 2 times after its client c1 was deleted on 2026-11-02T10:00:00Z']]);
    expect(sg302[0]?.evidence?.sampleEventIds).toEqual(['use-1', 'use-2']);
  });

  it('a client created again with the same id after its deletion is in use again: only the uses between count (SG302)', () => {
    const ws = workspace(TWO_CLIENTS, [
      event('2026-11-01T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-1' }),
      event('2026-11-02T10:00:00Z', 'client.deleted', {}),
      request('2026-11-03T10:00:00Z', 'GET', '/a', { tokenId: 'tok-1', scopes: ['read.a'], eventId: 'between' }),
      event('2026-11-04T10:00:00Z', 'client.created', { scopes: ['read.a', 'read.b'] }),
      event('2026-11-05T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-new' }),
      request('2026-11-06T10:00:00Z', 'GET', '/a', { tokenId: 'tok-new', scopes: ['read.a'], eventId: 'after' }),
    ]);
    const sg302 = of(findings(ws, NOW), 'SG302');
    expect(sg302.map((f) => [f.subject, f.evidence?.sampleEventIds])).toEqual([['token:tok-1', ['between']]]);
  });

  it("takes neither a failed change nor one without scopes (a secret rotation) for the provider's scope set (SG309)", () => {
    const ws = workspace(TWO_CLIENTS, [
      event('2026-10-01T10:00:00Z', 'grant.changed', { scopes: ['read.a', 'read.b'] }),
      event('2026-10-05T10:00:00Z', 'grant.changed', { scopes: ['read.a', 'admin.x'], outcome: 'failure' }),
      event('2026-10-06T10:00:00Z', 'client.updated', { scopes: ['read.a'], outcome: 'failure' }),
      event('2026-10-01T10:00:00Z', 'client.created', { clientId: 'cid2', scopes: ['admin.x', 'read.a'] }),
      event('2026-10-10T10:00:00Z', 'client.updated', { clientId: 'cid2' }),
      event('2026-10-11T10:00:00Z', 'grant.changed', { clientId: 'cid2', scopes: [] }),
    ]);
    expect(of(findings(ws, NOW), 'SG309')).toEqual([]);
    // a later change that carries scopes is compared again
    const drifted = workspace(TWO_CLIENTS, [
      event('2026-10-01T10:00:00Z', 'client.created', { clientId: 'cid2', scopes: ['admin.x', 'read.a'] }),
      event('2026-10-10T10:00:00Z', 'client.updated', { clientId: 'cid2' }),
      event('2026-10-12T10:00:00Z', 'client.updated', { clientId: 'cid2', scopes: ['read.a'], eventId: 'narrowed' }),
    ]);
    expect(of(findings(drifted, NOW), 'SG309').map((f) => [f.message, f.evidence?.sampleEventIds])).toEqual([
      ["the provider's scopes for client c2 differ from the registry: missing at the provider: admin.x", ['narrowed']],
    ]);
  });
});

describe('refused requests exercise nothing', () => {
  it('a critical grant whose only traffic is refused is unused everywhere, and its first refusal is no first use (SG301, SG307, usage, rightsize)', () => {
    const daily = Array.from({ length: 130 }, (_, day) => request(new Date(Date.UTC(2026, 6, 1 + day, 9)).toISOString(), 'GET', '/a', { clientId: 'cid2' }));
    const ws = workspace(TWO_CLIENTS, [
      ...daily,
      request('2026-11-15T10:00:00Z', 'POST', '/admin', { clientId: 'cid2', outcome: 'failure', request: { method: 'POST', path: '/admin', status: 403 } }),
      request('2026-11-16T10:00:00Z', 'POST', '/admin', { clientId: 'cid2', request: { method: 'POST', path: '/admin', status: 401 } }),
      request('2026-11-17T10:00:00Z', 'POST', '/admin', { clientId: 'cid2', outcome: 'failure', request: { method: 'POST', path: '/admin', status: 500 } }),
      // a refused request outside c1's grants is still one outside the action map
      request('2026-11-15T10:00:00Z', 'POST', '/admin', { outcome: 'failure', request: { method: 'POST', path: '/admin', status: 403 } }),
      request('2026-11-15T11:00:00Z', 'GET', '/b/x'),
      request('2026-11-15T12:00:00Z', 'GET', '/a'),
    ]);
    const found = findings(ws, NOW);
    expect(of(found, 'SG301').map((f) => f.subject)).toEqual(['client:c2/scope:admin.x']);
    expect(of(found, 'SG307')).toEqual([]);
    expect(of(found, 'SG304').map((f) => f.subject)).toEqual(['client:c1']);
    expect(usageOf(ws, 'c2', NOW).map((r) => [r.scope, r.exercised, r.used])).toEqual([['admin.x', 0, false], ['read.a', 78, true]]);
    expect(ws.run(['rightsize', '--now', NOW, '--include-justified']).stdout).toContain('  - admin.x  (critical; never exercised)');
  });
});

describe('idle refresh tokens (SG303)', () => {
  const idleTokens = (ws: ReturnType<typeof workspace>, extra: string[] = []) =>
    of(findings(ws, NOW, extra), 'SG303').map((f) => [f.evidence?.count, f.evidence?.sampleTokenIds, f.evidence?.oldestLastUse]);

  it('finds tokens idle since before the window, whatever its length, back to a year', () => {
    const ws = workspace(TWO_CLIENTS, [
      event('2026-07-31T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-old' }),
      event('2026-08-01T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-old' }),
      event('2026-10-01T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-mid' }),
      event('2025-10-01T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-ancient' }),
      request('2026-11-10T10:00:00Z', 'GET', '/a'),
    ]);
    const both = [[2, ['tok-old', 'tok-mid'], '2026-08-01T10:00:00Z']];
    expect(idleTokens(ws)).toEqual(both);
    expect(idleTokens(ws, ['--window', '30d'])).toEqual(both);
    expect(idleTokens(ws, ['--window', '7d'])).toEqual(both);
  });

  it('takes no failed refresh for a refresh or a use', () => {
    const ws = workspace(TWO_CLIENTS, [
      // never refreshed successfully: no long-lived token
      event('2026-09-01T10:00:00Z', 'token.issued', { scopes: ['read.a'], tokenId: 'tok-f' }),
      event('2026-09-10T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-f', outcome: 'failure' }),
      // refreshed, then only failed attempts: idle since the refresh
      event('2026-09-01T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-g' }),
      event('2026-11-15T10:00:00Z', 'token.refreshed', { scopes: ['read.a'], tokenId: 'tok-g', outcome: 'failure' }),
    ]);
    expect(idleTokens(ws)).toEqual([[1, ['tok-g'], '2026-09-01T10:00:00Z']]);
  });
});

describe('evidence names distinct events that show the finding', () => {
  it('samples the requests of a deprecated scope that was only asked for (SG305)', () => {
    const ws = workspace(TWO_CLIENTS, [
      event('2026-11-01T10:00:00Z', 'authorize.denied', { outcome: 'failure', requestedScopes: ['old.c'], eventId: 'asked-1' }),
      event('2026-11-02T10:00:00Z', 'authorize.denied', { outcome: 'failure', requestedScopes: ['old.c', 'read.a'], eventId: 'asked-2' }),
    ]);
    expect(of(findings(ws, NOW), 'SG305').map((f) => [f.subject, f.evidence?.sampleEventIds])).toEqual([['client:c1/scope:old.c', ['asked-1', 'asked-2']]]);
  });

  it('counts and samples each use once when the token carried several scopes the client does not hold (SG302)', () => {
    const ws = workspace(TWO_CLIENTS, [
      request('2026-11-01T10:00:00Z', 'GET', '/a', { tokenId: 'tok-x', scopes: ['read.a', 'admin.x', 'write.top'], eventId: 'x-1' }),
      request('2026-11-02T10:00:00Z', 'GET', '/a', { tokenId: 'tok-x', scopes: ['read.a', 'admin.x', 'write.top'], eventId: 'x-2' }),
      request('2026-11-03T10:00:00Z', 'GET', '/a', { tokenId: 'tok-x', scopes: ['read.a', 'write.top'], eventId: 'x-3' }),
    ]);
    const [found] = of(findings(ws, NOW), 'SG302');
    expect(found?.message).toBe('token tok-x of client c1 was used with admin.x, write.top, which the client no longer holds');
    expect(found?.evidence).toMatchObject({ count: 3, sampleEventIds: ['x-1', 'x-2', 'x-3'] });
  });
});

describe('the provider scope set is compared through implies (SG309)', () => {
  it('takes scopes a grant implies as held, and still reports a scope no grant covers', () => {
    const clients =
      '  c3: {clientId: cid3, type: machine, owner: team, scopes: [write.top]}\n' +
      '  c4: {clientId: cid4, type: machine, owner: team, scopes: [write.top]}\n';
    const ws = workspace(clients, [
      event('2026-10-01T10:00:00Z', 'grant.changed', { clientId: 'cid3', scopes: ['write.top', 'write.mid', 'write.low'] }),
      event('2026-10-01T10:00:00Z', 'grant.changed', { clientId: 'cid4', scopes: ['write.top', 'write.low', 'read.b'] }),
    ]);
    expect(of(findings(ws, NOW), 'SG309').map((f) => f.message)).toEqual(["the provider's scopes for client c4 differ from the registry: added at the provider: read.b"]);
  });
});

describe('request paths are judged as the server resolves them', () => {
  it('resolves dot segments before matching: /b/../admin is /admin, outside read.b (SG304)', () => {
    const ws = workspace(TWO_CLIENTS, [
      request('2026-11-01T10:00:00Z', 'GET', '/b/../admin'),
      request('2026-11-02T10:00:00Z', 'GET', '/b/%2E%2e/admin'),
      request('2026-11-03T10:00:00Z', 'GET', '/b/./c/../d'),
      request('2026-11-04T10:00:00Z', 'GET', '/a'),
    ]);
    const sg304 = of(findings(ws, NOW), 'SG304');
    expect(sg304.map((f) => [f.subject, f.evidence?.count, f.evidence?.endpoints])).toEqual([['client:c1', 2, ['GET /b/%2E%2e/admin', 'GET /b/../admin']]]);
    expect(usageOf(ws, 'c1', NOW).map((r) => [r.scope, r.exercised])).toEqual([['read.a', 1], ['read.b', 1]]);
  });
});

describe('unknown clients (SG306)', () => {
  it('no longer reports an unknown client deleted at the provider, unless it is used after', () => {
    const ws = workspace(TWO_CLIENTS, [
      request('2026-11-01T10:00:00Z', 'GET', '/a', { clientId: 'cid9' }),
      event('2026-11-02T10:00:00Z', 'client.deleted', { clientId: 'cid9' }),
      event('2026-11-03T10:00:00Z', 'token.issued', { clientId: 'cid9', outcome: 'failure' }),
      request('2026-11-01T10:00:00Z', 'GET', '/a', { clientId: 'cid8' }),
      event('2026-11-02T10:00:00Z', 'client.deleted', { clientId: 'cid8' }),
      request('2026-11-03T10:00:00Z', 'GET', '/a', { clientId: 'cid8' }),
      request('2026-11-01T10:00:00Z', 'GET', '/a', { clientId: 'cid7' }),
      event('2026-11-02T10:00:00Z', 'client.deleted', { clientId: 'cid7', outcome: 'failure' }),
    ]);
    expect(of(findings(ws, NOW), 'SG306').map((f) => f.subject)).toEqual(['client:cid7', 'client:cid8']);
  });
});
