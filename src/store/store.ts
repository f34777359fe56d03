/**
 * The DuckDB audit store: opening (with migrations), import bookkeeping and batched, deduplicating inserts.
 * One writer at a time: DuckDB locks the file, so the anti-join dedup in insertBatch cannot race.
 */
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import { EnvironmentError, InputError } from '../errors.ts';
import type { AuditEvent } from '../schema/types.ts';
import { CANONICAL_TIME_LENGTH, type DirectLine } from '../logs/direct.ts';
import { CURRENT_VERSION, MIGRATIONS } from './migrations.ts';

export const DEFAULT_STORE_PATH = '.scopeguard/audit.duckdb';
// DuckDB's memory for queries; an import narrows it (importMemoryLimit) and restores it when done.
const MEMORY_LIMIT = process.env.SCOPEGUARD_DUCKDB_MEMORY ?? '128MB';
const QUERY_THREADS = process.env.SCOPEGUARD_DUCKDB_THREADS ?? '2';

// DuckDB's memory during an import (the JS side holds no batch: rows are staged in files): each thread of a unit's
// insert holds read buffers and the row group it fills, more when raw records are kept. Measured on 2,000,000
// normalized events: with two threads 96 MB failed and 112 MB worked; one thread works in 64 MB.
function importMemoryLimit(keepRaw: boolean): string {
  return process.env.SCOPEGUARD_DUCKDB_MEMORY ?? `${64 * Number(IMPORT_THREADS) + (keepRaw ? 48 : 0)}MB`;
}

// One core fewer than the machine has: the importer's own thread keeps one busy staging the next unit while DuckDB
// inserts the last. Without insertion order (nothing reads the table in that order) DuckDB inserts on all the
// threads it has. On 2 cores, one DuckDB thread imported 2,000,000 events in 12.4-12.7 s with a peak RSS of
// 240-245 MB; two threads took 13.5 s and 274-302 MB (and 651 MB against 407 on rows of 1.6 KB): alone they insert
// twice as fast, but here they share the cores with the importer.
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

// Rows per commit unit: the staged files of whole batches, inserted by one statement in a transaction of its own (more
// statements where it may repeat stored rows: see insertUnit).
// DuckDB writes each row group an insert thread fills straight to the database file, but when a thread's share of a
// statement was two row groups, the rows went through the write-ahead log and a checkpoint that rewrote them. Four
// per thread did not (2,000,000 events: one thread, units of 245,760 rows 17-18 s, 491,520 12.4-12.7 s, 983,040
// 13.9-14.3 s as the last unit's insert overlaps nothing; two threads, 491,520 10.5 s and 983,040 6.4 s with the
// files staged beforehand). So a unit is four row groups of 122,880 rows per DuckDB thread, or UNIT_BYTES of staged
// NDJSON when rows are wide (kept raw records): at most two units are staged at once (one inserting, one filling),
// so this bounds the import's temporary disk. An interrupted import keeps whole units.
const ROW_GROUP_ROWS = 122_880;
export const COMMIT_ROWS = Number(process.env.SCOPEGUARD_IMPORT_COMMIT_ROWS ?? 4 * ROW_GROUP_ROWS * Number(IMPORT_THREADS));
const UNIT_BYTES = Number(process.env.SCOPEGUARD_IMPORT_UNIT_BYTES ?? 512 << 20);

// The most staged rows and NDJSON bytes one duplicate search (an anti-join statement, see insertUnit) takes: DuckDB
// holds them whole in its hash table, beside read_json's 32 MiB buffer, in the import's 64 MB per thread. On one
// thread a search fitted 60,000 rows of small events (~260 bytes of NDJSON) or 56,000 of the bench's (~450 bytes),
// and ran out of memory at 80,000 and 75,000. These bounds take two batches of small events, one of larger ones.
const DEDUP_ROWS = Number(process.env.SCOPEGUARD_IMPORT_DEDUP_ROWS ?? 40_960);
const DEDUP_BYTES = Number(process.env.SCOPEGUARD_IMPORT_DEDUP_BYTES ?? 16 << 20);

// The DuckDB bindings take ~0.5 s to load: only commands that open a store pay for them.
async function duckdb(): Promise<typeof import('@duckdb/node-api')> {
  return import('@duckdb/node-api');
}

const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

// The member a direct-lane line gets in place of its closing brace, before its line number and a new brace.
const LINE_MEMBER = Buffer.from(',"__line":', 'latin1');

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
 * One kind of staged row on its way to DuckDB: a file per batch, reached through a small buffer so the importer's
 * memory does not grow with the batch. A file is created by its batch's first row.
 */
class StagingFile {
  private buffer = Buffer.allocUnsafe(STAGING_BUFFER_BYTES);
  private fd: number | undefined;
  private path = '';
  /** NDJSON bytes staged in this batch, and how many of them still wait in the buffer */
  bytes = 0;
  private buffered = 0;
  rows = 0;

  constructor(private readonly nextPath: () => string) {}

  /** Appends one row and its newline. */
  append(row: string): void {
    // the most bytes the row can take: a UTF-16 unit is at most 3 UTF-8 bytes
    this.reserve(row.length * 3);
    this.endRow(this.buffer.write(row, this.buffered));
  }

  /**
   * Appends a JSON object, bytes[start, end) (its last byte the closing brace), with its line number added as its
   * last member `"__line":N`, and a newline.
   */
  appendWithLine(bytes: Buffer, start: number, end: number, line: number): void {
    this.reserve(end - start + LINE_MEMBER.length + 16);
    bytes.copy(this.buffer, this.buffered, start, end - 1);
    let at = this.buffered + end - 1 - start;
    const buffer = this.buffer;
    for (let i = 0; i < LINE_MEMBER.length; i++) buffer[at++] = LINE_MEMBER[i]!;
    // the line number's digits, written backwards from its last
    let digits = 1;
    for (let rest = line; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    for (let i = digits - 1, rest = line; i >= 0; i--, rest = Math.floor(rest / 10)) buffer[at + i] = 48 + (rest % 10);
    at += digits;
    buffer[at++] = 0x7d; // }
    this.endRow(at - this.buffered);
  }

  /** Makes room for a row of at most `room` bytes and its newline, opening the file for a batch's first row. */
  private reserve(room: number): void {
    if (this.fd === undefined) {
      this.path = this.nextPath();
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

  /** Forgets the batch (its file goes with the staging folder). */
  drop(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.buffered = 0;
    this.bytes = 0;
    this.rows = 0;
  }
}

/** A tenant + provider pair of the import, with the hash state after both (most rows share a few pairs). */
interface IdPair {
  tenant: string;
  provider: string;
  h1: number;
  h2: number;
}

/**
 * The event ids staged for the next unit, by a 53-bit hash in an open-addressing table. Ids of the batch being
 * staged are also kept as bytes, so a repeat inside it is found exactly and dropped. A hash from an earlier batch
 * of the unit means a repeat of an id whose first occurrence would reach the unit's one insert statement beside it,
 * where the duplicate search (against stored rows) cannot see it: the unit then ends before this batch, whose rows
 * meet the earlier ones as stored rows (two ids with one hash, about one unit in 70,000 at 491,520 ids, just end a
 * unit early). Ids are hashed and kept as their UTF-8 bytes, so an id read as bytes by the direct lane and the same
 * id parsed as a string meet.
 */
class UnitIds {
  /**
   * Per slot, side by side (one cache line for a probe): the hash (0: empty) and 1 + the id's index in the batch
   * being staged (0 for an id of an earlier batch).
   */
  private table = new Float64Array(0);
  private size = 0;
  private used = 0;
  /** the batch being staged: its ids' bytes (id i is idBytes[idBounds[i], idBounds[i + 1])), pairs and slots */
  private idBytes = Buffer.allocUnsafe(1 << 16);
  private idBounds = new Int32Array(1 << 12);
  private slotsOf = new Int32Array(1 << 12);
  private pairsOf: IdPair[] = [];
  private batchIds = 0;
  private lastPair: IdPair | undefined;
  /** the batch being staged repeats (by hash) an id of an earlier batch of the unit */
  repeatsUnit = false;

  /** tenant -> provider -> its one IdPair */
  private readonly pairs = new Map<string, Map<string, IdPair>>();

  /** The pair's hash state, one object per tenant and provider (rows mostly repeat the last row's pair). */
  pair(tenant: string, provider: string): IdPair {
    const last = this.lastPair;
    if (last && last.tenant === tenant && last.provider === provider) return last;
    let providers = this.pairs.get(tenant);
    if (!providers) this.pairs.set(tenant, (providers = new Map()));
    const known = providers.get(provider);
    if (known) return (this.lastPair = known);
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (const text of [tenant, provider]) {
      for (const byte of Buffer.from(text)) {
        h1 = Math.imul(h1 ^ byte, 2654435761);
        h2 = Math.imul(h2 ^ byte, 1597334677);
      }
      // a separator, so ("ab", "c") and ("a", "bc") differ
      h1 = Math.imul(h1 ^ 0x1f, 2654435761);
      h2 = Math.imul(h2 ^ 0x1f, 1597334677);
    }
    const pair = { tenant, provider, h1, h2 };
    providers.set(provider, pair);
    return (this.lastPair = pair);
  }

  /** Records an id of the batch being staged; false when the batch holds it already (a repeat to drop). */
  add(pair: IdPair, eventId: string): boolean {
    const length = Buffer.byteLength(eventId);
    const at = this.reserveId(length);
    this.idBytes.write(eventId, at);
    return this.insertStaged(pair, length);
  }

  /** add for an id that is bytes[start, end) (UTF-8). */
  addBytes(pair: IdPair, bytes: Uint8Array, start: number, end: number): boolean {
    const at = this.reserveId(end - start);
    const target = this.idBytes;
    for (let i = start; i < end; i++) target[at + i - start] = bytes[i]!;
    return this.insertStaged(pair, end - start);
  }

  /** The batch being staged has ended: its ids count as an earlier batch's from now on. */
  endBatch(): void {
    for (let i = 0; i < this.batchIds; i++) this.table[2 * this.slotsOf[i]! + 1] = 0;
    this.batchIds = 0;
    this.pairsOf.length = 0;
    this.repeatsUnit = false;
  }

  /** Forgets the unit's ids; with `keepBatch`, the ids of the batch being staged start the next unit. */
  clear(keepBatch = false): void {
    if (this.used > 0) this.table.fill(0);
    this.used = 0;
    if (keepBatch) {
      for (let i = 0; i < this.batchIds; i++) {
        if (this.used * 2 >= this.size) this.grow();
        this.insert(this.hashOf(i), i);
      }
    } else {
      this.batchIds = 0;
      this.pairsOf.length = 0;
    }
    this.repeatsUnit = false;
  }

  /** Room for the next id's bytes at the end of the batch's; where they go. */
  private reserveId(length: number): number {
    const index = this.batchIds;
    if (index + 2 > this.idBounds.length) {
      const bounds = new Int32Array(this.idBounds.length * 2);
      bounds.set(this.idBounds);
      this.idBounds = bounds;
      const slotsOf = new Int32Array(this.slotsOf.length * 2);
      slotsOf.set(this.slotsOf);
      this.slotsOf = slotsOf;
    }
    const at = index === 0 ? 0 : this.idBounds[index]!;
    if (at + length > this.idBytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.idBytes.length * 2, at + length));
      this.idBytes.copy(grown, 0, 0, at);
      this.idBytes = grown;
    }
    this.idBounds[index] = at;
    this.idBounds[index + 1] = at + length;
    return at;
  }

  /** Inserts the id just written at the end of the batch's bytes, or finds it already there (false). */
  private insertStaged(pair: IdPair, length: number): boolean {
    if (this.used * 2 >= this.size) this.grow();
    const index = this.batchIds;
    this.pairsOf[index] = pair;
    const hash = this.hashOf(index);
    const mask = this.size - 1;
    const table = this.table;
    // the low 32 bits of the hash (ToUint32 of an integer below 2^53) are evenly spread: they pick the slot
    for (let slot = (hash >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const held = table[2 * slot]!;
      if (held === 0) {
        this.insertAt(slot, hash, index);
        this.batchIds++;
        return true;
      }
      if (held !== hash) continue;
      const earlier = table[2 * slot + 1]! - 1;
      if (earlier < 0) this.repeatsUnit = true;
      else if (this.pairsOf[earlier] === pair && this.sameId(earlier, index)) return false;
    }
  }

  /** Puts id `index` of the batch (already hashed) into the table. */
  private insert(hash: number, index: number): void {
    const mask = this.size - 1;
    let slot = (hash >>> 0) & mask;
    while (this.table[2 * slot] !== 0) slot = (slot + 1) & mask;
    this.insertAt(slot, hash, index);
  }

  private insertAt(slot: number, hash: number, index: number): void {
    this.table[2 * slot] = hash;
    this.table[2 * slot + 1] = index + 1;
    this.used++;
    this.slotsOf[index] = slot;
  }

  private sameId(a: number, b: number): boolean {
    const bounds = this.idBounds;
    const aStart = bounds[a]!;
    const length = bounds[a + 1]! - aStart;
    const bStart = bounds[b]!;
    if (bounds[b + 1]! - bStart !== length) return false;
    const bytes = this.idBytes;
    for (let i = 0; i < length; i++) if (bytes[aStart + i] !== bytes[bStart + i]) return false;
    return true;
  }

  /** A 53-bit hash of the pair and id `index` of the batch (cyrb53's mixing), never 0 (the empty slot). */
  private hashOf(index: number): number {
    const pair = this.pairsOf[index]!;
    const bytes = this.idBytes;
    let h1 = pair.h1;
    let h2 = pair.h2;
    for (let i = this.idBounds[index]!, end = this.idBounds[index + 1]!; i < end; i++) {
      const c = bytes[i]!;
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
  }

  private grow(): void {
    const old = this.table;
    const oldSize = this.size;
    this.size = Math.max(1 << 16, oldSize * 2);
    this.table = new Float64Array(2 * this.size);
    const mask = this.size - 1;
    for (let from = 0; from < oldSize; from++) {
      const hash = old[2 * from]!;
      if (hash === 0) continue;
      let slot = (hash >>> 0) & mask;
      while (this.table[2 * slot] !== 0) slot = (slot + 1) & mask;
      const index = old[2 * from + 1]!;
      this.table[2 * slot] = hash;
      this.table[2 * slot + 1] = index;
      if (index > 0) this.slotsOf[index - 1] = slot;
    }
  }
}

/**
 * The span of the times staged in a batch. Times are in output form, where text order is time order; they are
 * kept as bytes, so a line the direct lane stages makes no string of its time.
 */
class TimeSpan {
  private readonly low = Buffer.alloc(32);
  private readonly high = Buffer.alloc(32);
  private lowLength = 0;
  private highLength = 0;
  private empty = true;

  addBytes(bytes: Uint8Array, start: number, end: number): void {
    if (this.empty) {
      this.set(this.low, bytes, start, end, true);
      this.set(this.high, bytes, start, end, false);
      this.empty = false;
      return;
    }
    if (compareBytes(bytes, start, end, this.low, this.lowLength) < 0) this.set(this.low, bytes, start, end, true);
    else if (compareBytes(bytes, start, end, this.high, this.highLength) > 0) this.set(this.high, bytes, start, end, false);
  }

  add(time: string): void {
    const bytes = Buffer.from(time, 'latin1');
    this.addBytes(bytes, 0, bytes.length);
  }

  get lo(): string {
    return this.low.toString('latin1', 0, this.lowLength);
  }

  get hi(): string {
    return this.high.toString('latin1', 0, this.highLength);
  }

  private set(target: Buffer, bytes: Uint8Array, start: number, end: number, low: boolean): void {
    const length = Math.min(end - start, target.length);
    for (let i = 0; i < length; i++) target[i] = bytes[start + i]!;
    if (low) this.lowLength = length;
    else this.highLength = length;
  }
}

/** Text order of bytes[start, end) against the first `length` bytes of `other`. */
function compareBytes(bytes: Uint8Array, start: number, end: number, other: Uint8Array, length: number): number {
  const shorter = Math.min(end - start, length);
  for (let i = 0; i < shorter; i++) {
    const difference = bytes[start + i]! - other[i]!;
    if (difference !== 0) return difference;
  }
  return end - start - length;
}

/** The batch being staged: its time span and tenant + provider pairs (its ids are in UnitIds). */
interface StagedBatch {
  span: TimeSpan;
  /** the tenant + provider pairs of its rows */
  pairs: Set<IdPair>;
  /** set by the batch's first direct-lane line */
  directOrigin?: DirectOrigin;
}

/** A staged batch of a unit: its files, time span and tenant + provider pairs. */
interface UnitBatch {
  rowsFile?: string;
  linesFile?: string;
  lo: string;
  hi: string;
  pairs: Set<IdPair>;
  rows: number;
  bytes: number;
}

/** Whole batches staged for one transaction (a commit unit). */
interface PendingUnit {
  batches: UnitBatch[];
  lo: string;
  hi: string;
  /** the tenant + provider pairs of its rows */
  pairs: Set<IdPair>;
  directOrigin?: DirectOrigin;
  /** rows in its files */
  rows: number;
  /** rows the importer handed over, repeats inside a batch included: the difference to the inserted are duplicates */
  handed: number;
  bytes: number;
}

/** The key of a tenant + provider pair in Store.storedSpans. */
const pairKey = (tenant: string, provider: string): string => `${tenant}\u0000${provider}`;

/**
 * The stored rows some batches' rows can repeat: of their tenant + provider pairs, inside their time span. Literal
 * bounds let DuckDB prune row groups by their min/max (exports are written in time order) instead of scanning the
 * whole table for every statement.
 */
function storedKeysSql(batches: UnitBatch[]): string {
  let lo = batches[0]!.lo;
  let hi = batches[0]!.hi;
  const pairs = new Set<IdPair>();
  for (const batch of batches) {
    if (batch.lo < lo) lo = batch.lo;
    if (batch.hi > hi) hi = batch.hi;
    for (const pair of batch.pairs) pairs.add(pair);
  }
  const keyFilter = [...pairs].map(({ tenant, provider }) => `(tenant = ${sqlString(tenant)} AND provider = ${sqlString(provider)})`).join(' OR ');
  return `SELECT tenant, provider, event_id FROM events
    WHERE time BETWEEN CAST(${sqlString(lo.slice(0, 23))} AS TIMESTAMP) AND CAST(${sqlString(hi.slice(0, 23))} AS TIMESTAMP) AND (${keyFilter})`;
}

/** An INSERT of the rows staged in some batches' files, read as `s` (an anti-join may follow). */
function insertSql(importId: number, batches: UnitBatch[], directOrigin: DirectOrigin | undefined): string {
  const list = (paths: string[]): string => `[${paths.map(sqlString).join(', ')}]`;
  const rowsFiles = batches.flatMap(({ rowsFile }) => (rowsFile ? [rowsFile] : []));
  const linesFiles = batches.flatMap(({ linesFile }) => (linesFile ? [linesFile] : []));
  // both kinds of staged row in the stored columns' order
  const parts: string[] = [];
  if (rowsFiles.length > 0) {
    parts.push(`SELECT tenant, provider, eventId, time, type, rawType, outcome, actorId, actorType, actorName, clientId,
      scopes, requestedScopes, tokenId, grantId, method, path, status, ip, userAgent, file, line, raw
      FROM read_json(${list(rowsFiles)}, format = 'newline_delimited', columns = ${STAGED_COLUMNS_SQL})`);
  }
  if (linesFiles.length > 0) {
    // what finishEvent fills in for the general path: the importer's provider and file, --tenant, outcome
    // unknown, empty scope lists
    const origin = directOrigin!;
    parts.push(`SELECT coalesce(tenant, ${origin.tenant === undefined ? 'NULL' : sqlString(origin.tenant)}), ${sqlString(origin.provider)},
      eventId, time, type, rawType, coalesce(outcome, 'unknown'), actor.id, actor.type, actor.name, clientId,
      coalesce(scopes, []), coalesce(requestedScopes, []), tokenId, grantId, request.method, request.path,
      request.status, ip, userAgent, ${sqlString(origin.file)}, __line, NULL
      FROM read_json(${list(linesFiles)}, format = 'newline_delimited', columns = ${DIRECT_COLUMNS_SQL})`);
  }
  return `INSERT INTO events
    SELECT s.tenant, s.provider, s.eventId, CAST(left(s.time, 23) AS TIMESTAMP), s.type, s.rawType, s.outcome,
           s.actorId, s.actorType, s.actorName, s.clientId, s.scopes, s.requestedScopes, s.tokenId, s.grantId,
           s.method, s.path, s.status, s.ip, s.userAgent, s.file, s.line, ${importId}, CAST(s.raw AS JSON)
    FROM (${parts.join(' UNION ALL ')}) s(tenant, provider, eventId, time, type, rawType, outcome, actorId,
      actorType, actorName, clientId, scopes, requestedScopes, tokenId, grantId, method, path, status, ip, userAgent,
      file, line, raw)`;
}

export class Store {
  /** The batch being staged (see StagedBatch); undefined between batches. */
  private staged: StagedBatch | undefined;
  /** Batches staged for the next unit; undefined when none. */
  private pending: PendingUnit | undefined;
  /** The insert of the previous unit, running while the next one is staged: at most one at a time, in order. */
  private inFlight: Promise<void> = Promise.resolve();
  /** The ids staged for the pending unit and the batch being staged (see UnitIds). */
  private readonly unitIds = new UnitIds();
  /** Rows the import's committed units inserted, and the duplicates among what it handed over. */
  private totals = { inserted: 0, duplicates: 0 };
  /**
   * Per tenant + provider (joined by NUL), the epoch-ms span of its stored rows, learnt once per import and widened
   * by each unit: a unit outside it can collide with no stored row, so its insert skips the duplicate search.
   */
  private storedSpans = new Map<string, { lo: number; hi: number } | undefined>();
  /** Rows the import pipeline made (stagedRow), and lines the direct lane took as they are. */
  private readonly stagedRows: StagingFile;
  private readonly stagedLines: StagingFile;
  /** Where staged batches wait for their unit's insert: beside the store, removed when the import ends. */
  private readonly stagingDir: string;
  private stagingFiles = 0;
  /** DuckDB's memory limit while an import runs, named when it runs out */
  private importMemory = MEMORY_LIMIT;

  private constructor(readonly path: string, private readonly instance: DuckDBInstance, readonly connection: DuckDBConnection) {
    this.stagingDir = `${resolve(path)}.staging`;
    const nextPath = (kind: string) => (): string => {
      mkdirSync(this.stagingDir, { recursive: true });
      return join(this.stagingDir, `${kind}-${++this.stagingFiles}.ndjson`);
    };
    this.stagedRows = new StagingFile(nextPath('rows'));
    this.stagedLines = new StagingFile(nextPath('lines'));
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
    this.importMemory = importMemoryLimit(Boolean(options.keepRaw));
    await this.connection.run(`SET memory_limit = ${sqlString(this.importMemory)}`);
    await this.connection.run(`SET threads = ${IMPORT_THREADS}`);
    await this.connection.run('SET preserve_insertion_order = false');
    // only this process can write the store (DuckDB holds its lock): staging files left by a killed import are stale
    this.dropStaged();
    this.pending = undefined;
    this.inFlight = Promise.resolve();
    this.unitIds.clear();
    this.totals = { inserted: 0, duplicates: 0 };
    this.storedSpans.clear();
    const result = await this.connection.runAndReadAll(
      `INSERT INTO imports (file, provider, tenant, started_at) VALUES ($1, $2, $3, now()::TIMESTAMP) RETURNING import_id`,
      [file, provider, tenant ?? null],
    );
    return Number(result.getRowObjectsJS()[0]?.import_id);
  }

  /**
   * Inserts what is still staged, waits for every unit, and records the import's final counts; returns the rows
   * inserted and the duplicates skipped.
   */
  async finishImport(importId: number, sha256: string | undefined, counts: ImportCounts): Promise<BatchResult> {
    await this.launchPending(importId, counts);
    await this.inFlight;
    const { inserted, duplicates } = this.totals;
    await this.connection.run(
      `UPDATE imports SET sha256 = $2, read_count = $3, imported = $4, duplicates = $5, rejected = $6, skipped = $7, finished_at = now()::TIMESTAMP WHERE import_id = $1`,
      [importId, sha256 ?? null, counts.read, inserted, duplicates, counts.rejected, counts.skipped],
    );
    this.dropStaged();
    await this.restoreQuerySettings();
    return { inserted, duplicates };
  }

  /**
   * Stops the running import, on --strict or an error: what is staged is dropped; a unit already inserting commits or rolls back
   * on its own. The store keeps whole units only.
   */
  async abortImport(): Promise<void> {
    this.pending = undefined;
    await this.inFlight.catch(() => undefined);
    this.dropStaged();
    await this.restoreQuerySettings();
  }

  /** The import's narrower memory and other settings end with it: a query on the same store gets the full ones. */
  private async restoreQuerySettings(): Promise<void> {
    await this.connection.run(`SET memory_limit = ${sqlString(MEMORY_LIMIT)}`);
    await this.connection.run(`SET threads = ${QUERY_THREADS}`);
    await this.connection.run('RESET preserve_insertion_order');
  }

  /**
   * Stages one batch and inserts it with what is staged before it, committed at once: for callers that insert a few
   * batches (tests, fixtures). The importer uses stage and commitStaged, which commit in units of COMMIT_ROWS.
   */
  async insertBatch(importId: number, batch: StoredEvent[], counts: ImportCounts): Promise<BatchResult> {
    const before = { ...this.totals };
    this.stageBatch(batch);
    await this.commitStaged(importId, batch.length, counts, { commit: true });
    return { inserted: this.totals.inserted - before.inserted, duplicates: this.totals.duplicates - before.duplicates };
  }

  /** Bytes of NDJSON staged in the batch being staged: the importer bounds its batches by these as well as by rows. */
  get stagedBytes(): number {
    return this.stagedRows.bytes + this.stagedLines.bytes;
  }

  /** Rows inserted and duplicates found by the import's units so far (for progress). */
  get importTotals(): Readonly<BatchResult> {
    return this.totals;
  }

  /** Stages every event of a batch (see stage). */
  stageBatch(batch: StoredEvent[]): void {
    for (const stored of batch) this.stage(stored);
  }

  /**
   * Adds one event to the batch being staged, encoded at once so the importer holds no batch of objects (they die
   * young, which is most of what keeps its garbage collection cheap). A repeat of an id already in this batch is
   * dropped here (counted as a duplicate), so the insert needs no window to find first occurrences.
   */
  stage(stored: StoredEvent): void {
    const { event } = stored;
    const pair = this.unitIds.pair(event.tenant, event.provider);
    if (!this.unitIds.add(pair, event.eventId)) return;
    this.stagedBatch(pair).span.add(event.time);
    this.stagedRows.append(stagedRow(stored));
  }

  /**
   * Stages a line of normalized NDJSON that the direct lane found already in stored form: as it is, with its line
   * number added, for read_json to parse (see stage for repeats).
   */
  stageDirect(direct: DirectLine, origin: DirectOrigin): void {
    const { bytes } = direct;
    const pair = this.unitIds.pair(direct.tenant, origin.provider);
    if (!this.unitIds.addBytes(pair, bytes, direct.idStart, direct.idEnd)) return;
    this.stagedBatch(pair).span.addBytes(bytes, direct.timeStart, direct.timeStart + CANONICAL_TIME_LENGTH);
    this.staged!.directOrigin ??= origin;
    this.stagedLines.appendWithLine(bytes, direct.start, direct.end, direct.line);
  }

  /** The batch being staged (started by its first row), with a staged row's tenant + provider pair noted in it. */
  private stagedBatch(pair: IdPair): StagedBatch {
    const staged = (this.staged ??= { span: new TimeSpan(), pairs: new Set() });
    staged.pairs.add(pair);
    return staged;
  }

  /**
   * Ends the batch being staged (`staged` rows handed over by the importer, repeats included) and adds it to the
   * pending unit. A full unit (COMMIT_ROWS rows or UNIT_BYTES) is handed to DuckDB, which inserts it on its threads
   * while the importer stages the next one; this waits only for the unit before it. `commit` inserts what is pending
   * at once and waits for it.
   */
  async commitStaged(importId: number, staged: number, counts: ImportCounts, options: { commit?: boolean } = {}): Promise<void> {
    const batch = this.staged;
    const rows = this.stagedRows.rows + this.stagedLines.rows;
    const bytes = this.stagedBytes;
    const rowsFile = this.stagedRows.finish();
    const linesFile = this.stagedLines.finish();
    this.staged = undefined;
    if (!batch) {
      this.totals.duplicates += staged;
    } else {
      if (this.unitIds.repeatsUnit) {
        // the earlier occurrence goes in first, as a stored row this batch's duplicate search finds
        await this.launchPending(importId, counts, true);
      }
      this.unitIds.endBatch();
      const { lo, hi } = batch.span;
      const unit: PendingUnit = this.pending ?? { batches: [], lo, hi, pairs: new Set(), rows: 0, handed: 0, bytes: 0 };
      this.pending = unit;
      if (rowsFile || linesFile) unit.batches.push({ rowsFile, linesFile, lo, hi, pairs: batch.pairs, rows, bytes });
      if (lo < unit.lo) unit.lo = lo;
      if (hi > unit.hi) unit.hi = hi;
      for (const pair of batch.pairs) unit.pairs.add(pair);
      unit.directOrigin ??= batch.directOrigin;
      unit.rows += rows;
      unit.handed += staged;
      unit.bytes += bytes;
    }
    if (options.commit || (this.pending && (this.pending.rows >= COMMIT_ROWS || this.pending.bytes >= UNIT_BYTES))) {
      await this.launchPending(importId, counts);
    }
    if (options.commit) await this.inFlight;
  }

  /**
   * Hands the pending unit to DuckDB once the unit before it is done (an error of that one surfaces here).
   * `keepBatch`: the ids of the batch being staged, which is not part of the unit, start the next one.
   */
  private async launchPending(importId: number, counts: ImportCounts, keepBatch = false): Promise<void> {
    const unit = this.pending;
    if (!unit) return;
    this.pending = undefined;
    this.unitIds.clear(keepBatch);
    const snapshot = { ...counts };
    await this.inFlight;
    this.inFlight = this.insertUnit(importId, unit, snapshot);
    // awaited by the next launch, finishImport or abortImport; marked handled so an error meanwhile is not unhandled
    this.inFlight.catch(() => undefined);
  }

  /**
   * Moves a unit's new rows into `events` and adds them to the import's counts, in one transaction: a killed import
   * keeps whole units. Runs on DuckDB's threads.
   *
   * A re-imported event has the same tenant, provider and time as its stored copy (provider ids name one event;
   * content hashes include the time), so only stored rows of a batch's tenant + provider pairs inside its time span
   * can be duplicates. The batches that can meet none (outside what is stored for their pairs, or with no stored row
   * in their span) go in with one plain insert, as a first import's do. The others are searched for duplicates by
   * an anti-join in groups of at most DEDUP_ROWS rows and DEDUP_BYTES of staged NDJSON, one statement each: DuckDB
   * builds its hash table from a group's staged rows, whole (they are what it inserts), and probes it with the
   * stored rows of the group's span, which it streams. So the search's memory is bounded by the group, whatever the
   * unit, the store or the order of the export; one anti-join over a whole unit (491,520 rows on 2 cores) ran out of
   * the import's 64 MB from ~70,000 overlapping rows on.
   */
  private async insertUnit(importId: number, unit: PendingUnit, counts: ImportCounts): Promise<void> {
    const c = this.connection;
    const files = unit.batches.flatMap(({ rowsFile, linesFile }) => [rowsFile, linesFile].filter((f): f is string => f !== undefined));
    try {
      const plain: UnitBatch[] = [];
      const searched: { batches: UnitBatch[]; stored: string }[] = [];
      let group: UnitBatch[] = [];
      let groupRows = 0;
      let groupBytes = 0;
      const endGroup = async (): Promise<void> => {
        if (group.length === 0) return;
        const stored = storedKeysSql(group);
        // counting the stored rows of the span (time zone maps, one column) costs a fraction of the anti-join
        const found = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (${stored} LIMIT 1)`);
        if (Number(found.getRowObjectsJS()[0]?.n) > 0) searched.push({ batches: group, stored });
        else plain.push(...group);
        group = [];
        groupRows = 0;
        groupBytes = 0;
      };
      for (const batch of unit.batches) {
        if (!(await this.mayMeetStored(batch))) {
          plain.push(batch);
          continue;
        }
        if (group.length > 0 && (groupRows + batch.rows > DEDUP_ROWS || groupBytes + batch.bytes > DEDUP_BYTES)) await endGroup();
        group.push(batch);
        groupRows += batch.rows;
        groupBytes += batch.bytes;
      }
      await endGroup();
      let inserted = 0;
      /** rows the duplicate searches let through */
      let searchedNew = 0;
      await c.run('BEGIN TRANSACTION');
      try {
        // anything already stored is a duplicate (a plain hash anti-join: the correlated NOT EXISTS it replaces
        // planned as a delim join at twice the cost)
        for (const { batches, stored } of searched) {
          searchedNew += (await c.run(`${insertSql(importId, batches, unit.directOrigin)}
            ANTI JOIN (${stored}) e ON e.tenant = s.tenant AND e.provider = s.provider AND e.event_id = s.eventId`)).rowsChanged;
        }
        inserted = searchedNew;
        if (plain.length > 0) inserted += (await c.run(insertSql(importId, plain, unit.directOrigin))).rowsChanged;
        const duplicates = unit.handed - inserted;
        // the imports row always matches the rows kept
        await c.run(
          `UPDATE imports SET read_count = $2, imported = imported + $3, duplicates = duplicates + $4, rejected = $5, skipped = $6 WHERE import_id = $1`,
          [importId, counts.read, inserted, duplicates, counts.rejected, counts.skipped],
        );
        await c.run('COMMIT');
        this.totals.inserted += inserted;
        this.totals.duplicates += duplicates;
      } catch (error) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
      if (searchedNew > 0) {
        // The searches' statements are small: the new rows they found went through the write-ahead log into the
        // table's last row group. When that row group was on disk already (the store's last before this import),
        // the checkpoint at the end also rewrote the row groups later units wrote after it: 0.65 s and ~90 MB more
        // RSS for 500,000 rows, when a rolling export's overlapping units had found a few new events before its new
        // ones. Checkpointed now (~50 ms, within the import's memory), they stay as written. A failure here leaves
        // the rows committed and the checkpoint to the end.
        await c.run('CHECKPOINT').catch(() => undefined);
      }
      const loMs = Date.parse(unit.lo);
      const hiMs = Date.parse(unit.hi);
      for (const { tenant, provider } of unit.pairs) {
        const key = pairKey(tenant, provider);
        const known = this.storedSpans.get(key);
        this.storedSpans.set(key, known ? { lo: Math.min(known.lo, loMs), hi: Math.max(known.hi, hiMs) } : { lo: loMs, hi: hiMs });
      }
    } catch (error) {
      throw this.importFailure(error);
    } finally {
      for (const file of files) rmSync(file, { force: true });
    }
  }

  /**
   * Whether a batch's span meets the span of stored rows of one of its tenant + provider pairs (learnt once per
   * import and widened by each unit): otherwise none of its rows can be a duplicate.
   */
  private async mayMeetStored(batch: UnitBatch): Promise<boolean> {
    const loMs = Date.parse(batch.lo);
    const hiMs = Date.parse(batch.hi);
    for (const { tenant, provider } of batch.pairs) {
      const known = await this.storedSpan(tenant, provider, pairKey(tenant, provider));
      if (known && known.lo <= hiMs && loMs <= known.hi) return true;
    }
    return false;
  }

  /**
   * DuckDB's out-of-memory error, anywhere in an import, as one line that says what to do: the import's memory is a
   * setting (a bug in scopeguard it is not, and the units already committed are kept).
   */
  private importFailure(error: unknown): unknown {
    if (!(error instanceof Error) || !/^Out of Memory Error/.test(error.message)) return error;
    const detail = error.message.split('\n')[0]!.replace(/^Out of Memory Error:\s*/, '');
    const example = process.env.SCOPEGUARD_DUCKDB_MEMORY === undefined ? ' (e.g. SCOPEGUARD_DUCKDB_MEMORY=512MB)' : '';
    return new EnvironmentError(
      `DuckDB ran out of memory importing into ${this.path} (${this.importMemory} for the import: ${detail})`,
      `give the import more with SCOPEGUARD_DUCKDB_MEMORY${example} and run it again: what was imported is kept, and nothing is stored twice`,
    );
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

  /** Forgets the batch being staged and removes the staging folder (and the files older versions staged beside the store). */
  private dropStaged(): void {
    this.staged = undefined;
    this.stagedRows.drop();
    this.stagedLines.drop();
    rmSync(this.stagingDir, { recursive: true, force: true });
    const base = resolve(this.path);
    for (const legacy of ['staging.ndjson', 'staging.1.ndjson', 'staging.direct.ndjson', 'staging.direct.1.ndjson']) rmSync(`${base}.${legacy}`, { force: true });
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
