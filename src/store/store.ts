/**
 * The DuckDB audit store: opening (with migrations), import bookkeeping and batched, deduplicating inserts.
 * One writer at a time: DuckDB locks the file, so the anti-join dedup in insertBatch cannot race.
 */
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DuckDBInstance, DuckDBConnection, DuckDBAppender } from '@duckdb/node-api';
import { EnvironmentError, InputError } from '../errors.ts';
import type { AuditEvent } from '../schema/types.ts';
import { CURRENT_VERSION, MIGRATIONS } from './migrations.ts';

export const DEFAULT_STORE_PATH = '.scopeguard/audit.duckdb';
// DuckDB's own memory: bounded so an import of any size stays flat (the JS side holds one batch). An import needs
// less than queries (one batch in staging, an anti-join over one time span).
const MEMORY_LIMIT = process.env.SCOPEGUARD_DUCKDB_MEMORY ?? '128MB';
const IMPORT_MEMORY_LIMIT = process.env.SCOPEGUARD_DUCKDB_MEMORY ?? '48MB';

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

const STAGING_COLUMNS = `
  tenant VARCHAR, provider VARCHAR, event_id VARCHAR, time VARCHAR, type VARCHAR, raw_type VARCHAR, outcome VARCHAR,
  actor_id VARCHAR, actor_type VARCHAR, actor_name VARCHAR, client_id VARCHAR, scopes VARCHAR, requested_scopes VARCHAR,
  token_id VARCHAR, grant_id VARCHAR, request_method VARCHAR, request_path VARCHAR, request_status INTEGER, ip VARCHAR,
  user_agent VARCHAR, source_file VARCHAR, source_line BIGINT, raw VARCHAR`;

// Lists cross the appender as one string joined by the ASCII unit separator: appending LIST values one by one costs
// ~50 µs a row in the node bindings, a VARCHAR split in SQL a fraction of that. Scopes never hold control characters
// (the import pipeline removes them).
const LIST_SEPARATOR = '\u001f';
const joinList = (items: string[] | undefined): string => (items ?? []).join(LIST_SEPARATOR);

// The DuckDB bindings take ~0.5 s to load: only commands that open a store pay for them.
async function duckdb(): Promise<typeof import('@duckdb/node-api')> {
  return import('@duckdb/node-api');
}

const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export class Store {
  private appender: DuckDBAppender | undefined;
  /** tenant, provider and eventId of the rows staged for this batch: the first occurrence wins, later ones are dropped. */
  private stagedIds = new Set<string>();
  /** The staged rows' time span (canonical ISO strings order as times do) and tenant + provider pairs. */
  private stagedSpan: { lo: string; hi: string } | undefined;
  private stagedKeys = new Map<string, { tenant: string; provider: string }>();
  private macroReady = false;

  private constructor(readonly path: string, private readonly instance: DuckDBInstance, readonly connection: DuckDBConnection) {}

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
        threads: process.env.SCOPEGUARD_DUCKDB_THREADS ?? '2',
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

  async beginImport(file: string, provider: string, tenant: string | undefined): Promise<number> {
    await this.connection.run(`SET memory_limit = ${sqlString(IMPORT_MEMORY_LIMIT)}`);
    const result = await this.connection.runAndReadAll(
      `INSERT INTO imports (file, provider, tenant, started_at) VALUES ($1, $2, $3, now()::TIMESTAMP) RETURNING import_id`,
      [file, provider, tenant ?? null],
    );
    return Number(result.getRowObjectsJS()[0]?.import_id);
  }

  async finishImport(importId: number, sha256: string | undefined, counts: ImportCounts): Promise<void> {
    await this.connection.run(
      `UPDATE imports SET sha256 = $2, read_count = $3, imported = $4, duplicates = $5, rejected = $6, skipped = $7, finished_at = now()::TIMESTAMP WHERE import_id = $1`,
      [importId, sha256 ?? null, counts.read, counts.imported, counts.duplicates, counts.rejected, counts.skipped],
    );
  }

  /**
   * Appends one batch to a temporary staging table through the appender, then moves the rows that are new into
   * `events` in one transaction: an interrupted import leaves whole batches only, and a re-run skips what is there.
   */
  async insertBatch(importId: number, batch: StoredEvent[], counts: ImportCounts): Promise<BatchResult> {
    await this.stageBatch(batch);
    return this.commitStaged(importId, batch.length, counts);
  }

  /** First half of insertBatch: synchronous appends into the staging table (the JS thread's share of the work). */
  async stageBatch(batch: StoredEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const c = this.connection;
    if (!this.appender) {
      await c.run(`CREATE TEMP TABLE IF NOT EXISTS staging (${STAGING_COLUMNS})`);
      if (!this.macroReady) {
        await c.run(`CREATE OR REPLACE TEMP MACRO splitList(s) AS CASE WHEN s = '' THEN []::VARCHAR[] ELSE string_split(s, chr(31)) END`);
        this.macroReady = true;
      }
      this.appender = await c.createAppender('staging', null, 'temp');
    }
    const a = this.appender;
    const text = (value: string | undefined): void => (value === undefined ? a.appendNull() : a.appendVarchar(value));
    for (const { event, raw } of batch) {
      // a duplicate inside the batch is dropped here (counted as a duplicate by commitStaged), so the commit needs no
      // window over the batch to find first occurrences
      const id = `${event.tenant}\u0000${event.provider}\u0000${event.eventId}`;
      if (this.stagedIds.has(id)) continue;
      this.stagedIds.add(id);
      const span = (this.stagedSpan ??= { lo: event.time, hi: event.time });
      if (event.time < span.lo) span.lo = event.time;
      if (event.time > span.hi) span.hi = event.time;
      const key = `${event.tenant}\u0000${event.provider}`;
      if (!this.stagedKeys.has(key)) this.stagedKeys.set(key, { tenant: event.tenant, provider: event.provider });
      text(event.tenant);
      text(event.provider);
      text(event.eventId);
      text(event.time);
      text(event.type);
      text(event.rawType);
      text(event.outcome);
      text(event.actor?.id);
      text(event.actor?.type);
      text(event.actor?.name);
      text(event.clientId);
      a.appendVarchar(joinList(event.scopes));
      a.appendVarchar(joinList(event.requestedScopes));
      text(event.tokenId);
      text(event.grantId);
      text(event.request?.method);
      text(event.request?.path);
      if (event.request?.status === undefined) a.appendNull();
      else a.appendInteger(event.request.status);
      text(event.ip);
      text(event.userAgent);
      text(event.source?.file);
      if (event.source?.line === undefined) a.appendNull();
      else a.appendBigInt(BigInt(event.source.line));
      text(raw);
      a.endRow();
    }
    a.flushSync();
  }

  /**
   * Second half: moves the staged rows that are new into `events` and updates the import's counts, in one
   * transaction. Runs on DuckDB's threads, so the importer normalizes the next batch meanwhile.
   */
  async commitStaged(importId: number, staged: number, counts: ImportCounts): Promise<BatchResult> {
    if (staged === 0) return { inserted: 0, duplicates: 0 };
    const c = this.connection;
    // A re-imported event has the same tenant, provider and time as its stored copy (provider ids name one event;
    // content hashes include the time), so only stored rows inside the batch's bounds can be duplicates. Literal
    // bounds let DuckDB prune row groups by their min/max instead of scanning the whole table for every batch.
    // The stored rows a batch can collide with also share a tenant + provider pair with it. Both are tracked while
    // staging (a query over the staged rows cost more than the insert).
    const lo = this.stagedSpan ? this.stagedSpan.lo.slice(0, 23) : undefined;
    const hi = this.stagedSpan ? this.stagedSpan.hi.slice(0, 23) : undefined;
    const keys = [...this.stagedKeys.values()];
    if (lo === undefined || hi === undefined) {
      await this.dropStaging();
      return { inserted: 0, duplicates: staged };
    }
    const keyFilter = keys
      .map(({ tenant, provider }) => `(tenant = ${sqlString(tenant)} AND provider = ${sqlString(provider)})`)
      .join(' OR ');
    await c.run('BEGIN TRANSACTION');
    try {
      // first occurrence wins inside the batch (stageBatch dropped later ones); anything already stored is a
      // duplicate (a plain hash anti-join: the correlated NOT EXISTS it replaces planned as a delim join at twice the cost)
      const result = await c.run(`
        INSERT INTO events
        SELECT s.tenant, s.provider, s.event_id, CAST(left(s.time, 23) AS TIMESTAMP), s.type, s.raw_type, s.outcome,
               s.actor_id, s.actor_type, s.actor_name, s.client_id, splitList(s.scopes), splitList(s.requested_scopes),
               s.token_id, s.grant_id, s.request_method, s.request_path, s.request_status, s.ip, s.user_agent,
               s.source_file, s.source_line, ${importId}, CAST(s.raw AS JSON)
        FROM staging s
        ANTI JOIN (
          SELECT tenant, provider, event_id FROM events
          WHERE time BETWEEN CAST(${sqlString(lo)} AS TIMESTAMP) AND CAST(${sqlString(hi)} AS TIMESTAMP) AND (${keyFilter})
        ) e ON e.tenant = s.tenant AND e.provider = s.provider AND e.event_id = s.event_id`);
      // Rows land in input order, unsorted: a row group (122,880 rows) spans a dozen batches, so sorting each batch by
      // tenant and time narrowed no row group's min/max (the zone maps queries prune with) and cost ~10% of the import.
      // Exports are written in time order, which is what keeps the time zone maps tight.
      const inserted = result.rowsChanged;
      const duplicates = staged - inserted;
      await c.run(
        `UPDATE imports SET read_count = $2, imported = imported + $3, duplicates = duplicates + $4, rejected = $5, skipped = $6 WHERE import_id = $1`,
        [importId, counts.read, inserted, duplicates, counts.rejected, counts.skipped],
      );
      await c.run('COMMIT');
      await this.dropStaging();
      return { inserted, duplicates };
    } catch (error) {
      await c.run('ROLLBACK');
      await this.dropStaging();
      throw error;
    }
  }

  /**
   * Empties the staging table by dropping it (the next batch creates it anew): a DELETE leaves the deleted rows'
   * memory in the temporary table, which then grows with the whole import instead of holding one batch.
   */
  private async dropStaging(): Promise<void> {
    this.stagedIds.clear();
    this.stagedSpan = undefined;
    this.stagedKeys.clear();
    this.appender?.closeSync();
    this.appender = undefined;
    await this.connection.run('DROP TABLE IF EXISTS temp.staging');
  }

  /** Writes everything to the main file (so nothing lingers only in the WAL) and releases the file lock. */
  async checkpoint(): Promise<void> {
    await this.connection.run('CHECKPOINT');
  }

  close(): void {
    if (this.appender) {
      this.appender.closeSync();
      this.appender = undefined;
    }
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
