// The README's YAML examples are what users copy first: they must load as a valid registry.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectRegistryProblems } from '../src/registry/load.ts';

function readmeYamlBlocks(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

describe('README examples', () => {
  it('the registry and Config examples form a valid registry together', () => {
    const blocks = readmeYamlBlocks().filter((b) => /^kind: /m.test(b));
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
});
