/**
 * SG303 reports a client's idle tokens as one finding, so the usage input may only be split between clients, never
 * through one client's tokens. The bundled example (real logs imported with the real CLI, real DuckDB, the compiled
 * Wasm) judged in one document and in one-client documents gives the same findings, one per client.
 */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load.ts';
import { collectUsageFacts } from '../../src/usage/analyze.ts';
import { buildUsageInput, buildUsageInputs } from '../../src/policy/input-usage.ts';
import { loadPolicyEngine, type RawFinding } from '../../src/policy/engine.ts';
import type { UsageFacts } from '../../src/usage/facts.ts';
import { scopeguard, tempDir } from './helpers.ts';

const EXAMPLE = resolve('scopes');
const NOW = new Date('2026-11-20T00:00:00Z');

describe('SG303 on the bundled example', () => {
  let facts: UsageFacts[];

  beforeAll(async () => {
    const dbPath = join(tempDir('sg-idle-'), 'audit.duckdb');
    for (const tenant of ['acme', 'globex']) {
      const run = scopeguard(['logs', 'import', join(EXAMPLE, 'logs', tenant), '--registry', EXAMPLE, '--db', dbPath, '--quiet'], process.cwd());
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
    facts = await collectUsageFacts(await loadRegistry(EXAMPLE), { dbPath, until: NOW }, NOW);
  }, 120_000);

  const idleFindings = async (inputs: ReturnType<typeof buildUsageInput>[]): Promise<RawFinding[]> => {
    const engine = await loadPolicyEngine();
    const registry = await loadRegistry(EXAMPLE);
    return inputs
      .flatMap((input) => engine.evaluate('usage', input, registry.config))
      .filter((f) => f.ruleId === 'SG303')
      .sort((a, b) => `${a.tenant} ${a.subject} ${a.key}`.localeCompare(`${b.tenant} ${b.subject} ${b.key}`));
  };

  it('gives one finding per client whose counts add up to every idle refreshed token', async () => {
    const findings = await idleFindings([buildUsageInput(facts, NOW)]);
    const input = buildUsageInput(facts, NOW);
    const idle = Object.values(input.usage.tenants).flatMap((t) => t.tokens).filter((t) => t.refreshes > 0 && !t.revokedAt && (t.daysSinceLastUse ?? 0) > 30);
    expect(idle.length).toBeGreaterThan(100);
    expect(new Set(findings.map((f) => `${f.tenant} ${f.subject} ${f.key}`)).size).toBe(findings.length);
    expect(findings.length).toBe(new Set(idle.map((t) => t.clientId)).size);
    expect(findings.reduce((sum, f) => sum + Number(f.evidence?.count), 0)).toBe(idle.length);
    for (const f of findings) {
      expect(f.subject).toMatch(/^client:/);
      expect(f.message).toMatch(/^client \S+ has \d+ refresh tokens? unused for more than 30 days \(oldest idle \d+ days\) and not revoked$/);
      const samples = f.evidence?.sampleTokenIds as string[];
      expect(samples.length).toBe(Math.min(5, Number(f.evidence?.count)));
      expect(samples.every((id) => idle.some((t) => t.tokenId === id && t.clientId === f.evidence?.clientId))).toBe(true);
    }
  });

  it('finds the same in one-client documents as in one document', async () => {
    const whole = await idleFindings([buildUsageInput(facts, NOW)]);
    const split = await idleFindings(buildUsageInputs(facts, NOW, 1));
    expect(split).toEqual(whole);
  });
});
