import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store, type ImportCounts } from '../../src/store/store.ts';
import { canonicalJson } from '../../src/logs/import.ts';
import { queryEvents } from '../../src/store/query.ts';
import type { AuditEvent } from '../../src/schema/types.ts';
import { tempDir } from './helpers.ts';

const counts: ImportCounts = { read: 0, imported: 0, duplicates: 0, rejected: 0, skipped: 0 };
const event = (eventId: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  eventId,
  tenant: 'acme',
  provider: 'okta',
  time: '2026-11-01T10:00:00.000Z',
  type: 'token.issued',
  outcome: 'success',
  scopes: ['read.orders', 'write.orders'],
  requestedScopes: [],
  ...extra,
});

describe('store', () => {
  it('keeps the first of duplicate ids within a batch and skips ids already stored', async () => {
    const store = await Store.open(join(tempDir(), 'a.duckdb'));
    try {
      const importId = await store.beginImport('f', 'okta', 'acme');
      const first = await store.insertBatch(importId, [{ event: event('a', { clientId: 'first' }) }, { event: event('a', { clientId: 'second' }) }, { event: event('b') }], counts);
      expect(first).toEqual({ inserted: 2, duplicates: 1 });
      const second = await store.insertBatch(importId, [{ event: event('b') }, { event: event('c', { tenant: 'globex' }) }, { event: event('a', { provider: 'auth0' }) }], counts);
      expect(second).toEqual({ inserted: 2, duplicates: 1 });
      const events = await queryEvents(store, { limit: 0 });
      expect(events.find((e) => e.eventId === 'a' && e.provider === 'okta')?.clientId).toBe('first');
      expect(events.find((e) => e.eventId === 'b')?.scopes).toEqual(['read.orders', 'write.orders']);
      expect(events).toHaveLength(4);
    } finally {
      store.close();
    }
  });

  it('stores empty scope lists as empty, not as one empty scope', async () => {
    const store = await Store.open(join(tempDir(), 'a.duckdb'));
    try {
      const importId = await store.beginImport('f', 'okta', 'acme');
      await store.insertBatch(importId, [{ event: event('x', { scopes: [], requestedScopes: ['a'] }) }], counts);
      const [stored] = await queryEvents(store, { limit: 0 });
      expect(stored).toMatchObject({ scopes: [], requestedScopes: ['a'] });
      expect(await queryEvents(store, { scope: 'a', limit: 0 })).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('hashes content the same whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }));
  });
});
