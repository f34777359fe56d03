import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParserName } from '../../src/registry/yaml-source.ts';
import { shape } from './yaml-compare.ts';

const repo = join(import.meta.dirname, '..', '..');

/** Every registry-like YAML file the project holds: the example registry and the test fixtures. */
function repositoryYamlFiles(): string[] {
  return execFileSync('git', ['ls-files', 'scopes/*.yaml', 'scopes/**/*.yaml', 'test/fixtures/**/*.yaml', 'test/fixtures/**/*.yml'], { cwd: repo, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

/** Shapes the fast parsers must place exactly as the yaml library does, and the parser that should take each first. */
const EDGE_CASES: Record<string, [text: string, parser: ParserName]> = {
  'quoted keys and values, block scalars, empty values': [
    [
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
    'plain',
  ],
  'CRLF line ends, comments and several documents, ended by ...': [
    'kind: ClientSet\r\ntenant: acme\r\nclients:\r\n  c1:\r\n    scopes: [a, b]   # why\r\n    note: "x: y"\r\n---\r\nkind: Config\r\nfailOn: high\r\n...\r\n',
    'plain',
  ],
  'empty values in flow and block mappings': ['a: {b: , c: }\nd: [x, {e: }]\n"q k":\nz: 1\nw:   # comment\n  \nv: 1\n', 'plain'],
  'core-schema scalars with block scalars': [
    'k: |+\n  keep\n\nn: >2\n   indented\nz: ~\nt: true\nnum: 0x1F\noct: 0o17\nf: .inf\nneg: -.5e3\nday: 2026-01-15\nbin: 0b11\n',
    'plain',
  ],
  'quoted keys and values, flow collections, empty values, compact mappings': [
    [
      'kind: ScopeSet',
      'tenant: acme',
      'scopes:',
      '  "read.data":',
      "    description: 'it''s \"quoted\" # not a comment'",
      '    sensitivity: high   # trailing comment',
      '  empty.one:',
      '  flow.one: {description: "flow \\"x\\" \\u00e9 \\\\ \\/ \\t", owner: \'team\', list: [a, b], none: {}}',
      '  list.one:',
      "    implies: [a, \"b\", 'c', -1, 2026-01-15, x#y, 'a: b', http://h/x]",
      '    more:',
      '      - x',
      '      -',
      '      - {a: 1}',
      '      - [nested, [deeper], []]',
      '      - key: value',
      '        other:',
      '        again: [1]',
      "      - 'q': 1",
      '      -   spaced: out',
      '          second: line',
      '  same.indent:',
      '  - a',
      '  - b: c',
      '    d: e',
      '  - ',
      '  after: ~',
      '  "": empty key',
      '  ünï.cødé: 😀 text with émoji',
      '  key with spaces :   value with spaces   ',
      '',
    ].join('\n'),
    'block',
  ],
  'CRLF line ends, comments and several documents': [
    '# leading comment\r\n---\r\nkind: ClientSet\r\ntenant: acme\r\nclients:\r\n  c1:\r\n    scopes: [a, b]   # why\r\n    note: "x: y"\r\n    empty:\r\n---   # second\r\n\r\n---\r\n# only a comment\r\n---\r\nkind: Config\r\nfailOn: high\r\n---\r\n',
    'block',
  ],
  'core-schema scalars': [
    'z: ~\nt: true\nT: TRUE\nf: False\nn: null\nN: NULL\nnum: 0x1F\noct: 0o17\ninf: .inf\nnan: .NaN\nneg: -.5e3\nplus: +12\nday: 2026-01-15\nbin: 0b11\nsep: 1_000\nnul: nul\nnulls: nulls\nyes: yes\nzero: -0\nfloat: 0.0\ne: 1e3\nseq: [~, true, 0x1F, .inf, 1_000]\n',
    'block',
  ],
  'a root sequence, indented roots and comments at any indentation': [
    '- a\n-   b: 1\n    c:\n      - d\n# column 0\n      # deeper\n    e: f\n---\n  indented: root\n  more: [x]\n',
    'block',
  ],
};

/**
 * Every parser that takes `text` must read it as the yaml library does. `expected` names the parser that should
 * take it first; the js-yaml path is compared too whenever it takes the text.
 */
function expectSameParse(file: string, text: string, expected: ParserName = 'block'): void {
  const first = parseYamlFile(file, text);
  const plain = parseYamlFile(file, text, 'plain');
  const thorough = parseYamlFile(file, text, 'thorough');
  expect(first.parser, `${file} should be taken by the ${expected} parser`).toBe(expected);
  expect(thorough.problems).toEqual([]);
  const reference = shape(thorough);
  expect(shape(first), `${file} through ${first.parser}`).toEqual(reference);
  if (plain.parser === 'plain') expect(shape(plain), `${file} through js-yaml`).toEqual(reference);
}

describe('the fast YAML parsers and the yaml library agree', () => {
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

  for (const [name, [text, parser]] of Object.entries(EDGE_CASES)) {
    it(`on ${name}`, () => expectSameParse(`${name}.yaml`, text, parser));
  }

  it('leaves anchors, tags, directives and broken YAML to the yaml library, whose messages users see', () => {
    const thoroughOnly = {
      alias: 'a: &x [1]\nb: *x\n',
      tag: 'a: !!str 1\n',
      directive: '%YAML 1.1\n---\na: yes\n',
      duplicate: 'a: 1\na: 2\n',
      malformed: 'a: [PUT /v1/orders/{id}]\n',
    };
    for (const [name, text] of Object.entries(thoroughOnly)) {
      expect(parseYamlFile(`${name}.yaml`, text).parser, name).toBe('thorough');
      expect(parseYamlFile(`${name}.yaml`, text, 'plain').parser, name).toBe('thorough');
    }
    // the directive is honoured: YAML 1.1 reads `yes` as true
    expect(parseYamlFile('directive.yaml', thoroughOnly.directive).documents[0]!.value).toEqual({ a: true });
    expect(parseYamlFile('duplicate.yaml', thoroughOnly.duplicate).problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual(['2:1 duplicate key "a"']);
  });
});
