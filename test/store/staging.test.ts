// How batches reach the events table: staged as NDJSON beside the store, inserted in commit units, the file removed.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMIT_ROWS, Store, type ImportCounts } from '../../src/store/store.ts';
import { queryEvents } from '../../src/store/query.ts';
import { importFile } from '../../src/logs/import.ts';
import type { AuditEvent } from '../../src/schema/types.ts';
import { tempDir } from '../logs/helpers.ts';

const counts: ImportCounts = { read: 0, imported: 0, duplicates: 0, rejected: 0, skipped: 0 };
const event = (n: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  eventId: `ev-${n}`,
  tenant: 'acme',
  provider: 'okta',
  time: `2026-11-01T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
  type: 'api.request',
  outcome: 'success',
  scopes: ['read.orders'],
  requestedScopes: [],
  ...extra,
});

describe('staging and commit units', () => {
  it('commits in units: batches wait for their unit, abortImport drops them, committed units stay', async () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    const store = await Store.open(db);
    const ids = async (): Promise<string[]> => (await queryEvents(store, { limit: 0 })).map((e) => e.eventId).sort();
    try {
      const importId = await store.beginImport('f', 'okta', 'acme');
      expect(COMMIT_ROWS).toBeGreaterThan(10);
      // insertBatch commits at once, repeats inside its batch counted as duplicates
      expect(await store.insertBatch(importId, [{ event: event(1) }, { event: event(1) }], counts)).toEqual({ inserted: 1, duplicates: 1 });
      // batches far below COMMIT_ROWS rows wait in the pending unit: nothing reaches the table, and an abort drops them
      store.stageBatch([{ event: event(2) }]);
      await store.commitStaged(importId, 1, counts);
      store.stageBatch([{ event: event(3) }]);
      await store.commitStaged(importId, 1, counts);
      expect(await ids()).toEqual(['ev-1']);
      await store.abortImport();
      expect(await ids()).toEqual(['ev-1']);
      expect(existsSync(`${db}.staging`)).toBe(false);
    } finally {
      store.close();
    }
  });

  it('drops a repeat inside a batch by its exact id: non-ASCII ids, ids of one length, one id in two tenants', async () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    const store = await Store.open(db);
    try {
      const importId = await store.beginImport('f', 'okta', undefined);
      const batch = [
        { event: event(1, { eventId: 'évt-1' }) },
        { event: event(2, { eventId: 'évt-1' }) },
        // the same letters, composed otherwise: another id
        { event: event(3, { eventId: 'e\u0301vt-1' }) },
        { event: event(4, { eventId: 'ab-1' }) },
        { event: event(5, { eventId: 'ab-2' }) },
        { event: event(6, { eventId: 'ab-1', tenant: 'globex' }) },
      ];
      expect(await store.insertBatch(importId, batch, counts)).toEqual({ inserted: 5, duplicates: 1 });
      const stored = (await queryEvents(store, { limit: 0 })).map((e) => `${e.tenant}/${e.eventId}@${e.time.slice(17, 19)}`).sort();
      // the first occurrence is the one kept
      expect(stored).toEqual(['acme/ab-1@04', 'acme/ab-2@05', 'acme/e\u0301vt-1@03', 'acme/évt-1@01', 'globex/ab-1@06']);
    } finally {
      store.close();
    }
  });

  it('stores an id repeated in a later batch of the same unit once, and a repeat of a stored row not at all', async () => {
    const dir = tempDir();
    const db = join(dir, 'a.duckdb');
    const store = await Store.open(db);
    try {
      const importId = await store.beginImport('f', 'okta', 'acme');
      await store.insertBatch(importId, [{ event: event(1) }], counts);
      store.stageBatch([{ event: event(2) }, { event: event(3) }]);
      await store.commitStaged(importId, 2, counts);
      // ev-3 again, in the next batch of the same unit, beside new ones; and ev-1, stored already
      store.stageBatch([{ event: event(4) }, { event: event(3) }, { event: event(1) }]);
      await store.commitStaged(importId, 3, counts);
      // one id in two tenants is two events; repeated in one batch while the tenants alternate, each is one
      const globex = event(5, { tenant: 'globex' });
      store.stageBatch([{ event: event(5) }, { event: globex }, { event: event(5) }, { event: globex }]);
      await store.commitStaged(importId, 4, counts);
      expect(await store.finishImport(importId, undefined, counts)).toEqual({ inserted: 6, duplicates: 4 });
      const rows = await store.connection.runAndReadAll('SELECT tenant || \'/\' || event_id AS id, count(*)::INTEGER AS n FROM events GROUP BY ALL ORDER BY id');
      expect(rows.getRowObjectsJS()).toEqual(['acme/ev-1', 'acme/ev-2', 'acme/ev-3', 'acme/ev-4', 'acme/ev-5', 'globex/ev-5'].map((id) => ({ id, n: 1 })));
      const imports = await store.connection.runAndReadAll('SELECT imported::INTEGER AS imported, duplicates::INTEGER AS duplicates FROM imports');
      expect(imports.getRowObjectsJS()).toEqual([{ imported: 6, duplicates: 4 }]);
    } finally {
      store.close();
    }
    expect(readdirSync(dir).filter((f) => f.includes('staging'))).toEqual([]);
  });

  it('finds repeats exactly while its id table grows: in the batch, and from an earlier batch of the unit', async () => {
    const dir = tempDir();
    const store = await Store.open(join(dir, 'a.duckdb'));
    try {
      const importId = await store.beginImport('f', 'okta', 'acme');
      // 40,000 ids in a batch outgrow the table's first 65,536 slots (it doubles at half full)
      const many = (from: number): { event: AuditEvent }[] => Array.from({ length: 40_000 }, (_, i) => ({ event: event(from + i) }));
      const first = many(0);
      store.stageBatch([...first.slice(0, 30_000), { event: event(5) }, ...first.slice(30_000), { event: event(39_999) }]);
      await store.commitStaged(importId, 40_002, counts);
      // the next batch of the unit repeats ev-7 among 40,000 new ids: the unit ends before it, and the insert finds it
      store.stageBatch([...many(40_000).slice(0, 20_000), { event: event(7) }, ...many(60_000).slice(0, 20_000)]);
      await store.commitStaged(importId, 40_001, counts);
      expect(await store.finishImport(importId, undefined, counts)).toEqual({ inserted: 80_000, duplicates: 3 });
      const rows = await store.connection.runAndReadAll('SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS d FROM events');
      expect(rows.getRowObjectsJS()).toEqual([{ n: 80_000, d: 80_000 }]);
    } finally {
      store.close();
    }
  });

  it('round-trips every column through the staging file, including text JSON must escape', async () => {
    const dir = tempDir();
    const store = await Store.open(join(dir, 'a.duckdb'));
    try {
      const importId = await store.beginImport('f', 'okta', 'acme');
      const awkward = 'quote " backslash \\ newline \n tab \t unicode ü 🙂 \u2028';
      const full: AuditEvent = event(7, {
        rawType: awkward,
        actor: { id: 'a1', type: 'user', name: awkward },
        clientId: 'c1',
        scopes: ['read.orders', 'write.orders'],
        requestedScopes: ['admin'],
        tokenId: 't1',
        grantId: 'g1',
        request: { method: 'POST', path: '/v1/orders/{id}', status: 201 },
        ip: '203.0.113.9',
        userAgent: awkward,
        source: { file: join(dir, 'in "odd" name.ndjson'), line: 123_456_789_012 },
      });
      await store.insertBatch(importId, [{ event: full, raw: JSON.stringify({ note: awkward }) }], counts);
      // the batch's staged file is gone once it is inserted
      expect(readdirSync(`${store.path}.staging`)).toEqual([]);
      const [stored] = await queryEvents(store, { limit: 0 });
      expect(stored).toMatchObject({ ...full, time: '2026-11-01T10:00:07.000Z' });
      const raw = await store.connection.runAndReadAll(`SELECT raw->>'note' AS note FROM events`);
      expect(raw.getRowObjectsJS()).toEqual([{ note: awkward }]);
    } finally {
      store.close();
    }
  });
});

describe('wide records', () => {
  it('imports records of several KB with --keep-raw in byte-bounded batches, every row stored once', async () => {
    const dir = tempDir();
    const file = join(dir, 'wide.ndjson');
    const events = 3_000;
    const lines: string[] = [];
    for (let i = 0; i < events; i++) {
      lines.push(JSON.stringify({ eventId: `w-${i}`, tenant: 'acme', time: `2026-11-01T10:${String(i % 60).padStart(2, '0')}:00Z`, type: 'api.request', outcome: 'success', userAgent: `agent ${'u'.repeat(3_000)} ${i}`, request: { method: 'GET', path: `/v1/${'p/'.repeat(500)}${i}`, status: 200 } }));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const store = await Store.open(join(dir, 'a.duckdb'));
    try {
      // 3,000 rows of ~9 KB (row and raw) are ~27 MB of staged NDJSON: several batches at 8 MiB each
      const result = await importFile(store, file, { provider: 'scopeguard', keepRaw: true, rejectsDir: join(dir, 'rejects') });
      expect(result).toMatchObject({ read: events, imported: events, duplicates: 0, rejected: 0 });
      const rows = await store.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS d, min(length(user_agent))::INTEGER AS ua, count(raw)::INTEGER AS raw FROM events`);
      expect(rows.getRowObjectsJS()).toEqual([{ n: events, d: events, ua: 3_008, raw: events }]);
    } finally {
      store.close();
    }
    expect(readdirSync(dir).filter((f) => f.includes('staging'))).toEqual([]);
  });
});

describe('after an import', () => {
  it('gives a query the same DuckDB memory and threads as a freshly opened store', async () => {
    const dir = tempDir();
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, `${[1, 2, 3].map((n) => JSON.stringify(event(n, { provider: 'scopeguard' }))).join('\n')}\n`);
    const settings = async (store: Store): Promise<unknown> =>
      (await store.connection.runAndReadAll(`SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads`)).getRowObjectsJS();
    const fresh = await Store.open(join(dir, 'fresh.duckdb'));
    const expected = await settings(fresh);
    fresh.close();
    const store = await Store.open(join(dir, 'a.duckdb'));
    try {
      const result = await importFile(store, file, { provider: 'scopeguard', rejectsDir: join(dir, 'rejects') });
      expect(result).toMatchObject({ imported: 3 });
      expect(await settings(store)).toEqual(expected);
    } finally {
      store.close();
    }
  });
});
