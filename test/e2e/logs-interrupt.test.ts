// An import killed mid-way leaves only whole commit units, and running it again completes it exactly.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { tempDir } from '../logs/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/scopeguard.js');
const EVENTS = 200_000;
const BATCH = 5_000;
// two batches per transaction, below one row group, so commits go through the write-ahead log this test watches
const COMMIT_ROWS = 2 * BATCH;

async function writeEvents(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < EVENTS; i++) {
    // in time order, as exports are: an event out of order makes the import commit before its duplicate search
    const time = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString();
    const line = `{"eventId":"ev-${i}","tenant":"acme","time":"${time}","type":"api.request","outcome":"success","clientId":"client-${i % 50}","scopes":["read.orders"],"request":{"method":"GET","path":"/v1/orders/${i}","status":200}}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('interrupted import', () => {
  it('keeps whole commit units when killed and completes exactly on re-run', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.ndjson');
    const db = join(dir, 'audit.duckdb');
    await writeEvents(file);
    const env = { ...process.env, SCOPEGUARD_IMPORT_BATCH: String(BATCH), SCOPEGUARD_IMPORT_COMMIT_ROWS: String(COMMIT_ROWS) };
    const child = spawn(process.execPath, [BIN, 'logs', 'import', file, '--db', db], { cwd: dir, env, stdio: 'ignore' });
    const exited = once(child, 'exit');
    // the write-ahead log grows by a few hundred KB per committed unit: kill after the first, mid-import
    const wal = `${db}.wal`;
    const deadline = Date.now() + 120_000;
    while (!(existsSync(wal) && statSync(wal).size > 200_000) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });

    const [partial] = await query(db, 'SELECT count(*)::INTEGER AS n FROM events');
    const kept = Number(partial!.n);
    expect(kept % COMMIT_ROWS).toBe(0);
    expect(kept).toBeLessThan(EVENTS);
    const [unfinished] = await query(db, 'SELECT count(*)::INTEGER AS n FROM imports WHERE finished_at IS NULL');
    expect(unfinished!.n).toBe(1);

    const rerun = spawnSync(process.execPath, [BIN, 'logs', 'import', file, '--db', db], { cwd: dir, env, encoding: 'utf8' });
    expect(rerun.stdout).toMatch(new RegExp(`^imported ${EVENTS - kept} events from 1 file, ${kept} duplicates skipped, 0 rejected`));
    expect(rerun.status).toBe(0);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS d FROM events')).toEqual([{ n: EVENTS, d: EVENTS }]);
    // the staging files a killed import may leave are removed by the next one, and the next one leaves none
    expect(readdirSync(dir).filter((name) => name.includes('staging'))).toEqual([]);
  });
});
