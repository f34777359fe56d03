/** Reading the store: filtered events, counts, and the Parquet export. SQL kept portable where it can be. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import auditEventSchema from '../schema/audit-event.schema.json' with { type: 'json' };
import type { AuditEvent } from '../schema/types.ts';
import type { Store } from './store.ts';

/** The normalized event types, in the schema's order. */
export const EVENT_TYPES: readonly string[] = auditEventSchema.properties.type.enum;

/**
 * The event types a type filter names: itself when it is a type (`token.issued`, `other`), else the family it is the
 * first part of (`token`: issued, refreshed, revoked). Empty when it names none.
 */
export function eventTypesNamed(filter: string): string[] {
  if (EVENT_TYPES.includes(filter)) return [filter];
  return EVENT_TYPES.filter((type) => type.startsWith(`${filter}.`));
}

/** The families of event types (`token`, `authorize`, ...), for hints. */
export const EVENT_TYPE_FAMILIES: readonly string[] = [...new Set(EVENT_TYPES.filter((type) => type.includes('.')).map((type) => type.split('.')[0]!))];

export interface EventFilter {
  tenant?: string;
  /**
   * Clients, each a provider client id of one tenant (a registry client resolved) or of any tenant (an id as given);
   * an event matches any of them. The same id in another tenant is another client.
   */
  clients?: ClientMatch[];
  scope?: string;
  type?: string;
  /** Inclusive, UTC ISO */
  since?: string;
  /** Exclusive, UTC ISO */
  until?: string;
  outcome?: string;
  limit?: number;
}

export interface ClientMatch {
  clientId: string;
  tenant?: string;
}

const ISO = (column: string): string => `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

function where(filter: EventFilter): { sql: string; values: DuckDBValue[] } {
  const clauses: string[] = [];
  const values: DuckDBValue[] = [];
  const param = (value: DuckDBValue): string => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.tenant) clauses.push(`tenant = ${param(filter.tenant)}`);
  if (filter.clients && filter.clients.length > 0) {
    const match = (c: ClientMatch): string => (c.tenant === undefined ? `client_id = ${param(c.clientId)}` : `(tenant = ${param(c.tenant)} AND client_id = ${param(c.clientId)})`);
    clauses.push(`(${filter.clients.map(match).join(' OR ')})`);
  }
  // a scope filter matches what a token carried or what a client asked for
  if (filter.scope) {
    const p = param(filter.scope);
    clauses.push(`(list_contains(scopes, ${p}) OR list_contains(requested_scopes, ${p}))`);
  }
  if (filter.type) {
    const types = eventTypesNamed(filter.type);
    clauses.push(types.length > 0 ? `type IN (${types.map(param).join(', ')})` : 'FALSE');
  }
  if (filter.since) clauses.push(`time >= CAST(${param(filter.since.slice(0, 23))} AS TIMESTAMP)`);
  if (filter.until) clauses.push(`time < CAST(${param(filter.until.slice(0, 23))} AS TIMESTAMP)`);
  if (filter.outcome) clauses.push(`outcome = ${param(filter.outcome)}`);
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

/** Events matching the filter, newest first, in the normalized AuditEvent shape. */
export async function queryEvents(store: Store, filter: EventFilter): Promise<AuditEvent[]> {
  const { sql, values } = where(filter);
  const limit = filter.limit ?? 100;
  const reader = await store.connection.runAndReadAll(
    `SELECT event_id, tenant, provider, ${ISO('time')} AS time, type, raw_type, outcome, actor_id, actor_type, actor_name,
            client_id, scopes, requested_scopes, token_id, grant_id, request_method, request_path, request_status, ip,
            user_agent, source_file, source_line
     FROM events ${sql} ORDER BY time DESC, tenant, provider, event_id ${limit > 0 ? `LIMIT ${Math.floor(limit)}` : ''}`,
    values,
  );
  return reader.getRowObjectsJS().map((row) => {
    const s = (key: string): string | undefined => (row[key] === null || row[key] === undefined ? undefined : String(row[key]));
    const actor = row.actor_id ?? row.actor_type ?? row.actor_name;
    const request = row.request_method ?? row.request_path ?? row.request_status;
    const event: AuditEvent = {
      eventId: String(row.event_id),
      tenant: String(row.tenant),
      provider: String(row.provider),
      time: String(row.time),
      type: String(row.type) as AuditEvent['type'],
      rawType: s('raw_type'),
      outcome: String(row.outcome) as AuditEvent['outcome'],
      actor: actor === null ? undefined : dropUndefined({ id: s('actor_id'), type: s('actor_type'), name: s('actor_name') }),
      clientId: s('client_id'),
      scopes: (row.scopes as string[] | null) ?? [],
      requestedScopes: (row.requested_scopes as string[] | null) ?? [],
      tokenId: s('token_id'),
      grantId: s('grant_id'),
      request: request === null ? undefined : dropUndefined({ method: s('request_method'), path: s('request_path'), status: row.request_status === null ? undefined : Number(row.request_status) }),
      ip: s('ip'),
      userAgent: s('user_agent'),
      source: row.source_file === null ? undefined : { file: String(row.source_file), line: Number(row.source_line) },
    };
    return dropUndefined(event);
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The values of a query's one column `v`, as strings. */
async function distinctValues(store: Store, sql: string, values: DuckDBValue[] = []): Promise<string[]> {
  return (await store.connection.runAndReadAll(sql, values)).getRowObjectsJS().map((row) => String(row.v));
}

/** The provider client ids of the stored events matching the filter (e.g. a tenant's), sorted. */
export function storedClientIds(store: Store, filter: EventFilter = {}): Promise<string[]> {
  const { sql, values } = where(filter);
  return distinctValues(store, `SELECT DISTINCT client_id AS v FROM events ${sql ? `${sql} AND` : 'WHERE'} client_id IS NOT NULL ORDER BY v`, values);
}

/** The scopes the stored events matching the filter (e.g. a tenant's) carry or request, sorted. */
export function storedScopes(store: Store, filter: EventFilter = {}): Promise<string[]> {
  const { sql, values } = where(filter);
  return distinctValues(store, `SELECT DISTINCT v FROM (SELECT unnest(scopes) AS v FROM events ${sql} UNION ALL SELECT unnest(requested_scopes) FROM events ${sql}) ORDER BY v`, values);
}

/** The tenants of the stored events matching the filter (e.g. those with a client id or a scope), sorted. */
export function storedTenants(store: Store, filter: EventFilter = {}): Promise<string[]> {
  const { sql, values } = where(filter);
  return distinctValues(store, `SELECT DISTINCT tenant AS v FROM events ${sql} ORDER BY v`, values);
}

export interface StatsRow {
  dimension: 'tenant' | 'provider' | 'type' | 'day';
  key: string;
  events: number;
}

/** Event counts per tenant, provider, type and UTC day. */
export async function eventStats(store: Store, filter: EventFilter = {}): Promise<StatsRow[]> {
  const { sql, values } = where(filter);
  const reader = await store.connection.runAndReadAll(
    `SELECT dimension, key, events FROM (
       SELECT 'tenant' AS dimension, tenant AS key, count(*)::BIGINT AS events, 1 AS o FROM events ${sql} GROUP BY tenant
       UNION ALL SELECT 'provider', provider, count(*)::BIGINT, 2 FROM events ${sql} GROUP BY provider
       UNION ALL SELECT 'type', type, count(*)::BIGINT, 3 FROM events ${sql} GROUP BY type
       UNION ALL SELECT 'day', strftime(time, '%Y-%m-%d'), count(*)::BIGINT, 4 FROM events ${sql} GROUP BY strftime(time, '%Y-%m-%d')
     ) ORDER BY o, key`,
    values,
  );
  return reader.getRowObjectsJS().map((row) => ({ dimension: row.dimension as StatsRow['dimension'], key: String(row.key), events: Number(row.events) }));
}

/**
 * Hive-partitioned Parquet (`tenant=<t>/date=<YYYY-MM-DD>/*.parquet`): the layout Trino, Spark SQL, ClickHouse and
 * DuckDB itself read as one table with partition pruning.
 */
export async function exportParquet(store: Store, dir: string): Promise<number> {
  mkdirSync(resolve(dir), { recursive: true });
  const count = await store.connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM events`);
  const target = resolve(dir).replace(/'/g, "''");
  // a partitioned write keeps one open file per tenant×day: it needs more memory than the import's bounded budget,
  // and insertion order means nothing across partitions
  await store.connection.run(`SET memory_limit = '${process.env.SCOPEGUARD_EXPORT_MEMORY ?? '1GB'}'`);
  await store.connection.run(`SET preserve_insertion_order = false`);
  await store.connection.run(
    `COPY (SELECT * EXCLUDE (raw), strftime(time, '%Y-%m-%d') AS date FROM events)
     TO '${target}' (FORMAT PARQUET, PARTITION_BY (tenant, date), OVERWRITE_OR_IGNORE true)`,
  );
  return Number(count.getRowObjectsJS()[0]?.n ?? 0);
}
