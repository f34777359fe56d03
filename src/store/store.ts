/**
 * The DuckDB audit store: opening (with migrations), import bookkeeping and batched, deduplicating inserts.
 * One writer at a time: DuckDB locks the file, so the anti-join dedup in insertBatch cannot race.
 */
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import { EnvironmentError, InputError } from '../errors.ts';
import type { AuditEvent } from '../schema/types.ts';
import { CURRENT_VERSION, MIGRATIONS } from './migrations.ts';

export const DEFAULT_STORE_PATH = '.scopeguard/audit.duckdb';
// DuckDB's memory for queries; an import narrows it (importMemoryLimit) and restores it when done.
const MEMORY_LIMIT = process.env.SCOPEGUARD_DUCKDB_MEMORY ?? '128MB';
const QUERY_THREADS = process.env.SCOPEGUARD_DUCKDB_THREADS ?? '2';

// DuckDB's memory during an import (the JS side holds no batch: rows are staged in a file): read_json reserves a
// 32 MiB read buffer per thread whatever the file's size, and the insert's working set is one batch plus the commit
// unit's pinned blocks, larger when raw records are kept. Measured at 300 k events, one thread: 48 MB fails, 56 MB
// works; with --keep-raw 56 MB fails, 80 MB works.
function importMemoryLimit(keepRaw: boolean): string {
  return process.env.SCOPEGUARD_DUCKDB_MEMORY ?? `${32 * Number(IMPORT_THREADS) + (keepRaw ? 48 : 32)}MB`;
}

// The importer's own thread keeps one core busy normalizing; DuckDB inserting on every core competed with it and cost
// ~25% more CPU for the same import (measured on 2 cores: 7.7-8.2 CPU s with one DuckDB thread, 10.4-12.2 with two).
const IMPORT_THREADS = process.env.SCOPEGUARD_DUCKDB_THREADS ?? String(Math.max(1, availableParallelism() - 1));

export interface StoredEvent {
  event: AuditEvent;
  /** Scrubbed provider record as JSON text, only with --keep-raw. */
  raw?: string;
}

export interface BatchResult {
  inserted: number;
  duplicates: number;
}

export interface ImportCounts {
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
  skipped: number;
}

// A batch reaches DuckDB as NDJSON in a temporary file beside the store, loaded by read_json with these columns:
// DuckDB parses it natively, where appending value by value through the appender cost the JS thread more than
// encoding the rows (JSON.stringify of one flat object per row). The rows hold only what the import pipeline
// produced (scrubbed, normalized), and the file is deleted as soon as the batch is loaded.
const STAGED_COLUMNS = {
  tenant: 'VARCHAR', provider: 'VARCHAR', eventId: 'VARCHAR', time: 'VARCHAR', type: 'VARCHAR', rawType: 'VARCHAR',
  outcome: 'VARCHAR', actorId: 'VARCHAR', actorType: 'VARCHAR', actorName: 'VARCHAR', clientId: 'VARCHAR',
  scopes: 'VARCHAR[]', requestedScopes: 'VARCHAR[]', tokenId: 'VARCHAR', grantId: 'VARCHAR', method: 'VARCHAR',
  path: 'VARCHAR', status: 'INTEGER', ip: 'VARCHAR', userAgent: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', raw: 'VARCHAR',
} as const;
const STAGED_COLUMNS_SQL = `{${Object.entries(STAGED_COLUMNS).map(([name, type]) => `${name}: '${type}'`).join(', ')}}`;

/** One staged row as an NDJSON line (undefined fields are left out and read back as NULL). */
function stagedRow({ event, raw }: StoredEvent): string {
  return JSON.stringify({
    tenant: event.tenant,
    provider: event.provider,
    eventId: event.eventId,
    time: event.time,
    type: event.type,
    rawType: event.rawType,
    outcome: event.outcome,
    actorId: event.actor?.id,
    actorType: event.actor?.type,
    actorName: event.actor?.name,
    clientId: event.clientId,
    scopes: event.scopes ?? [],
    requestedScopes: event.requestedScopes ?? [],
    tokenId: event.tokenId,
    grantId: event.grantId,
    method: event.request?.method,
    path: event.request?.path,
    status: event.request?.status,
    ip: event.ip,
    userAgent: event.userAgent,
    file: event.source?.file,
    line: event.source?.line,
    raw,
  });
}

// Rows per transaction: at one row group (122,880 rows) or more DuckDB writes whole row groups straight to the
// database file instead of through the write-ahead log and a checkpoint. An interrupted import keeps whole units.
export const COMMIT_ROWS = Number(process.env.SCOPEGUARD_IMPORT_COMMIT_ROWS ?? 122_880);

// The DuckDB bindings take ~0.5 s to load: only commands that open a store pay for them.
async function duckdb(): Promise<typeof import('@duckdb/node-api')> {
  return import('@duckdb/node-api');
}

const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

// Staged rows pass through this buffer on their way to the staging file.
const STAGING_BUFFER_BYTES = 1 << 20;

/** The batch being staged: its rows (first occurrence of each id), their NDJSON's length, time span and ids. */
interface StagedBatch {
  rows: number;
  /** NDJSON bytes staged, and how many of them still wait in the buffer */
  bytes: number;
  buffered: number;
  file: string;
  fd: number;
  lo: string;
  hi: string;
  /** tenant -> provider -> event ids */
  ids: Map<string, Map<string, Set<string>>>;
}

export class Store {
  /** The batch being staged (see StagedBatch); undefined between batches. */
  private staged: StagedBatch | undefined;
  /** Rows of the open transaction (the current commit unit); undefined when none is open. */
  private unitRows: number | undefined;
  /**
   * Two staging files, used in turn: a batch is written to one while DuckDB reads the previous batch from the other.
   * Rows reach the file through a small buffer, so the importer's memory does not grow with the batch.
   */
  private readonly stagingFiles: [string, string];
  private nextStagingFile = 0;
  /** Encoded rows on their way to the current staging file. */
  private stagingBuffer = Buffer.allocUnsafe(STAGING_BUFFER_BYTES);

  private constructor(readonly path: string, private readonly instance: DuckDBInstance, readonly connection: DuckDBConnection) {
    this.stagingFiles = [`${resolve(path)}.staging.ndjson`, `${resolve(path)}.staging.1.ndjson`];
  }

  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<Store> {
    const absolute = resolve(path);
    if (options.readOnly && !existsSync(absolute)) {
      throw new InputError(`no audit store at ${path}`, 'import logs first: scopeguard logs import FILE --tenant T (or pass --db PATH)');
    }
    mkdirSync(dirname(absolute), { recursive: true });
    let instance: DuckDBInstance;
    try {
      const { DuckDBInstance } = await duckdb();
      instance = await DuckDBInstance.create(absolute, {
        memory_limit: MEMORY_LIMIT,
        threads: QUERY_THREADS,
        ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
      });
    } catch (error) {
      const message = (error as Error).message;
      if (/lock/i.test(message)) throw new EnvironmentError(`the audit store ${path} is in use by another process`, 'wait for the other scopeguard to finish');
      throw new InputError(`cannot open the audit store ${path}: ${message.split('\n')[0]}`, 'is it a DuckDB file written by scopeguard?');
    }
    const connection = await instance.connect();
    const store = new Store(path, instance, connection);
    await store.migrate(Boolean(options.readOnly));
    return store;
  }

  /** Applies missing migrations; refuses a store written by a newer scopeguard. */
  private async migrate(readOnly: boolean, upTo: number = CURRENT_VERSION): Promise<void> {
    const c = this.connection;
    const existing = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'schema_version'`);
    const hasVersionTable = Number(existing.getRowObjectsJS()[0]?.n) > 0;
    let version = 0;
    if (hasVersionTable) {
      const row = await c.runAndReadAll(`SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_version`);
      version = Number(row.getRowObjectsJS()[0]?.v ?? 0);
    }
    if (version > CURRENT_VERSION) {
      this.close();
      throw new InputError(
        `the audit store ${this.path} has schema version ${version}, newer than this scopeguard understands (${CURRENT_VERSION})`,
        'upgrade scopeguard, or point --db at another store',
      );
    }
    if (version >= upTo) return;
    if (readOnly) {
      this.close();
      throw new InputError(`the audit store ${this.path} has schema version ${version}; run \`scopeguard logs import\` once to upgrade it to ${CURRENT_VERSION}`);
    }
    await c.run('BEGIN TRANSACTION');
    try {
      if (!hasVersionTable) await c.run(`CREATE TABLE schema_version (version INTEGER NOT NULL, description VARCHAR, applied_at TIMESTAMP NOT NULL)`);
      for (const migration of MIGRATIONS.filter((m) => m.version > version && m.version <= upTo)) {
        await c.run(migration.sql);
        await c.run(`INSERT INTO schema_version VALUES ($1, $2, now()::TIMESTAMP)`, [migration.version, migration.description]);
      }
      await c.run('COMMIT');
    } catch (error) {
      await c.run('ROLLBACK');
      throw error;
    }
  }

  /** For tests of the upgrade path: a store left at an older schema version. */
  static async createAtVersion(path: string, version: number): Promise<void> {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    const { DuckDBInstance } = await duckdb();
    const instance = await DuckDBInstance.create(resolve(path));
    const connection = await instance.connect();
    const store = new Store(path, instance, connection);
    await store.migrate(false, version);
    store.close();
  }

  async schemaVersion(): Promise<number> {
    const row = await this.connection.runAndReadAll(`SELECT max(version)::INTEGER AS v FROM schema_version`);
    return Number(row.getRowObjectsJS()[0]?.v);
  }

  async beginImport(file: string, provider: string, tenant: string | undefined, options: { keepRaw?: boolean } = {}): Promise<number> {
    await this.connection.run(`SET memory_limit = ${sqlString(importMemoryLimit(Boolean(options.keepRaw)))}`);
    await this.connection.run(`SET threads = ${IMPORT_THREADS}`);
    // only this process can write the store (DuckDB holds its lock): a staging file left by a killed import is stale
    this.dropStaged();
    const result = await this.connection.runAndReadAll(
      `INSERT INTO imports (file, provider, tenant, started_at) VALUES ($1, $2, $3, now()::TIMESTAMP) RETURNING import_id`,
      [file, provider, tenant ?? null],
    );
    return Number(result.getRowObjectsJS()[0]?.import_id);
  }

  /** Records the import's final counts and commits the last commit unit with them. */
  async finishImport(importId: number, sha256: string | undefined, counts: ImportCounts): Promise<void> {
    await this.connection.run(
      `UPDATE imports SET sha256 = $2, read_count = $3, imported = $4, duplicates = $5, rejected = $6, skipped = $7, finished_at = now()::TIMESTAMP WHERE import_id = $1`,
      [importId, sha256 ?? null, counts.read, counts.imported, counts.duplicates, counts.rejected, counts.skipped],
    );
    await this.commitUnit();
    await this.restoreQuerySettings();
  }

  /** Drops the open commit unit (an import stopped by --strict or an error keeps whole committed units only). */
  async abortImport(): Promise<void> {
    this.dropStaged();
    if (this.unitRows !== undefined) {
      this.unitRows = undefined;
      await this.connection.run('ROLLBACK');
    }
    await this.restoreQuerySettings();
  }

  /** The import's narrower memory and thread settings end with it: a query on the same store gets the full ones. */
  private async restoreQuerySettings(): Promise<void> {
    await this.connection.run(`SET memory_limit = ${sqlString(MEMORY_LIMIT)}`);
    await this.connection.run(`SET threads = ${QUERY_THREADS}`);
  }

  /**
   * Stages one batch and moves its new rows into `events`, committed at once: for callers that insert a few batches
   * (tests, fixtures). The importer uses stageBatch and commitStaged, which commit in units of COMMIT_ROWS.
   */
  async insertBatch(importId: number, batch: StoredEvent[], counts: ImportCounts): Promise<BatchResult> {
    this.stageBatch(batch);
    return this.commitStaged(importId, batch.length, counts, { commit: true });
  }

  /** Bytes of NDJSON staged for the next commitStaged: the importer bounds its batches by these as well as by rows. */
  get stagedBytes(): number {
    return this.staged?.bytes ?? 0;
  }

  /** Stages every event of a batch (see stage). */
  stageBatch(batch: StoredEvent[]): void {
    for (const stored of batch) this.stage(stored);
  }

  /**
   * Adds one event to the batch being staged, encoded at once so the importer holds no batch of objects (they die
   * young, which is most of what keeps its garbage collection cheap). A repeat of an id already in this batch is
   * dropped here (counted as a duplicate by commitStaged), so the insert needs no window to find first occurrences.
   */
  stage(stored: StoredEvent): void {
    const { event } = stored;
    const staged = (this.staged ??= this.startStaging(event.time));
    // tenant -> provider -> event ids: nested so no key string is built per event
    let providers = staged.ids.get(event.tenant);
    if (!providers) staged.ids.set(event.tenant, (providers = new Map()));
    let ids = providers.get(event.provider);
    if (!ids) providers.set(event.provider, (ids = new Set()));
    if (ids.has(event.eventId)) return;
    ids.add(event.eventId);
    if (event.time < staged.lo) staged.lo = event.time;
    if (event.time > staged.hi) staged.hi = event.time;
    const line = stagedRow(stored);
    // the most bytes the line and its newline can take: a UTF-16 unit is at most 3 UTF-8 bytes
    const room = line.length * 3 + 1;
    if (staged.buffered + room > this.stagingBuffer.length) {
      this.writeStagingBuffer(staged);
      if (room > this.stagingBuffer.length) this.stagingBuffer = Buffer.allocUnsafe(room);
    }
    const written = this.stagingBuffer.write(line, staged.buffered);
    this.stagingBuffer[staged.buffered + written] = 0x0a;
    staged.buffered += written + 1;
    staged.bytes += written + 1;
    staged.rows++;
  }

  private startStaging(time: string): StagedBatch {
    const file = this.stagingFiles[this.nextStagingFile]!;
    this.nextStagingFile = 1 - this.nextStagingFile;
    return { rows: 0, bytes: 0, buffered: 0, file, fd: openSync(file, 'w'), lo: time, hi: time, ids: new Map() };
  }

  private writeStagingBuffer(staged: StagedBatch): void {
    writeSync(staged.fd, this.stagingBuffer, 0, staged.buffered);
    staged.buffered = 0;
    // a buffer grown for one huge row goes back to its usual size
    if (this.stagingBuffer.length > STAGING_BUFFER_BYTES) this.stagingBuffer = Buffer.allocUnsafe(STAGING_BUFFER_BYTES);
  }

  /**
   * Moves the staged rows that are new into `events` and updates the import's counts inside the open commit unit,
   * committing it once it holds COMMIT_ROWS rows (or at once with `commit`). Runs on DuckDB's threads, so the
   * importer normalizes the next batch meanwhile.
   */
  async commitStaged(importId: number, staged: number, counts: ImportCounts, options: { commit?: boolean } = {}): Promise<BatchResult> {
    const span = this.staged;
    if (!span) {
      if (options.commit) await this.commitUnit();
      return { inserted: 0, duplicates: staged };
    }
    const c = this.connection;
    // A re-imported event has the same tenant, provider and time as its stored copy (provider ids name one event;
    // content hashes include the time), so only stored rows inside the batch's bounds can be duplicates. Literal
    // bounds let DuckDB prune row groups by their min/max instead of scanning the whole table for every batch.
    // The stored rows a batch can collide with also share a tenant + provider pair with it. Both are tracked while
    // staging (a query over the staged rows cost more than the insert).
    const lo = span.lo.slice(0, 23);
    const hi = span.hi.slice(0, 23);
    const keyFilter = [...span.ids]
      .flatMap(([tenant, providers]) => [...providers.keys()].map((provider) => `(tenant = ${sqlString(tenant)} AND provider = ${sqlString(provider)})`))
      .join(' OR ');
    // the file holds this batch from here on: the next batch can be staged while this one is inserted
    this.writeStagingBuffer(span);
    closeSync(span.fd);
    this.staged = undefined;
    if (this.unitRows === undefined) {
      await c.run('BEGIN TRANSACTION');
      this.unitRows = 0;
    }
    try {
      const stored = `SELECT tenant, provider, event_id FROM events
        WHERE time BETWEEN CAST(${sqlString(lo)} AS TIMESTAMP) AND CAST(${sqlString(hi)} AS TIMESTAMP) AND (${keyFilter})`;
      // Most batches of new logs meet no stored row in their span, and counting them (time zone maps, one column)
      // costs a fraction of the anti-join, which is only needed when some exist.
      const overlap = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (${stored})`);
      const staging = `read_json(${sqlString(span.file)}, format = 'newline_delimited', columns = ${STAGED_COLUMNS_SQL}) s`;
      // anything already stored, by an earlier import or earlier in this unit, is a duplicate (a plain hash
      // anti-join: the correlated NOT EXISTS it replaces planned as a delim join at twice the cost)
      const result = await c.run(`
        INSERT INTO events
        SELECT s.tenant, s.provider, s.eventId, CAST(left(s.time, 23) AS TIMESTAMP), s.type, s.rawType, s.outcome,
               s.actorId, s.actorType, s.actorName, s.clientId, s.scopes, s.requestedScopes, s.tokenId, s.grantId,
               s.method, s.path, s.status, s.ip, s.userAgent, s.file, s.line, ${importId}, CAST(s.raw AS JSON)
        FROM ${staging}
        ${Number(overlap.getRowObjectsJS()[0]?.n) > 0 ? `ANTI JOIN (${stored}) e ON e.tenant = s.tenant AND e.provider = s.provider AND e.event_id = s.eventId` : ''}`);
      const inserted = result.rowsChanged;
      const duplicates = staged - inserted;
      await c.run(
        `UPDATE imports SET read_count = $2, imported = imported + $3, duplicates = duplicates + $4, rejected = $5, skipped = $6 WHERE import_id = $1`,
        [importId, counts.read, inserted, duplicates, counts.rejected, counts.skipped],
      );
      rmSync(span.file, { force: true });
      this.unitRows += span.rows;
      if (options.commit || this.unitRows >= COMMIT_ROWS) await this.commitUnit();
      return { inserted, duplicates };
    } catch (error) {
      rmSync(span.file, { force: true });
      if (this.unitRows !== undefined) {
        this.unitRows = undefined;
        await c.run('ROLLBACK');
      }
      throw error;
    }
  }

  private async commitUnit(): Promise<void> {
    if (this.unitRows === undefined) return;
    this.unitRows = undefined;
    await this.connection.run('COMMIT');
  }

  /** Forgets a batch being staged and removes both staging files. */
  private dropStaged(): void {
    if (this.staged) closeSync(this.staged.fd);
    this.staged = undefined;
    for (const file of this.stagingFiles) rmSync(file, { force: true });
  }

  /** Writes everything to the main file (so nothing lingers only in the WAL) and releases the file lock. */
  async checkpoint(): Promise<void> {
    await this.connection.run('CHECKPOINT');
  }

  close(): void {
    this.dropStaged();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
