/**
 * The import pipeline around the provider importers: read records, pick the provider, normalize, scrub, reject what
 * cannot be stored, and hand batches to the store. The only place that decides what a stored event looks like.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../errors.ts';
import type { AuditEvent } from '../schema/types.ts';
import type { ResolvedConfig } from '../registry/model.ts';
import type { ImportCounts, Store } from '../store/store.ts';
import { asObject, RecordError, type DraftEvent, type NormalizeContext, type Provider } from './provider.ts';
import { PROVIDERS, PROVIDER_NAMES } from './providers/index.ts';
import { scanStoredForm } from './direct.ts';
import { hashFileInBackground, type BackgroundHash } from './file-hash.ts';
import { GzipError, openInput, readRecordBatches, type DirectLane, type ReadRecord } from './read.ts';
import { safeTokenId, scrubReason, scrubString, scrubText, scrubValue, sha256Hex } from './scrub.ts';
import { toUtcIso } from './time.ts';
import { prepareAuditEventValidator } from './validate.ts';

// Rows per staged batch: a file of its own, whose ids the store keeps (as bytes) for an exact search for repeats
// inside it (so its size bounds that part of the importer's memory); a commit unit (COMMIT_ROWS in the store) is many
// batches inserted by one statement.
export const BATCH_SIZE = Number(process.env.SCOPEGUARD_IMPORT_BATCH ?? 20_480);
// A batch also ends at this much staged NDJSON (20,000 typical events are ~8 MB): wide records (long paths, user
// agents, kept raw JSON) make smaller batches, so DuckDB's read of one file does not grow with them (at 16 MiB,
// 60,000 records of ~6 KB with --keep-raw ran out of the import's DuckDB memory).
const BATCH_BYTES = Number(process.env.SCOPEGUARD_IMPORT_BATCH_BYTES ?? 8 << 20);
// how many records the provider is guessed from
const DETECT_SAMPLE = 25;

// V8 lets the garbage of millions of parsed records grow its heap by ~100 MB before it collects and then keeps the
// pages; an import holds no more than the batch being staged, so a full collection now and then (a few ms: little
// survives) keeps RSS low and flat. With the young generation kept small (keepYoungGenerationSmall) one after every
// fifth batch peaked no higher than one after each, and 2,000,000 events took ~1.5 s less.
const BATCHES_PER_FULL_GC = 5;
let collectGarbage: (() => void) | undefined;
/**
 * Called when an import starts, so every import changes V8's flags the same way, however few its batches (the CLI
 * writes no code cache after a run that changed them: bin/scopeguard.js).
 */
function exposeGarbageCollection(): () => void {
  if (!collectGarbage) {
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc') as () => void;
  }
  return collectGarbage;
}

// Nearly everything an import allocates dies within a batch, yet V8 doubles its young generation at scavenges up to
// 2 x 16 MB on that churn, for nothing. Growth stops here, at the size start-up left it (8 MB in all after loading
// the registry): peak RSS of 2,000,000 events fell from 303 to 267 MB at the same speed. (A lower
// --max-semi-space-size set at run time has no effect: V8 reads it once, at start.)
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

export interface ImportOptions {
  provider?: string;
  /** Tenant for events whose record does not name one; a normalized record that names another is rejected. */
  tenant?: string;
  /** The registry's tenants: a tenant a normalized record names must be one of them (none given: any valid name). */
  tenants?: readonly string[];
  strict?: boolean;
  keepRaw?: boolean;
  gateway?: ResolvedConfig['gateway'];
  /** Folder for rejects files (default: `rejects/` beside the store). */
  rejectsDir: string;
  maxRecordBytes?: number;
  /**
   * Whether lines of normalized NDJSON already in stored form skip parsing (src/logs/direct.ts; default on, off with
   * SCOPEGUARD_DIRECT_LANE=off). What is stored is the same either way.
   */
  directLane?: boolean;
  onProgress?: (counts: ImportCounts) => void;
  /** Called when the provider needs a tenant and none was given; throws the user-facing error. */
  requireTenant?: (provider: string) => never;
  /** Where to say which provider was detected (stderr in the CLI). */
  notice?: (message: string) => void;
}

export interface FileImportResult extends ImportCounts {
  file: string;
  provider: string;
  rejectsFile?: string;
  /** The input could not be read at all (not JSON, bad gzip). */
  unreadable?: string;
  /** Records the direct lane staged as they were read. */
  directLines: number;
}

interface Rejection {
  line: number;
  reason: string;
  text: string;
}

class RejectsWriter {
  private fd: number | undefined;
  readonly path: string;
  constructor(dir: string, file: string) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.path = join(dir, `${file === '-' ? 'stdin' : basename(file)}-${stamp}.ndjson`);
  }
  write(rejection: Rejection): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    // the text is scrubbed like any event: a rejects file must not be where secrets end up (the reason comes scrubbed)
    writeSync(this.fd, `${JSON.stringify({ line: rejection.line, reason: rejection.reason, text: scrubText(rejection.text) })}\n`);
  }
  get used(): boolean {
    return this.fd !== undefined;
  }
  private closed = false;
  close(): void {
    if (this.fd !== undefined && !this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

/** Picks the provider whose detector is most confident over the sample; undefined when none recognises it. */
export function detectProvider(sample: Record<string, unknown>[], context: Pick<NormalizeContext, 'gateway'> = {}): Provider | undefined {
  let best: { provider: Provider; score: number } | undefined;
  for (const name of PROVIDER_NAMES) {
    const provider = PROVIDERS[name]!;
    const score = sample.reduce((sum, record) => sum + provider.detect(record, context), 0) / Math.max(sample.length, 1);
    if (score > 0.3 && (!best || score > best.score)) best = { provider, score };
  }
  return best?.provider;
}

export function providerByName(name: string): Provider {
  const provider = PROVIDERS[name];
  if (!provider) throw new UsageError(`unknown provider "${name}"`, `one of: ${PROVIDER_NAMES.join(', ')}`);
  return provider;
}

/** Canonical JSON (sorted keys) so the same record hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const clean = (value: string | undefined): string | undefined => (value === undefined ? undefined : scrubString(value));
// control characters have no place in a scope name, and the store uses one as its list separator
// eslint-disable-next-line no-control-regex
const cleanScopes = (scopes: string[] | undefined): string[] => (scopes ?? []).map((scope) => scrubString(scope.replace(/[\u0000-\u001f]/g, ''))).filter((scope) => scope !== '');

/**
 * Turns a draft into the stored event: UTC time, tenant, ids, and every string scrubbed. Returns a reason instead
 * when the event cannot be stored.
 */
export function finishEvent(
  draft: DraftEvent,
  provider: string,
  context: { tenant: string | undefined; file: string; line: number; scrubbedRecord: () => unknown; index: number },
): AuditEvent | string {
  if (draft.time === undefined || draft.time === null || draft.time === '') return 'missing time';
  const time = toUtcIso(draft.time);
  if (!time) return `unreadable time ${JSON.stringify(draft.time).slice(0, 60)}`;
  const tenant = draft.tenant ?? context.tenant;
  if (!tenant) return 'no tenant: the record names none and no --tenant was given';
  // the store keeps a status as a 32-bit integer; a larger number is not an HTTP status
  const status = draft.request?.status;
  if (status !== undefined && status !== null && !(Number.isInteger(status) && Math.abs(status) <= 2_147_483_647)) {
    return `request.status ${String(status).slice(0, 20)} is not an HTTP status`;
  }
  const idBase = draft.eventId ?? `sha256:${sha256Hex(canonicalJson(context.scrubbedRecord()))}${context.index > 0 ? `#${context.index}` : ''}`;
  const actor = draft.actor && { id: clean(draft.actor.id), type: draft.actor.type, name: clean(draft.actor.name) };
  const request = draft.request && {
    method: draft.request.method,
    path: clean(draft.request.path),
    status: draft.request.status,
  };
  const event: AuditEvent = {
    eventId: safeTokenId(idBase) === idBase ? scrubString(idBase) : `sha256:${sha256Hex(idBase)}`,
    tenant,
    provider,
    time,
    type: draft.type,
    rawType: draft.rawType,
    outcome: draft.outcome ?? 'unknown',
    actor,
    clientId: clean(draft.clientId),
    scopes: cleanScopes(draft.scopes),
    requestedScopes: cleanScopes(draft.requestedScopes),
    tokenId: safeTokenId(draft.tokenId),
    grantId: clean(draft.grantId),
    request,
    ip: clean(draft.ip),
    userAgent: clean(draft.userAgent),
    source: { file: context.file, line: context.line },
  };
  return event;
}

/** Imports one file (or stdin as `-`). Batches are committed as they fill; the summary counts every record. */
export async function importFile(store: Store, file: string, options: ImportOptions): Promise<FileImportResult> {
  // a regular file is hashed on another thread; stdin and pipes as they are read
  const fileHash = hashFileInBackground(file);
  try {
    return await importRecords(store, file, options, fileHash);
  } finally {
    // an import that ended early (--strict, nothing readable, no tenant) does not wait for the hash
    fileHash?.cancel();
  }
}

async function importRecords(store: Store, file: string, options: ImportOptions, fileHash: BackgroundHash | undefined): Promise<FileImportResult> {
  keepYoungGenerationSmall();
  const collectGarbageNow = exposeGarbageCollection();
  await prepareAuditEventValidator();
  const counts: ImportCounts = { read: 0, imported: 0, duplicates: 0, rejected: 0, skipped: 0 };
  const rejects = new RejectsWriter(options.rejectsDir, file);
  const input: Readable = openInput(file);
  const hash = fileHash ? undefined : createHash('sha256');
  const lane: DirectLane = {};
  const records = readRecordBatches(input, { maxRecordBytes: options.maxRecordBytes, onBytes: hash && ((chunk) => hash.update(chunk)), direct: lane });

  const reject = (line: number, rawReason: string, text: string): void => {
    counts.rejected++;
    // a reason can quote the record (JSON.parse's message does): scrubbed for the rejects file and --strict's stderr
    const reason = scrubReason(rawReason, text);
    rejects.write({ line, reason, text });
    if (options.strict) {
      rejects.close();
      throw new InputError(`${file}:${line}: ${reason}`, `--strict stops at the first bad record; without it bad records go to ${rejects.path}`);
    }
  };

  // the provider is decided from the first records, so those are held until it is known
  const head: ReadRecord[] = [];
  const afterHead: ReadRecord[] = [];
  let provider = options.provider ? providerByName(options.provider) : undefined;
  const iterator = records[Symbol.asyncIterator]();
  let unreadable: string | undefined;
  try {
    if (!provider) {
      while (head.filter((r) => r.error === undefined).length < DETECT_SAMPLE) {
        const next = await iterator.next();
        if (next.done) break;
        head.push(...next.value);
      }
      // the sample ends at its DETECT_SAMPLE-th parsed record; the rest of that chunk waits for the main loop
      let parsed = 0;
      const end = head.findIndex((r) => r.error === undefined && ++parsed === DETECT_SAMPLE);
      if (end >= 0) afterHead.push(...head.splice(end + 1));
      const sample = head.map((r) => (r.error === undefined ? asObject(r.value) : undefined)).filter((r) => r !== undefined);
      provider = detectProvider(sample, options.gateway ? { gateway: options.gateway } : {});
      if (provider) options.notice?.(`${file}: detected provider ${provider.name}`);
    }
  } catch (error) {
    if (!(error instanceof GzipError)) throw error;
    unreadable = error.message;
  }
  if (!provider) {
    const parsed = head.filter((r) => r.error === undefined).length;
    for (const r of head) {
      counts.read++;
      reject(r.line, r.error ?? 'no importer recognises this record (pass --provider)', r.text ?? JSON.stringify(scrubValue(r.value)));
    }
    rejects.close();
    return { file, provider: 'unknown', ...counts, rejectsFile: rejects.used ? rejects.path : undefined, unreadable: unreadable ?? (parsed > 0 ? 'no importer recognises these records; pass --provider' : head.length === 0 ? undefined : 'no JSON records'), directLines: 0 };
  }

  // only normalized NDJSON names the tenant per record; every other export needs it from outside
  if (!options.tenant && provider.name !== 'scopeguard') {
    rejects.close();
    if (options.requireTenant) options.requireTenant(provider.name);
    throw new UsageError(`cannot tell which tenant ${file} belongs to`, 'pass --tenant');
  }
  const importId = await store.beginImport(file, provider.name, options.tenant, { keepRaw: options.keepRaw });
  // Normalized lines already in stored form skip parsing here (src/logs/direct.ts); a kept raw record needs the parse.
  const origin = { provider: provider.name, file, tenant: options.tenant };
  let directLines = 0;
  if (provider.name === 'scopeguard' && !options.keepRaw && (options.directLane ?? process.env.SCOPEGUARD_DIRECT_LANE !== 'off')) {
    lane.take = (bytes, start, end, line) => scanStoredForm(bytes, start, end, line, options.tenant, options.tenants);
  }
  // events go to the store's staging buffer as they are made; only their count is kept here
  let batchSize = 0;
  let flushes = 0;
  const flush = async (): Promise<void> => {
    const staged = batchSize;
    batchSize = 0;
    // back at once, unless the batch filled a unit and the one before it is still inserting: a full unit is inserted
    // on DuckDB's threads while the next one is read and normalized on this one
    await store.commitStaged(importId, staged, counts);
    if (++flushes % BATCHES_PER_FULL_GC === 0) collectGarbageNow();
    const { inserted, duplicates } = store.importTotals;
    options.onProgress?.({ ...counts, imported: inserted, duplicates });
  };
  // a batch ends at BATCH_SIZE events or BATCH_BYTES of staged rows, whichever comes first
  const batchFull = (): boolean => batchSize >= BATCH_SIZE || store.stagedBytes >= BATCH_BYTES;
  const handle = (record: ReadRecord): void => {
    counts.read++;
    if (record.direct) {
      directLines++;
      store.stageDirect(record.direct, origin);
      batchSize++;
      return;
    }
    if (record.error !== undefined) {
      reject(record.line, record.error, record.text);
      return;
    }
    const object = asObject(record.value);
    if (!object) {
      reject(record.line, 'not a JSON object', JSON.stringify(record.value) ?? '');
      return;
    }
    // the scrubbed copy is only needed for raw storage, content hashes and rejects: made at most once, on demand
    let scrubbedCopy: unknown;
    const scrubbed = (): unknown => (scrubbedCopy ??= scrubValue(object));
    let drafts: DraftEvent | DraftEvent[] | null;
    try {
      drafts = provider.normalize(object, { tenant: options.tenant, tenants: options.tenants, gateway: options.gateway });
    } catch (error) {
      if (!(error instanceof RecordError) && !(error instanceof TypeError)) throw error;
      reject(record.line, error.message, JSON.stringify(scrubbed()));
      return;
    }
    if (drafts === null) {
      counts.skipped++;
      return;
    }
    const list = Array.isArray(drafts) ? drafts : [drafts];
    if (list.length === 0) counts.skipped++;
    const raw = options.keepRaw ? JSON.stringify(scrubbed()) : undefined;
    list.forEach((draft, index) => {
      const event = finishEvent(draft, provider.name, { tenant: options.tenant, file, line: record.line, scrubbedRecord: scrubbed, index });
      if (typeof event === 'string') reject(record.line, event, JSON.stringify(scrubbed()));
      else {
        store.stage({ event, raw });
        batchSize++;
      }
    });
  };

  try {
    try {
      for (const record of [...head, ...afterHead]) {
        handle(record);
        if (batchFull()) await flush();
      }
      for (;;) {
        // Reading from a full stream buffer never returns to the event loop; DuckDB's replies (the background
        // commit's next statement) wait for that, so each chunk yields once.
        await new Promise((resolve) => setImmediate(resolve));
        const next = await iterator.next();
        if (next.done) break;
        for (const record of next.value) {
          handle(record);
          if (batchFull()) await flush();
        }
      }
    } catch (error) {
      if (!(error instanceof GzipError)) throw error;
      unreadable = error.message;
    } finally {
      rejects.close();
    }
    await flush();
    const totals = await store.finishImport(importId, hash ? hash.digest('hex') : await fileHash!.digest, counts);
    counts.imported = totals.inserted;
    counts.duplicates = totals.duplicates;
  } catch (error) {
    // the units not yet committed are dropped: the store keeps whole units, and a re-run imports the rest
    await store.abortImport();
    throw error;
  }
  return { file, provider: provider.name, ...counts, rejectsFile: rejects.used ? rejects.path : undefined, unreadable, directLines };
}

export function defaultRejectsDir(storePath: string): string {
  return join(dirname(resolve(storePath)), 'rejects');
}
