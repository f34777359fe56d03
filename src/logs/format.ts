/** Output of `logs query` and `logs stats`: table, json, ndjson, csv. Untrusted log text is neutralised here. */
import type { AuditEvent } from '../schema/types.ts';
import type { StatsRow } from '../store/query.ts';
import { alignColumns } from '../report/columns.ts';
import { escapeTerminal, neutralise, jsonOutput } from '../report/escape.ts';

export const EVENT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];

const COLUMNS: Array<[string, (e: AuditEvent) => string]> = [
  ['time', (e) => e.time],
  ['tenant', (e) => e.tenant],
  ['provider', (e) => e.provider],
  ['type', (e) => e.type],
  ['outcome', (e) => e.outcome],
  ['client', (e) => e.clientId ?? ''],
  ['scopes', (e) => (e.scopes ?? []).join(' ')],
  ['request', (e) => (e.request ? `${e.request.method ?? ''} ${e.request.path ?? ''} ${e.request.status ?? ''}`.trim() : '')],
  ['eventId', (e) => e.eventId],
];

// Log text reaches a terminal: escapeTerminal keeps ANSI escapes and carriage returns from acting on it.
const table = (header: string[], rows: string[][]): string => alignColumns(header, rows, { maxWidth: 60 }).join('\n');

/**
 * A CSV cell: control characters neutralised as in a table (CSV is read on terminals too, where an ANSI escape or a
 * carriage return in a client id would act), quoted when needed, and a leading = + - @ defused so spreadsheets do not
 * run it as a formula.
 */
function csvCell(text: string): string {
  // tabs and line breaks too: each is U+FFFD from here on, so a cell is never more than one line
  const plain = neutralise(text);
  const safe = /^[=+\-@]/.test(plain) ? `'${plain}` : plain;
  return /[",]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function formatEvents(events: AuditEvent[], format: EventFormat): string {
  switch (format) {
    case 'json':
      return jsonOutput(events, 2);
    case 'ndjson':
      return events.map((e) => jsonOutput(e)).join('\n');
    case 'csv':
      return [COLUMNS.map(([name]) => name).join(','), ...events.map((e) => COLUMNS.map(([, get]) => csvCell(get(e))).join(','))].join('\n');
    case 'table':
      if (events.length === 0) return 'no events match';
      return table(COLUMNS.map(([name]) => name), events.map((e) => COLUMNS.map(([, get]) => escapeTerminal(get(e)))));
  }
}

/** `filtered`: the rows are one tenant's, so none means nothing matched rather than an empty store. */
export function formatStats(rows: StatsRow[], format: EventFormat, options: { filtered?: boolean } = {}): string {
  switch (format) {
    case 'json':
      return jsonOutput(rows, 2);
    case 'ndjson':
      return rows.map((r) => jsonOutput(r)).join('\n');
    case 'csv':
      return ['dimension,key,events', ...rows.map((r) => `${r.dimension},${csvCell(r.key)},${r.events}`)].join('\n');
    case 'table':
      if (rows.length === 0) return options.filtered ? 'no events match' : 'the store holds no events';
      return table(['dimension', 'key', 'events'], rows.map((r) => [r.dimension, escapeTerminal(r.key), String(r.events)]));
  }
}
