/**
 * Evidence and baselines the usage facts derive from aggregates rather than from every request: the five sample
 * requests of a client×scope (oldest first, ties by event id, only inside a window that starts mid-day, across
 * several endpoints), and the spike peak over a trailing median, checked against a plain re-computation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load.ts';
import { collectUsageFacts } from '../../src/usage/analyze.ts';
import { median, peakDay, type UsageFacts } from '../../src/usage/facts.ts';
import { importEvents, tempDir } from './helpers.ts';

const NOW = '2026-11-25T12:00:00Z'; // the 90-day window starts at 2026-08-27T12:00:00Z, in the middle of a day

function request(eventId: string, time: string, path: string): string {
  return JSON.stringify({
    eventId, tenant: 'acme', provider: 'scopeguard', time, type: 'api.request', outcome: 'success',
    clientId: 'cid-orders', scopes: ['read.orders'], tokenId: 'tok-1', request: { method: 'GET', path, status: 200 },
  });
}

describe('usage facts: samples and peaks', () => {
  let facts: UsageFacts;
  beforeAll(async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'scopes', 'acme'), { recursive: true });
    writeFileSync(join(dir, 'scopes', 'scopeguard.yaml'), 'kind: Config\n');
    writeFileSync(join(dir, 'scopes', 'acme', 'scopes.yaml'), [
      'kind: ScopeSet', 'tenant: acme', 'scopes:',
      '  read.orders: {description: Read orders, sensitivity: low, owner: team-a}',
      '---', 'kind: ActionMap', 'tenant: acme', 'actions:',
      '  read.orders: ["GET /v1/orders", "GET /v1/orders/{id}"]', '',
    ].join('\n'));
    writeFileSync(join(dir, 'scopes', 'acme', 'clients.yaml'), [
      'kind: ClientSet', 'tenant: acme', 'clients:',
      '  orders-app: {clientId: cid-orders, owner: team-a, type: confidential, scopes: [read.orders]}', '',
    ].join('\n'));
    const lines = [
      request('ev-00', '2026-08-27T06:00:00Z', '/v1/orders'), // same day, before the window: history only
      request('ev-09', '2026-08-27T13:00:00Z', '/v1/orders/1'),
      request('ev-03', '2026-08-27T13:00:00Z', '/v1/orders'), // same time: the smaller id first
      request('ev-05', '2026-08-29T08:00:00Z', '/v1/orders/2'),
      request('ev-07', '2026-09-05T08:00:00Z', '/v1/orders'),
      request('ev-02', '2026-09-05T09:00:00Z', '/v1/orders/3'),
      request('ev-08', '2026-09-05T10:00:00Z', '/v1/orders'),
      request('ev-01', '2026-10-01T10:00:00Z', '/v1/orders/4'),
    ];
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const dbPath = join(dir, 'audit.duckdb');
    await importEvents(dbPath, file, join(dir, 'scopes'));
    [facts] = (await collectUsageFacts(await loadRegistry(join(dir, 'scopes')), { dbPath }, new Date(NOW))) as [UsageFacts];
  }, 120_000);

  it('samples the five oldest requests inside the window, across endpoints, ties by event id', () => {
    const fact = facts.clientScopes.find((f) => f.client === 'orders-app' && f.scope === 'read.orders')!;
    expect(fact.exercised).toBe(7);
    expect(fact.firstExercised).toBe('2026-08-27T13:00:00Z');
    expect(fact.firstUse).toBe('2026-08-27T06:00:00Z');
    expect(fact.exerciseSamples).toEqual(['ev-03', 'ev-09', 'ev-05', 'ev-07', 'ev-02']);
  });

  it('finds the peak day over a trailing median equal to a plain re-computation', () => {
    const windowStart = new Date('2026-03-01T12:00:00Z');
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round += 1) {
      const days = new Map<string, number>();
      const start = Date.UTC(2026, 0, 1 + Math.floor(random() * 60));
      for (let d = 0; d < 150; d += 1) {
        // gaps longer than the baseline, bursts and quiet stretches
        if (random() < (round % 3 === 0 ? 0.15 : 0.7)) days.set(new Date(start + d * 86_400_000).toISOString().slice(0, 10), 1 + Math.floor(random() ** 4 * 40));
      }
      for (const baselineDays of [28, 7, 1]) {
        expect(peakDay(days, windowStart, baselineDays), `round ${round}, baseline ${baselineDays}`).toEqual(plainPeak(days, windowStart, baselineDays));
      }
    }
  });
});

/** The definition, computed the slow way: every judged day's trailing median from scratch. */
function plainPeak(days: Map<string, number>, windowStart: Date, baselineDays: number): { day: string; count: number; baseline: number } | undefined {
  const sorted = [...days.keys()].sort();
  if (sorted.length === 0) return undefined;
  const first = Date.parse(`${sorted[0]}T00:00:00Z`);
  let best: { day: string; count: number; baseline: number } | undefined;
  let bestRatio = 0;
  for (const day of sorted) {
    const at = Date.parse(`${day}T00:00:00Z`);
    if (at < windowStart.getTime() || at - first < baselineDays * 86_400_000) continue;
    const trailing: number[] = [];
    for (let back = baselineDays; back >= 1; back -= 1) trailing.push(days.get(new Date(at - back * 86_400_000).toISOString().slice(0, 10)) ?? 0);
    const baseline = median(trailing);
    const count = days.get(day)!;
    if (count / Math.max(baseline, 1) > bestRatio) {
      bestRatio = count / Math.max(baseline, 1);
      best = { day, count, baseline };
    }
  }
  return best;
}
