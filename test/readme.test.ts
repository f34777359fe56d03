// The README's YAML examples are what users copy first: they must load as a valid registry.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectRegistryProblems } from '../src/registry/load.ts';

function readmeBlocks(language: string): string[] {
  const readme = readFileSync('README.md', 'utf8');
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

describe('README examples', () => {
  it('the registry and Config examples form a valid registry together', () => {
    const blocks = readmeBlocks('yaml').filter((b) => /^kind: /m.test(b));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const dir = mkdtempSync(join(tmpdir(), 'sg-readme-'));
    const sources = blocks.map((content, i) => {
      const path = join(dir, `example-${i}.yaml`);
      writeFileSync(path, content);
      return { path, content };
    });
    const { problems, registry } = collectRegistryProblems(dir, sources);
    expect(problems).toEqual([]);
    expect(Object.keys(registry?.tenants.acme?.scopes ?? {})).toContain('write.orders');
    expect(registry?.tenants.acme?.actions['write.orders']?.map((a) => a.pattern)).toContain('PUT /v1/orders/{id}');
  });

  it('the custom rule under "Writing policies" compiles with the built-in rules and reports its finding', () => {
    const [rule] = readmeBlocks('rego');
    expect(rule).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'sg-readme-rego-'));
    mkdirSync(join(dir, 'custom'));
    writeFileSync(join(dir, 'custom', 'rule.rego'), rule ?? '');
    const run = spawnSync(
      process.execPath,
      ['bin/scopeguard.js', 'check', '--registry', 'scopes', '--policy', join(dir, 'custom'), '--format', 'json', '--now', '2026-11-25'],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const findings = (JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; subject: string }> }).findings;
    expect(findings.filter((f) => f.ruleId === 'CUSTOM001').map((f) => f.subject)).toEqual(['scope:sync.inventory']);
  });
});
