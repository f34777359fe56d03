/**
 * `logs import` at scale: generates SCOPEGUARD_BENCH_EVENTS (default 2,000,000, about 1 GB) normalized events as
 * NDJSON, imports them through the real pipeline (reader, importer, scrubbing, appender batches, dedup) while sampling
 * RSS, then loads the same file with DuckDB's own read_json (the ceiling for this store) and times a typical filtered
 * query.
 * Goal: >= 50% of read_json throughput, peak RSS < 300 MB and flat, query < 100 ms.
 * Prints figures; never fails on a timing. Run alone: npx tsx bench/logs.bench.ts
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { importFile } from '../src/logs/import.ts';
import { Store } from '../src/store/store.ts';
import { queryEvents } from '../src/store/query.ts';

const EVENTS = Number(process.env.SCOPEGUARD_BENCH_EVENTS ?? 2_000_000);
const TYPES = ['api.request', 'api.request', 'api.request', 'token.issued', 'token.refreshed', 'authorize.denied'];
const SCOPES = ['read.orders', 'write.orders', 'read.data', 'export.data', 'read.users', 'admin.console'];
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-logs-'));
const file = join(dir, 'events.ndjson');
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
// CPU seconds (all threads) next to wall time: on a shared machine the wall time moves with the neighbours' load
const cpuSeconds = (since: NodeJS.CpuUsage): string => {
  const used = process.cpuUsage(since);
  return ((used.user + used.system) / 1e6).toFixed(1);
};
const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en')} events/s`;

async function generate(): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const start = Date.UTC(2026, 7, 22);
  for (let i = 0; i < EVENTS; i++) {
    const client = i % 500;
    const type = TYPES[i % TYPES.length]!;
    const scopes = [SCOPES[client % SCOPES.length]!, SCOPES[(client + 1) % SCOPES.length]!];
    const time = new Date(start + Math.floor((i / EVENTS) * 90 * 86_400_000)).toISOString();
    const record = {
      eventId: `ev-${i.toString(36)}-${(i * 2654435761 % 4294967296).toString(16)}`,
      tenant: i % 3 === 0 ? 'globex' : 'acme',
      time,
      type,
      rawType: type === 'api.request' ? 'request' : 'app.oauth2.as.token.grant.access_token',
      outcome: type === 'authorize.denied' ? 'failure' : 'success',
      actor: { id: `0oa${client.toString(16).padStart(6, '0')}`, type: 'client', name: `service-${client}` },
      clientId: `client-${client}`,
      scopes,
      requestedScopes: type === 'token.issued' ? scopes : [],
      tokenId: `AT.${(i * 40503 % 1_000_003).toString(36)}${client}`,
      request: type === 'api.request' ? { method: i % 4 === 0 ? 'POST' : 'GET', path: `/v1/orders/${i % 100_000}`, status: i % 50 === 0 ? 403 : 200 } : undefined,
      ip: `10.${client % 250}.${i % 250}.${(i >> 8) % 250}`,
      userAgent: 'acme-sdk/3.4.1 (linux; node 20)',
    };
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

let t = performance.now();
await generate();
const bytes = statSync(file).size;
process.stdout.write(`generated ${EVENTS.toLocaleString('en')} events, ${mb(bytes)} NDJSON in ${((performance.now() - t) / 1000).toFixed(1)}s\n`);

// --- scopeguard import ---------------------------------------------------------------------------------------------
const rssMarks = [Math.min(500_000, EVENTS), EVENTS];
async function timedImport(label: string, dbFile: string): Promise<{ ms: number; imported: number; store: Store }> {
  let peakRss = process.memoryUsage().rss;
  process.stdout.write(`  ${label}: RSS before: ${mb(peakRss)}\n`);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const store = await Store.open(join(dir, dbFile));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const printed = new Set<number>();
  const result = await importFile(store, file, {
    provider: 'scopeguard',
    rejectsDir: join(dir, 'rejects'),
    onProgress: (counts) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      for (const mark of rssMarks) {
        if (counts.read >= mark && !printed.has(mark)) {
          printed.add(mark);
          process.stdout.write(`  ${label}: RSS at ${mark.toLocaleString('en')} events: ${mb(process.memoryUsage().rss)} (peak so far ${mb(peakRss)})\n`);
        }
      }
    },
  });
  await store.checkpoint();
  const ms = performance.now() - started;
  clearInterval(sampler);
  process.stdout.write(`${label}: ${result.imported.toLocaleString('en')} events in ${(ms / 1000).toFixed(1)}s = ${rate(result.imported, ms)}, ${mb(bytes / (ms / 1000))}/s, ${cpuSeconds(cpuBefore)} CPU s, peak RSS ${mb(peakRss)}\n`);
  return { ms, imported: result.imported, store };
}

const { store, ms: importMs } = await timedImport('scopeguard logs import', 'audit.duckdb');

// --- a typical filtered query ---------------------------------------------------------------------------------------
const timings: number[] = [];
let matched = 0;
for (let run = 0; run < 5; run++) {
  const q = performance.now();
  matched = (await queryEvents(store, { tenant: 'acme', clientIds: ['client-7'], scope: 'write.orders', type: 'api.request', since: '2026-10-01T00:00:00.000Z', until: '2026-11-01T00:00:00.000Z', limit: 100 })).length;
  timings.push(performance.now() - q);
}
timings.sort((a, b) => a - b);
process.stdout.write(`logs query (tenant+client+scope+type+month, limit 100): median ${timings[2]!.toFixed(0)} ms over 5 runs (${matched} rows)\n`);
store.close();

// --- DuckDB's own read_json on the same file: the ceiling -------------------------------------------------------------
const instance = await DuckDBInstance.create(join(dir, 'ceiling.duckdb'), { memory_limit: '256MB', threads: '2' });
const connection = await instance.connect();
t = performance.now();
const ceilingCpu = process.cpuUsage();
await connection.run(`
  CREATE TABLE events AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {
    eventId: 'VARCHAR', tenant: 'VARCHAR', time: 'TIMESTAMP', type: 'VARCHAR', rawType: 'VARCHAR', outcome: 'VARCHAR',
    actor: 'STRUCT(id VARCHAR, type VARCHAR, name VARCHAR)', clientId: 'VARCHAR', scopes: 'VARCHAR[]', requestedScopes: 'VARCHAR[]',
    tokenId: 'VARCHAR', request: 'STRUCT(method VARCHAR, path VARCHAR, status INTEGER)', ip: 'VARCHAR', userAgent: 'VARCHAR'})`);
await connection.run('CHECKPOINT');
const ceilingMs = performance.now() - t;
connection.closeSync();
instance.closeSync();
process.stdout.write(`duckdb read_json into a table: ${(ceilingMs / 1000).toFixed(1)}s = ${rate(EVENTS, ceilingMs)}, ${cpuSeconds(ceilingCpu)} CPU s\n`);
process.stdout.write(`import / read_json throughput: ${((ceilingMs / importMs) * 100).toFixed(0)}% (goal >= 50%)\n`);
rmSync(dir, { recursive: true, force: true });
