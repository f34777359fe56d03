/**
 * One interface every audit-log importer implements. An importer only maps: it never reads files, scrubs or stores
 * (the import pipeline in ./import.ts does that around it), so each provider file is the mapping and nothing else.
 */
import type { AuditEvent } from '../schema/types.ts';
import type { ResolvedConfig } from '../registry/model.ts';

export type AuditEventType = AuditEvent['type'];
export type Outcome = AuditEvent['outcome'];
/** What an importer returns before the pipeline fills in tenant, provider, source and (when missing) eventId. */
export type DraftEvent = Omit<AuditEvent, 'tenant' | 'provider' | 'source' | 'eventId' | 'time'> & {
  eventId?: string;
  /** Raw time value as the provider wrote it; the pipeline converts it with src/logs/time.ts. */
  time: unknown;
  tenant?: string;
};

export interface NormalizeContext {
  /** The tenant the file is imported for (--tenant, its source in scopeguard.yaml, the registry's only tenant). */
  tenant: string | undefined;
  /** The registry's tenants, which a record naming its own tenant must be one of; none known: any valid name. */
  tenants?: readonly string[];
  gateway?: ResolvedConfig['gateway'];
}

export interface Provider {
  name: string;
  /**
   * 0 (not this provider's record) to 1 (certainly this provider's); the first records decide. `context.gateway`
   * carries the config's field mapping, by which a gateway's records are recognised.
   */
  detect(record: Record<string, unknown>, context?: Pick<NormalizeContext, 'gateway'>): number;
  /** null: a valid record that says nothing about scopes or tokens (counted as skipped, not rejected). */
  normalize(record: Record<string, unknown>, context: NormalizeContext): DraftEvent | DraftEvent[] | null;
}

/** Thrown by an importer when a record has this provider's shape but a field of the wrong type. */
export class RecordError extends Error {}

export function get(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A string field, or undefined; numbers are accepted as their decimal text (ids are often numeric). */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function int(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** Scopes written as a space/comma separated string or a list; order kept, duplicates dropped. */
export function scopeList(value: unknown): string[] {
  let items: unknown[];
  if (typeof value === 'string') items = value.split(/[\s,]+/);
  else if (Array.isArray(value)) items = value.flatMap((item) => (typeof item === 'string' ? item.split(/[\s,]+/) : []));
  else return [];
  return [...new Set(items.filter((item): item is string => typeof item === 'string' && item !== ''))];
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function compact<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}
