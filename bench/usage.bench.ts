/**
 * Usage analysis benchmark (prints, never asserts):
 *  1. precision and recall per SG3xx rule on the labeled scenario (planted misuse among normal traffic);
 *  2. at scale (SCOPEGUARD_BENCH_EVENTS, default 2,000,000 events; 1,000 scopes; 5,000 clients), the time to
 *     compute the usage facts in DuckDB and, separately, the time of the policy evaluation through the Wasm,
 *     with precision/recall again on the large run. Goal: under 5 s together, policy under 1 s.
 * Events are loaded with DuckDB's read_json into the store's own schema (the importer has its own benchmark).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRegistry } from '../src/registry/load.ts';
import { Store } from '../src/store/store.ts';
import { collectUsageFacts } from '../src/usage/analyze.ts';
import { buildUsageInputs } from '../src/policy/input-usage.ts';
import { loadPolicyEngine, type RawFinding } from '../src/policy/engine.ts';
import { finalizeFindings } from '../src/findings/finalize.ts';
import type { Finding } from '../src/findings/finding.ts';
import { generateScenario, SCENARIO_NOW, type PlantedCase, type ScenarioOptions } from '../test/fixtures/scenario/generate.ts';

const RULES = ['SG301', 'SG302', 'SG303', 'SG304', 'SG305', 'SG306', 'SG307', 'SG308', 'SG309'];

async function loadEvents(dbPath: string, file: string): Promise<number> {
  const store = await Store.open(dbPath);
  try {
    const c = store.connection;
    const started = performance.now();
    await c.run(`INSERT INTO imports (file, provider, tenant, started_at) VALUES ('bench', 'scopeguard', NULL, now()::TIMESTAMP)`);
    await c.run(`
      INSERT INTO events (tenant, provider, event_id, time, type, outcome, client_id, scopes, requested_scopes, token_id, grant_id,
                          request_method, request_path, request_status, import_id)
      SELECT tenant, provider, eventId, CAST(left(time, 23) AS TIMESTAMP), type, outcome, clientId, coalesce(scopes, []),
             coalesce(requestedScopes, []), tokenId, grantId, request.method, request.path, request.status, 1
      FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited', columns = {
        eventId: 'VARCHAR', tenant: 'VARCHAR', provider: 'VARCHAR', time: 'VARCHAR', type: 'VARCHAR', outcome: 'VARCHAR',
        clientId: 'VARCHAR', scopes: 'VARCHAR[]', requestedScopes: 'VARCHAR[]', tokenId: 'VARCHAR', grantId: 'VARCHAR',
        request: 'STRUCT(method VARCHAR, path VARCHAR, status INTEGER)'
      })`);
    await store.checkpoint();
    return performance.now() - started;
  } finally {
    store.close();
  }
}

interface RunFigures {
  events: number;
  factsMs: number;
  /** CPU time of the process (DuckDB's threads included) while computing the facts: steadier than wall time when
   * other work shares the machine. */
  factsCpuMs: number;
  inputMs: number;
  policyMs: number;
  perRule: Map<string, { tp: number; fp: number; fn: number }>;
}

async function run(label: string, options: ScenarioOptions): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-usage-bench-'));
  try {
    let t = performance.now();
    const scenario = await generateScenario(dir, options);
    process.stdout.write(`${label}: generated ${scenario.events.toLocaleString('en')} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const dbPath = join(dir, 'audit.duckdb');
    const loadMs = await loadEvents(dbPath, scenario.eventsFile);
    process.stdout.write(`${label}: loaded with read_json in ${(loadMs / 1000).toFixed(1)} s\n`);
    const registry = await loadRegistry(scenario.registryDir);
    const now = new Date(SCENARIO_NOW);
    const engine = await loadPolicyEngine();

    t = performance.now();
    const cpu = process.cpuUsage();
    const facts = await collectUsageFacts(registry, { dbPath }, now);
    const factsMs = performance.now() - t;
    const { user, system } = process.cpuUsage(cpu);
    const factsCpuMs = (user + system) / 1000;
    t = performance.now();
    const inputs = buildUsageInputs(facts, now);
    const inputMs = performance.now() - t;
    t = performance.now();
    const raw: RawFinding[] = inputs.flatMap((input) => engine.evaluate('usage', input, registry.config));
    const policyMs = performance.now() - t;

    const findings = finalizeFindings(raw, { registry, rulesMeta: engine.rules, now }).filter((f) => f.status !== 'waived');
    return { events: scenario.events, factsMs, factsCpuMs, inputMs, policyMs, perRule: score(scenario.planted, findings.map(scored)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ScoredFinding {
  rule: string;
  subject: string;
  /** Sample token ids of a finding that aggregates a client's tokens (SG303). */
  tokens: readonly string[];
}

function scored(f: Finding): ScoredFinding {
  const tokens = f.evidence?.sampleTokenIds;
  return { rule: f.ruleId, subject: f.subject, tokens: Array.isArray(tokens) ? tokens.map(String) : [] };
}

/**
 * A planted case is found when a finding of its rule has its subject and, for a per-client finding over tokens,
 * names the planted token among its samples (another idle token of the same client would not be the planted one).
 */
function score(planted: readonly PlantedCase[], found: readonly ScoredFinding[]): RunFigures['perRule'] {
  const key = (x: { rule: string; subject: string }): string => `${x.rule} ${x.subject}`;
  const plantedKeys = new Set(planted.map(key));
  const plantedToken = new Map(planted.filter((p) => p.token).map((p) => [key(p), p.token!]));
  // a per-client finding that misses the planted token counts as a false positive, and the planted case as missed
  const foundKey = (f: ScoredFinding): string => {
    const token = plantedToken.get(key(f));
    return token === undefined || f.tokens.includes(token) ? key(f) : `${key(f)} without ${token}`;
  };
  const foundKeys = new Set(found.map(foundKey));
  const perRule = new Map<string, { tp: number; fp: number; fn: number }>();
  for (const rule of RULES) {
    const p = [...plantedKeys].filter((k) => k.startsWith(`${rule} `));
    const f = [...foundKeys].filter((k) => k.startsWith(`${rule} `));
    const tp = f.filter((k) => plantedKeys.has(k)).length;
    perRule.set(rule, { tp, fp: f.length - tp, fn: p.length - tp });
  }
  return perRule;
}

function printFigures(label: string, figures: RunFigures): void {
  process.stdout.write(`\n${label}: ${figures.events.toLocaleString('en')} events\n`);
  process.stdout.write('rule   planted  found  precision  recall\n');
  for (const [rule, { tp, fp, fn }] of figures.perRule) {
    const precision = tp + fp === 0 ? 'n/a' : (tp / (tp + fp)).toFixed(2);
    const recall = tp + fn === 0 ? 'n/a' : (tp / (tp + fn)).toFixed(2);
    process.stdout.write(`${rule}  ${String(tp + fn).padStart(7)}  ${String(tp + fp).padStart(5)}  ${precision.padStart(9)}  ${recall.padStart(6)}\n`);
  }
  const total = figures.factsMs + figures.inputMs + figures.policyMs;
  process.stdout.write(
    `usage facts (DuckDB SQL + matching): ${figures.factsMs.toFixed(0)} ms   (CPU ${figures.factsCpuMs.toFixed(0)} ms)\n` +
      `input document build:               ${figures.inputMs.toFixed(0)} ms\n` +
      `policy evaluation (Wasm):           ${figures.policyMs.toFixed(0)} ms   (goal < 1000 ms)\n` +
      `total:                              ${total.toFixed(0)} ms   (goal < 5000 ms)\n`,
  );
}

printFigures('labeled scenario', await run('labeled scenario', {}));
const events = Number(process.env.SCOPEGUARD_BENCH_EVENTS ?? 2_000_000);
if (events > 0) {
  printFigures('at scale', await run('at scale', { eventsTarget: events, normalClients: 5_000 - 11, extraScopes: 1_000 - 6 }));
}
