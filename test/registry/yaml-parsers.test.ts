import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParsedFile } from '../../src/registry/yaml-source.ts';

const repo = join(import.meta.dirname, '..', '..');

/** Every registry-like YAML file the project holds: the example registry and the test fixtures. */
function repositoryYamlFiles(): string[] {
  return execFileSync('git', ['ls-files', 'scopes/*.yaml', 'scopes/**/*.yaml', 'test/fixtures/**/*.yaml', 'test/fixtures/**/*.yml'], { cwd: repo, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

/** Shapes the fast parser must place exactly as the yaml library does. */
const EDGE_CASES: Record<string, string> = {
  'quoted keys and values, block scalars, empty values': [
    'kind: ScopeSet',
    'tenant: acme',
    'scopes:',
    '  "read.data":',
    '    description: |',
    '      Multi',
    '      line',
    '    sensitivity: high',
    '  read.folded:',
    '    description: >-',
    '      folded',
    '  empty.one:',
    "  flow.one: {description: \"flow\", owner: 'team'}",
    '  list.one:',
    "    implies: [a, \"b\", 'c']",
    '    more:',
    '      - x',
    '      -',
    '      - {a: 1}',
    '',
  ].join('\n'),
  'CRLF line ends, comments and several documents': 'kind: ClientSet\r\ntenant: acme\r\nclients:\r\n  c1:\r\n    scopes: [a, b]   # why\r\n    note: "x: y"\r\n---\r\nkind: Config\r\nfailOn: high\r\n...\r\n',
  'empty values in flow and block mappings': 'a: {b: , c: }\nd: [x, {e: }]\n"q k":\nz: 1\nw:   # comment\n  \nv: 1\n',
  'core-schema scalars': 'k: |+\n  keep\n\nn: >2\n   indented\nz: ~\nt: true\nnum: 0x1F\noct: 0o17\nf: .inf\nneg: -.5e3\nday: 2026-01-15\nbin: 0b11\n',
};

function positions(parsed: ParsedFile, documentIndex: number, value: unknown): string[] {
  const document = parsed.documents[documentIndex]!;
  const found: string[] = [];
  const walk = (node: unknown, path: Array<string | number>): void => {
    for (const prefer of ['key', 'value'] as const) {
      const { line, column } = document.at(path, prefer);
      found.push(`${JSON.stringify(path)} ${prefer} ${line}:${column}`);
    }
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, [...path, i]));
    else if (node !== null && typeof node === 'object') for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
  };
  walk(value, []);
  const missing = document.at([...Object.keys(value ?? {}).slice(0, 1), 'no-such-key', 'deeper']);
  found.push(`missing ${missing.line}:${missing.column}`);
  return found;
}

function expectSameParse(file: string, text: string): void {
  const fast = parseYamlFile(file, text);
  const thorough = parseYamlFile(file, text, 'thorough');
  expect(fast.parser, `${file} should take the fast path`).toBe('plain');
  expect(thorough.problems).toEqual([]);
  expect(fast.documents.map((d) => d.value)).toEqual(thorough.documents.map((d) => d.value));
  fast.documents.forEach((document, i) => {
    // an empty document has no node to point at; the loader skips it before asking for positions
    if (document.value === null) return;
    expect(positions(fast, i, document.value), `${file} document ${i + 1}`).toEqual(positions(thorough, i, document.value));
  });
}

describe('the fast YAML path and the yaml library agree', () => {
  it('on every value and every position of the example registry and the valid fixtures', () => {
    let compared = 0;
    for (const file of repositoryYamlFiles()) {
      const text = readFileSync(join(repo, file), 'utf8');
      if (parseYamlFile(file, text, 'thorough').problems.length > 0) continue; // broken on purpose: see below
      expectSameParse(file, text);
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });

  for (const [name, text] of Object.entries(EDGE_CASES)) {
    it(`on ${name}`, () => expectSameParse(`${name}.yaml`, text));
  }

  it('leaves anchors, tags, directives and broken YAML to the yaml library, whose messages users see', () => {
    const thoroughOnly = {
      alias: 'a: &x [1]\nb: *x\n',
      tag: 'a: !!str 1\n',
      directive: '%YAML 1.1\n---\na: yes\n',
      duplicate: 'a: 1\na: 2\n',
      malformed: 'a: [PUT /v1/orders/{id}]\n',
    };
    for (const [name, text] of Object.entries(thoroughOnly)) expect(parseYamlFile(`${name}.yaml`, text).parser, name).toBe('thorough');
    // the directive is honoured: YAML 1.1 reads `yes` as true
    expect(parseYamlFile('directive.yaml', thoroughOnly.directive).documents[0]!.value).toEqual({ a: true });
    expect(parseYamlFile('duplicate.yaml', thoroughOnly.duplicate).problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual(['2:1 duplicate key "a"']);
  });
});
