// Re-importing an export that overlaps the store, at sizes where one duplicate search over a whole commit unit ran
// out of the import's DuckDB memory (64 MB per thread: from ~70,000 overlapping events on). The shipped bin runs
// with one DuckDB thread, as on the 2-core machines the import is designed for, whatever this machine has.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { tempDir } from '../logs/helpers.ts';

const BIN = resolve(import.meta.dirname, '../../bin/scopeguard.js');

function importLogs(cwd: string, file: string, env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, 'logs', 'import', file, '--db', 'store.duckdb'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SCOPEGUARD_DUCKDB_THREADS: '1', ...env },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Normalized NDJSON of events from..to-1, a minute apart, of two tenants taking turns (`order` shuffles them). */
function writeEvents(file: string, from: number, to: number, order: 'time' | 'shuffled' = 'time'): void {
  const t0 = Date.parse('2026-08-22T00:00:00Z');
  const numbers = Array.from({ length: to - from }, (_, i) => from + i);
  if (order === 'shuffled') {
    // a fixed permutation (multiplication by a number coprime with the count), so every run reads the same file
    const n = numbers.length;
    for (let i = 0; i < n; i++) numbers[i] = from + ((i * 7_919) % n);
  }
  const lines = numbers.map((i) =>
    JSON.stringify({
      eventId: `ev-${i}`,
      tenant: i % 2 === 0 ? 'acme' : 'globex',
      provider: 'gateway',
      time: new Date(t0 + i * 60_000).toISOString(),
      type: 'api.request',
      outcome: 'success',
      clientId: 'c1',
      scopes: ['read.data'],
      requestedScopes: [],
      request: { method: 'GET', path: `/v1/data/${i}`, status: 200 },
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
}

async function stored(db: string): Promise<unknown> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT (tenant, provider, event_id))::INTEGER AS distinct_ids,
         min(event_id[4:]::INTEGER)::INTEGER AS first, max(event_id[4:]::INTEGER)::INTEGER AS last FROM events`,
    );
    const imports = await connection.runAndReadAll('SELECT imported::INTEGER AS imported, duplicates::INTEGER AS duplicates FROM imports ORDER BY import_id');
    return { ...rows.getRowObjectsJS()[0], imports: imports.getRowObjectsJS() };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('re-importing an overlapping export', () => {
  it('skips 100,000 stored events, and stores only the new ones of a rolling export that overlaps half of them', async () => {
    const dir = tempDir();
    writeEvents(join(dir, 'export.ndjson'), 0, 100_000);
    const first = importLogs(dir, 'export.ndjson');
    expect(first.stdout).toMatch(/^imported 100000 events from 1 file, 0 duplicates skipped/);
    expect(first.status).toBe(0);

    const again = importLogs(dir, 'export.ndjson');
    expect(again.stderr).not.toMatch(/memory|bug in scopeguard/);
    expect(again.stdout).toMatch(/^imported 0 events from 1 file, 100000 duplicates skipped/);
    expect(again.status).toBe(0);

    // the next night's export: the last 50,000 again and 50,000 new ones after them
    writeEvents(join(dir, 'next.ndjson'), 50_000, 150_000);
    const rolling = importLogs(dir, 'next.ndjson');
    expect(rolling.stdout).toMatch(/^imported 50000 events from 1 file, 50000 duplicates skipped/);
    expect(rolling.status).toBe(0);
    expect(await stored(join(dir, 'store.duckdb'))).toEqual({
      n: 150_000,
      distinct_ids: 150_000,
      first: 0,
      last: 149_999,
      imports: [
        { imported: 100_000, duplicates: 0 },
        { imported: 0, duplicates: 100_000 },
        { imported: 50_000, duplicates: 50_000 },
      ],
    });
  });

  it('finds repeats of an earlier commit unit of the same import in a file out of time order', async () => {
    const dir = tempDir();
    // 160,000 events in no time order, in units of 80,000: every unit after the first spans the stored ones. Then
    // the file again, and a file of its first 100,000 events and 20,000 new ones, both out of order.
    writeEvents(join(dir, 'shuffled.ndjson'), 0, 160_000, 'shuffled');
    const units = { SCOPEGUARD_IMPORT_COMMIT_ROWS: '80000' };
    const first = importLogs(dir, 'shuffled.ndjson', units);
    expect(first.stdout).toMatch(/^imported 160000 events from 1 file, 0 duplicates skipped/);
    expect(first.status).toBe(0);
    const again = importLogs(dir, 'shuffled.ndjson', units);
    expect(again.stdout).toMatch(/^imported 0 events from 1 file, 160000 duplicates skipped/);
    expect(again.status).toBe(0);
    writeEvents(join(dir, 'more.ndjson'), 60_000, 180_000, 'shuffled');
    const more = importLogs(dir, 'more.ndjson', units);
    expect(more.stdout).toMatch(/^imported 20000 events from 1 file, 100000 duplicates skipped/);
    expect(more.status).toBe(0);
    expect(await stored(join(dir, 'store.duckdb'))).toMatchObject({ n: 180_000, distinct_ids: 180_000, first: 0, last: 179_999 });
  });

  it('says in one line what to do when DuckDB runs out of memory during an import', () => {
    const dir = tempDir();
    writeEvents(join(dir, 'export.ndjson'), 0, 1_000);
    const result = importLogs(dir, 'export.ndjson', { SCOPEGUARD_DUCKDB_MEMORY: '16MB' });
    expect(result.stderr).not.toMatch(/bug in scopeguard|Possible solutions/);
    expect(result.stderr).toMatch(/^scopeguard: DuckDB ran out of memory importing into store\.duckdb \(16MB for the import: .+\)\n {2}hint: .*SCOPEGUARD_DUCKDB_MEMORY/m);
    expect(result.status).toBe(2);
  });
});
