/**
 * Shared set-up for the usage tests: a generated scenario on disk and its events in a real DuckDB store.
 * Events go in through the real `scopeguard logs import`, so the facts are computed over a store as users have it;
 * SCOPEGUARD_TEST_IMPORT_CLI=0 inserts through the store module the importer uses instead (same table, same dedup).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Store } from '../../src/store/store.ts';
import type { AuditEvent } from '../../src/schema/types.ts';
import { generateScenario, type ScenarioOptions, type ScenarioResult } from '../fixtures/scenario/generate.ts';

export const BIN = resolve('bin/scopeguard.js');

export function tempDir(prefix = 'sg-usage-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function scopeguard(args: string[], cwd: string, env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', ...env } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** As `scopeguard`, without blocking the event loop (for tests that serve HTTP in this process). */
export function scopeguardAsync(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ status: code ?? -1, stdout, stderr }));
  });
}

/** Imports an NDJSON file of normalized events into the store at dbPath. */
export async function importEvents(dbPath: string, file: string, registryDir = join(dirname(file), 'scopes')): Promise<void> {
  if (process.env.SCOPEGUARD_TEST_IMPORT_CLI !== '0') {
    const viaCli = scopeguard(['logs', 'import', file, '--provider', 'scopeguard', '--db', dbPath, '--registry', registryDir, '--quiet'], dirname(file));
    if (viaCli.status !== 0) throw new Error(`logs import failed: ${viaCli.stderr}`);
    return;
  }
  const store = await Store.open(dbPath);
  try {
    const events = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent);
    const importId = await store.beginImport(file, 'scopeguard', undefined);
    const counts = { read: events.length, imported: 0, duplicates: 0, rejected: 0, skipped: 0 };
    for (let i = 0; i < events.length; i += 10_000) {
      await store.insertBatch(importId, events.slice(i, i + 10_000).map((event) => ({ event })), counts);
    }
    counts.imported = events.length;
    await store.finishImport(importId, undefined, counts);
    await store.checkpoint();
  } finally {
    store.close();
  }
}

export interface ScenarioWorkspace extends ScenarioResult {
  dir: string;
  dbPath: string;
}

/** A working directory with `scopes/` (the scenario registry) and `audit.duckdb` holding its events. */
export async function scenarioWorkspace(options: ScenarioOptions = {}): Promise<ScenarioWorkspace> {
  const dir = tempDir();
  const result = await generateScenario(dir, options);
  const dbPath = join(dir, 'audit.duckdb');
  await importEvents(dbPath, result.eventsFile);
  return { ...result, dir, dbPath };
}
