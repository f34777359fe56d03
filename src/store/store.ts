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
import type { DirectLine } from '../logs/direct.ts';
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
/** A `columns = {...}` argument of read_json. */
const columnsSql = (columns: Record<string, string>): string => `{${Object.entries(columns).map(([name, type]) => `${name}: '${type}'`).join(', ')}}`;
const STAGED_COLUMNS_SQL = columnsSql(STAGED_COLUMNS);

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

// Rows per transaction (commit unit): one of DuckDB's row groups (122,880 rows). A unit of whole row groups is written
// straight to the database file; a commit that leaves the table's last row group part-filled costs the next commits
// a rewrite of it (measured: 500,000 events in 20,000-row statements took 5.0-5.6 CPU s committed every 140,000 rows,
// 3.2-3.5 s committed at each row group's end). So units end where the table's row count reaches a multiple of this,
// and batches are cut to end there too. An interrupted import keeps whole units.
export const COMMIT_ROWS = Number(process.env.SCOPEGUARD_IMPORT_COMMIT_ROWS ?? 122_880);

// The DuckDB bindings take ~0.5 s to load: only commands that open a store pay for them.
async function duckdb(): Promise<typeof import('@duckdb/node-api')> {
  return import('@duckdb/node-api');
}

const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

// Staged rows pass through a buffer this large on their way to a staging file.
const STAGING_BUFFER_BYTES = 1 << 20;

// The direct lane's lines (src/logs/direct.ts) as they are, plus their line number: read_json takes the nested
// shape of the normalized NDJSON (keys it is not given, such as provider and source, it ignores).
const DIRECT_COLUMNS = {
  eventId: 'VARCHAR', tenant: 'VARCHAR', time: 'VARCHAR', type: 'VARCHAR', rawType: 'VARCHAR', outcome: 'VARCHAR',
  actor: 'STRUCT(id VARCHAR, type VARCHAR, name VARCHAR)', clientId: 'VARCHAR', scopes: 'VARCHAR[]',
  requestedScopes: 'VARCHAR[]', tokenId: 'VARCHAR', grantId: 'VARCHAR',
  request: 'STRUCT(method VARCHAR, path VARCHAR, status INTEGER)', ip: 'VARCHAR', userAgent: 'VARCHAR', __line: 'BIGINT',
} as const;
const DIRECT_COLUMNS_SQL = columnsSql(DIRECT_COLUMNS);

/** Where direct-lane lines come from: what the general path would have filled in from the import. */
export interface DirectOrigin {
  provider: string;
  file: string;
  /** --tenant, for lines that name none */
  tenant: string | undefined;
}

/**
 * One kind of staged row on its way to DuckDB: two files used in turn (a batch is written to one while DuckDB reads
 * the previous batch from the other), reached through a small buffer so the importer's memory does not grow with
 * the batch. A file is created by its batch's first row.
 */
class StagingFile {
  private buffer = Buffer.allocUnsafe(STAGING_BUFFER_BYTES);
  private fd: number | undefined;
  private path = '';
  private next = 0;
  /** NDJSON bytes staged in this batch, and how many of them still wait in the buffer */
  bytes = 0;
  private buffered = 0;
  rows = 0;

  constructor(private readonly paths: readonly [string, string]) {}

  /** Appends one row and its newline. */
  append(row: string): void {
    // the most bytes the row can take: a UTF-16 unit is at most 3 UTF-8 bytes
    this.reserve(row.length * 3);
    this.endRow(this.buffer.write(row, this.buffered));
  }

  /** Appends bytes[start, end) with its last byte replaced by `tail` (ASCII), and a newline. */
  appendBytes(bytes: Buffer, start: number, end: number, tail: string): void {
    this.reserve(end - start + tail.length);
    bytes.copy(this.buffer, this.buffered, start, end - 1);
    const copied = end - 1 - start;
    this.endRow(copied + this.buffer.write(tail, this.buffered + copied, 'latin1'));
  }

  /** Makes room for a row of at most `room` bytes and its newline, opening the file for a batch's first row. */
  private reserve(room: number): void {
    if (this.fd === undefined) {
      this.path = this.paths[this.next]!;
      this.next = 1 - this.next;
      this.fd = openSync(this.path, 'w');
    }
    if (this.buffered + room + 1 > this.buffer.length) {
      this.writeBuffer();
      if (room + 1 > this.buffer.length) this.buffer = Buffer.allocUnsafe(room + 1);
    }
  }

  private endRow(written: number): void {
    this.buffer[this.buffered + written] = 0x0a;
    this.buffered += written + 1;
    this.bytes += written + 1;
    this.rows++;
  }

  private writeBuffer(): void {
    writeSync(this.fd!, this.buffer, 0, this.buffered);
    this.buffered = 0;
    // a buffer grown for one huge row goes back to its usual size
    if (this.buffer.length > STAGING_BUFFER_BYTES) this.buffer = Buffer.allocUnsafe(STAGING_BUFFER_BYTES);
  }

  /** Ends the batch: the file holding its rows, or undefined when it has none. The next batch starts empty. */
  finish(): string | undefined {
    if (this.fd === undefined) return undefined;
    this.writeBuffer();
    closeSync(this.fd);
    this.fd = undefined;
    this.bytes = 0;
    this.rows = 0;
    return this.path;
  }

  /** Forgets the batch and removes both files (stale ones from a killed import too). */
  drop(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.buffered = 0;
    this.bytes = 0;
    this.rows = 0;
    for (const path of this.paths) rmSync(path, { force: true });
  }
}

/** The batch being staged: its time span and the ids of its rows (first occurrence of each id). */
interface StagedBatch {
  lo: string;
  hi: string;
  /** tenant -> provider -> event ids */
  ids: Map<string, Map<string, Set<string>>>;
  /** set by the batch's first direct-lane line */
  directOrigin?: DirectOrigin;
}

export class Store {
  /** The batch being staged (see StagedBatch); undefined between batches. */
  private staged: StagedBatch | undefined;
  /** Rows of the open transaction (the current commit unit); undefined when none is open. */
  private unitRows: number | undefined;
  /** Rows in `events` during an import, counting a batch being inserted as if all of it were new. */
  private tableRows = 0;
  /** Rows of the batch being inserted (commitStaged in flight). */
  private insertingRows = 0;
  /**
   * Per tenant + provider (joined by NUL), the epoch-ms span of its stored rows, learnt once per import and widened
   * by each batch: a batch outside it can collide with no stored row, so its insert skips the duplicate search.
   */
  private storedSpans = new Map<string, { lo: number; hi: number } | undefined>();
  /** The open unit's changes to its import's counts, written with its commit. */
  private unitCounts: { importId: number; counts: ImportCounts; inserted: number; duplicates: number } | undefined;
  /** Rows the import pipeline made (stagedRow), and lines the direct lane took as they are. */
  private readonly stagedRows: StagingFile;
  private readonly stagedLines: StagingFile;

  private constructor(readonly path: string, private readonly instance: DuckDBInstance, readonly connection: DuckDBConnection) {
    const base = resolve(path);
    this.stagedRows = new StagingFile([`${base}.staging.ndjson`, `${base}.staging.1.ndjson`]);
    this.stagedLines = new StagingFile([`${base}.staging.direct.ndjson`, `${base}.staging.direct.1.ndjson`]);
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
    // jemalloc (DuckDB's allocator on Linux) then returns freed pages to the system on a thread of its own instead
    // of keeping them: an import's RSS peaked ~35 MB lower (normalized NDJSON) and ~50-80 MB lower with --keep-raw,
    // where it also grew less with the file, at the same speed. Where DuckDB has no jemalloc the setting is refused,
    // and nothing changes.
    await connection.run('SET allocator_background_threads = true').catch(() => undefined);
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
    const count = await this.connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM events`);
    this.tableRows = Number(count.getRowObjectsJS()[0]?.n ?? 0);
    this.insertingRows = 0;
    this.storedSpans.clear();
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
    // the final counts above include the open unit's
    this.unitCounts = undefined;
    await this.commitUnit();
    await this.restoreQuerySettings();
  }

  /** Drops the open commit unit (an import stopped by --strict or an error keeps whole committed units only). */
  async abortImport(): Promise<void> {
    this.dropStaged();
    this.unitCounts = undefined;
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
    return this.stagedRows.bytes + this.stagedLines.bytes;
  }

  /**
   * Whether the rows staged so far take the table to the end of a commit unit (see COMMIT_ROWS), assuming none of
   * them is a duplicate: the importer ends its batch there.
   */
  get stagedToUnitEnd(): boolean {
    const staged = this.stagedRowCount;
    return staged > 0 && (this.tableRows + this.insertingRows + staged) % COMMIT_ROWS === 0;
  }

  /** Rows of both kinds staged for the next commitStaged (repeats inside the batch left out). */
  private get stagedRowCount(): number {
    return this.stagedRows.rows + this.stagedLines.rows;
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
    if (this.isRepeat(event.tenant, event.provider, event.eventId, event.time)) return;
    this.stagedRows.append(stagedRow(stored));
  }

  /**
   * Stages a line of normalized NDJSON that the direct lane found already in stored form: as it is, with its line
   * number added, for read_json to parse (see stage for repeats).
   */
  stageDirect(direct: DirectLine, origin: DirectOrigin): void {
    if (this.isRepeat(direct.tenant, origin.provider, direct.eventId, direct.time)) return;
    this.staged!.directOrigin ??= origin;
    // the line ends with the object's closing brace: the line number becomes its last member
    this.stagedLines.appendBytes(direct.bytes, direct.start, direct.end, `,"__line":${direct.line}}`);
  }

  /** Whether the batch being staged already holds this id; else records it and widens the batch's time span. */
  private isRepeat(tenant: string, provider: string, eventId: string, time: string): boolean {
    const staged = (this.staged ??= { lo: time, hi: time, ids: new Map() });
    // tenant -> provider -> event ids: nested so no key string is built per event
    let providers = staged.ids.get(tenant);
    if (!providers) staged.ids.set(tenant, (providers = new Map()));
    let ids = providers.get(provider);
    if (!ids) providers.set(provider, (ids = new Set()));
    if (ids.has(eventId)) return true;
    ids.add(eventId);
    if (time < staged.lo) staged.lo = time;
    if (time > staged.hi) staged.hi = time;
    return false;
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
    const pairs = [...span.ids].flatMap(([tenant, providers]) => [...providers.keys()].map((provider) => ({ tenant, provider, key: `${tenant}\u0000${provider}` })));
    const keyFilter = pairs.map(({ tenant, provider }) => `(tenant = ${sqlString(tenant)} AND provider = ${sqlString(provider)})`).join(' OR ');
    // the files hold this batch from here on: the next batch can be staged while this one is inserted
    const rows = this.stagedRowCount;
    this.insertingRows = rows;
    const rowsFile = this.stagedRows.finish();
    const linesFile = this.stagedLines.finish();
    this.staged = undefined;
    try {
      const stored = `SELECT tenant, provider, event_id FROM events
        WHERE time BETWEEN CAST(${sqlString(lo)} AS TIMESTAMP) AND CAST(${sqlString(hi)} AS TIMESTAMP) AND (${keyFilter})`;
      // Most batches of new logs meet no stored row in their span, and counting them (time zone maps, one column)
      // costs a fraction of the anti-join, which is only needed when some exist. A batch outside what is stored for
      // its tenant + provider pairs needs neither.
      const loMs = Date.parse(span.lo);
      const hiMs = Date.parse(span.hi);
      let mayOverlap = false;
      for (const pair of pairs) {
        const known = await this.storedSpan(pair.tenant, pair.provider, pair.key);
        if (known && known.lo <= hiMs && loMs <= known.hi) mayOverlap = true;
      }
      const overlap = mayOverlap && Number((await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (${stored})`)).getRowObjectsJS()[0]?.n) > 0;
      // The anti-join would pin the open unit's uncommitted rows in memory (a file of 45,000 events out of time order
      // ran out of the import's DuckDB memory): the unit is committed first, so the join reads evictable blocks.
      if (overlap && this.unitRows) await this.commitUnit();
      if (this.unitRows === undefined) {
        await c.run('BEGIN TRANSACTION');
        this.unitRows = 0;
      }
      // both kinds of staged row in the stored columns' order
      const parts: string[] = [];
      if (rowsFile) {
        parts.push(`SELECT tenant, provider, eventId, time, type, rawType, outcome, actorId, actorType, actorName, clientId,
          scopes, requestedScopes, tokenId, grantId, method, path, status, ip, userAgent, file, line, raw
          FROM read_json(${sqlString(rowsFile)}, format = 'newline_delimited', columns = ${STAGED_COLUMNS_SQL})`);
      }
      if (linesFile) {
        // what finishEvent fills in for the general path: the importer's provider and file, --tenant, outcome
        // unknown, empty scope lists
        const origin = span.directOrigin!;
        parts.push(`SELECT coalesce(tenant, ${origin.tenant === undefined ? 'NULL' : sqlString(origin.tenant)}), ${sqlString(origin.provider)},
          eventId, time, type, rawType, coalesce(outcome, 'unknown'), actor.id, actor.type, actor.name, clientId,
          coalesce(scopes, []), coalesce(requestedScopes, []), tokenId, grantId, request.method, request.path,
          request.status, ip, userAgent, ${sqlString(origin.file)}, __line, NULL
          FROM read_json(${sqlString(linesFile)}, format = 'newline_delimited', columns = ${DIRECT_COLUMNS_SQL})`);
      }
      const staging = `(${parts.join(' UNION ALL ')}) s(tenant, provider, eventId, time, type, rawType, outcome, actorId,
        actorType, actorName, clientId, scopes, requestedScopes, tokenId, grantId, method, path, status, ip, userAgent,
        file, line, raw)`;
      // anything already stored, by an earlier import or earlier in this unit, is a duplicate (a plain hash
      // anti-join: the correlated NOT EXISTS it replaces planned as a delim join at twice the cost)
      const result = await c.run(`
        INSERT INTO events
        SELECT s.tenant, s.provider, s.eventId, CAST(left(s.time, 23) AS TIMESTAMP), s.type, s.rawType, s.outcome,
               s.actorId, s.actorType, s.actorName, s.clientId, s.scopes, s.requestedScopes, s.tokenId, s.grantId,
               s.method, s.path, s.status, s.ip, s.userAgent, s.file, s.line, ${importId}, CAST(s.raw AS JSON)
        FROM ${staging}
        ${overlap ? `ANTI JOIN (${stored}) e ON e.tenant = s.tenant AND e.provider = s.provider AND e.event_id = s.eventId` : ''}`);
      const inserted = result.rowsChanged;
      const duplicates = staged - inserted;
      for (const { key } of pairs) {
        const known = this.storedSpans.get(key);
        this.storedSpans.set(key, known ? { lo: Math.min(known.lo, loMs), hi: Math.max(known.hi, hiMs) } : { lo: loMs, hi: hiMs });
      }
      this.unitCounts = {
        importId,
        counts,
        inserted: (this.unitCounts?.inserted ?? 0) + inserted,
        duplicates: (this.unitCounts?.duplicates ?? 0) + duplicates,
      };
      for (const file of [rowsFile, linesFile]) if (file) rmSync(file, { force: true });
      this.unitRows += rows;
      this.tableRows += inserted;
      this.insertingRows = 0;
      // a unit ends at a row group's end; duplicates can make it miss that, and then it ends at COMMIT_ROWS rows
      if (options.commit || this.tableRows % COMMIT_ROWS === 0 || this.unitRows >= COMMIT_ROWS) await this.commitUnit();
      return { inserted, duplicates };
    } catch (error) {
      this.insertingRows = 0;
      for (const file of [rowsFile, linesFile]) if (file) rmSync(file, { force: true });
      this.unitCounts = undefined;
      if (this.unitRows !== undefined) {
        this.unitRows = undefined;
        await c.run('ROLLBACK');
      }
      throw error;
    }
  }

  /** The span of a tenant + provider pair's stored rows, asked of the table the first time an import meets the pair. */
  private async storedSpan(tenant: string, provider: string, key: string): Promise<{ lo: number; hi: number } | undefined> {
    if (this.storedSpans.has(key)) return this.storedSpans.get(key);
    const result = await this.connection.runAndReadAll(
      `SELECT epoch_ms(min(time))::DOUBLE AS lo, epoch_ms(max(time))::DOUBLE AS hi FROM events WHERE tenant = $1 AND provider = $2`,
      [tenant, provider],
    );
    const row = result.getRowObjectsJS()[0];
    const span = row?.lo === null || row?.lo === undefined ? undefined : { lo: Number(row.lo), hi: Number(row.hi) };
    this.storedSpans.set(key, span);
    return span;
  }

  /** Commits the open unit with its import's counts, so the imports row always matches the rows kept. */
  private async commitUnit(): Promise<void> {
    if (this.unitRows === undefined) return;
    const pending = this.unitCounts;
    this.unitCounts = undefined;
    if (pending) {
      const { importId, counts, inserted, duplicates } = pending;
      await this.connection.run(
        `UPDATE imports SET read_count = $2, imported = imported + $3, duplicates = duplicates + $4, rejected = $5, skipped = $6 WHERE import_id = $1`,
        [importId, counts.read, inserted, duplicates, counts.rejected, counts.skipped],
      );
    }
    this.unitRows = undefined;
    await this.connection.run('COMMIT');
  }

  /** Forgets a batch being staged and removes both staging files. */
  private dropStaged(): void {
    this.staged = undefined;
    this.stagedRows.drop();
    this.stagedLines.drop();
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
