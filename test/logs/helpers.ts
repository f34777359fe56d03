import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFile, type FileImportResult, type ImportOptions } from '../../src/logs/import.ts';
import { Store } from '../../src/store/store.ts';
import { queryEvents } from '../../src/store/query.ts';
import type { AuditEvent } from '../../src/schema/types.ts';

export function tempDir(prefix = 'sg-logs-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Imports one file into a fresh real DuckDB store and returns the stored events in file order. */
export async function importAndRead(
  file: string,
  options: Partial<ImportOptions> = {},
): Promise<{ result: FileImportResult; events: AuditEvent[]; notices: string[] }> {
  const dir = tempDir();
  const store = await Store.open(join(dir, 'audit.duckdb'));
  const notices: string[] = [];
  try {
    const result = await importFile(store, file, { tenant: 'acme', rejectsDir: join(dir, 'rejects'), notice: (m) => notices.push(m), ...options });
    // in file order, so assertions read like the fixture
    const events = (await queryEvents(store, { limit: 0 })).sort((a, b) => a.source!.line - b.source!.line || a.eventId.localeCompare(b.eventId));
    return { result, events, notices };
  } finally {
    store.close();
  }
}
