import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParsedFile } from '../../src/registry/yaml-source.ts';
import { shape } from './yaml-compare.ts';
// seeded, so a failure reproduces from its seed
import { mulberry32 as rng } from '../../scripts/prng.ts';

const pick = <T,>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const randomKey = (random: () => number): string => pick(random, random() < 0.1 ? ODD_KEYS : KEYS);
const randomScalar = (random: () => number): string => pick(random, random() < 0.1 ? ODD_SCALARS : SCALARS);

// mostly what registries hold, with the odd key or scalar each parser reads its own way (one refuses a whole file)
const KEYS = ['kind', 'tenant', 'read.data', 'write.orders', 'area3.op31', 'client-7', 'x', 'a b', 'ünï', 'owner', 'scopes'];
const ODD_KEYS = ['-lead', 'a#b', 'a:b', '"quoted key"', "'single'", '"a: b"', 'true', '1', 'null', '<<', '__proto__', 'k!', 'k&', 'k*', 'a[0]', '"\\u00e9"', "''"];
const SCALARS = ['ScopeSet', 'team-orders', 'Read customer data records', 'GET /v1/data/**', '2026-01-15', '12', 'true', 'null', '[a, b, c]', '[]', 'x#y', '"quoted"', "'single'"];
const ODD_SCALARS = [
  'a: b',
  'x #not',
  'x#y',
  'http://host/x',
  '2026-01-15',
  '12',
  '-3',
  '+4',
  '0x1F',
  '0o17',
  '1e3',
  '-.5e3',
  '.inf',
  '.NaN',
  '~',
  'null',
  'Null',
  'true',
  'FALSE',
  'yes',
  'nulls',
  '1_000',
  '-0',
  "'it''s'",
  '"dq \\" \\\\ \\n \\t \\u00e9 \\x41 \\/"',
  '"\\e escape"',
  '"\\ud83d"',
  "''",
  '""',
  'émoji 😀 text',
  '[a, b, c]',
  '[]',
  '{}',
  '[GET /v1/data/**, "PUT /v1/orders/{id}"]',
  '{a: 1, b: [x, y]}',
  '{severity: low}',
  '[a, [b, [c]]]',
  '[a:b, c]',
  "['q', \"d\"]",
  '|',
  '>',
  '&anchor x',
  '*alias',
  '!!str 1',
  '? x',
  '@at',
  '`tick',
  '%pct',
  '-',
  '- x',
];

/** A random registry-like document: nested block mappings and sequences, compact mappings, flows, comments. */
function randomDocument(random: () => number): string {
  const lines: string[] = [];
  const comment = (): string => (random() < 0.15 ? `  # ${pick(random, ['note', 'why: here', '#', "it's"])}` : '');
  const block = (indent: number, depth: number): void => {
    const entries = 1 + Math.floor(random() * 4);
    const asSequence = depth > 0 && random() < 0.3;
    const pad = ' '.repeat(indent);
    for (let e = 0; e < entries; e++) {
      if (random() < 0.08) lines.push(`${' '.repeat(Math.floor(random() * 8))}# comment line`);
      if (random() < 0.05) lines.push('');
      const nested = depth < 4 && random() < 0.3;
      if (asSequence) {
        if (random() < 0.3) {
          // a compact mapping: more keys line up after the dash
          const keys = [...new Set([randomKey(random), randomKey(random)])];
          const spaces = 1 + Math.floor(random() * 3);
          keys.forEach((key, k) => lines.push(`${k === 0 ? `${pad}-${' '.repeat(spaces)}` : ' '.repeat(indent + 1 + spaces)}${key}: ${randomScalar(random)}${comment()}`));
        } else if (nested) {
          lines.push(`${pad}-${comment()}`);
          block(indent + 2, depth + 1);
        } else {
          lines.push(`${pad}- ${random() < 0.1 ? '' : randomScalar(random)}${comment()}`);
        }
        continue;
      }
      const key = randomKey(random);
      if (nested) {
        lines.push(`${pad}${key}:${comment()}`);
        // a sequence may sit at its key's indentation
        block(random() < 0.2 ? indent : indent + 1 + Math.floor(random() * 4), depth + 1);
      } else {
        lines.push(`${pad}${key}:${random() < 0.1 ? '' : ` ${randomScalar(random)}`}${comment()}`);
      }
    }
  };
  block(0, 0);
  return lines.join('\n');
}

/** Several documents, mostly block style registry text. */
function randomText(random: () => number): string {
  const documents = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomDocument(random));
  const separator = pick(random, ['\n---\n', '\n---  # next\n', '\n\n---\n\n']);
  return `${random() < 0.2 ? '---\n' : ''}${documents.join(separator)}${random() < 0.8 ? '\n' : ''}`;
}

const INSERTIONS = ["'", '"', ':', ': ', ' #', '#', '\t', '- ', '-', '[', ']', '{', '}', ',', 'é', '😀', '\r\n', '\r', ' ', '  ', '\n', '&', '*', '!', '|', '>', '?', '%', '\\', '\n---\n', '\n...\n', '@', '\ufeff', '\u2028', '\u0085', '\u0000', '~', '\n  ', '\n- '];

/** A small random edit: an inserted indicator, a deleted character, a line indented, dedented or repeated, CRLF, trailing blanks. */
function mutate(random: () => number, text: string): string {
  const at = Math.floor(random() * (text.length + 1));
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  switch (Math.floor(random() * 7)) {
    case 6: {
      // a line said twice: often a duplicate key
      const lineEnd = text.indexOf('\n', at);
      const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
      return `${text.slice(0, lineStart)}${line}\n${text.slice(lineStart)}`;
    }
    case 0:
    case 1:
      return text.slice(0, at) + pick(random, INSERTIONS) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + 1);
    case 3:
      return text.slice(0, lineStart) + pick(random, [' ', '  ', '\t', '   ']) + text.slice(lineStart);
    case 4:
      return text.slice(0, lineStart) + text.slice(lineStart).replace(/^ {1,2}/, '');
    default:
      return random() < 0.5 ? text.replace(/\n/g, '\r\n') : text.replace(/\n/g, pick(random, ['  \n', ' # t\n', '\n\n']));
  }
}

interface Tally {
  texts: number;
  taken: number;
  refused: number;
  broken: number;
}

/** Whenever the block parser takes a text, the yaml library reads it without problems and to the same values and positions. */
function checkAgainstThorough(name: string, text: string, tally: Tally): void {
  tally.texts++;
  const thorough = parseYamlFile(name, text, 'thorough');
  if (thorough.problems.length > 0) tally.broken++;
  const first: ParsedFile = parseYamlFile(name, text);
  if (first.parser !== 'block') {
    tally.refused++;
    return;
  }
  tally.taken++;
  const context = `${name}: ${JSON.stringify(text)}`;
  expect(thorough.problems, `the block parser took a text the yaml library rejects, ${context}`).toEqual([]);
  const expected = shape(thorough);
  const actual = shape(first);
  // isDeepStrictEqual first (fast, tells -0 from 0); expect only to print the difference
  if (!isDeepStrictEqual(actual, expected)) expect(actual, context).toEqual(expected);
}

const RUNS = Number(process.env.SG_YAML_FUZZ_RUNS ?? 1500);

describe('the block parser, on random registry-like text and random edits of it', () => {
  it(`takes only what it reads exactly as the yaml library does (${RUNS} seeds, 4 edits each)`, () => {
    const tally: Tally = { texts: 0, taken: 0, refused: 0, broken: 0 };
    for (let seed = 1; seed <= RUNS; seed++) {
      const random = rng(seed);
      let text = randomText(random);
      checkAgainstThorough(`seed ${seed}`, text, tally);
      for (let edit = 1; edit <= 4; edit++) {
        text = mutate(random, text);
        checkAgainstThorough(`seed ${seed} edit ${edit}`, text, tally);
      }
    }
    if (process.env.SG_YAML_FUZZ_TALLY) process.stdout.write(`${JSON.stringify(tally)}\n`);
    // not vacuous: it takes a good share, refuses a good share, and meets broken YAML
    expect(tally.taken / tally.texts).toBeGreaterThan(0.1);
    expect(tally.refused / tally.texts).toBeGreaterThan(0.1);
    expect(tally.broken).toBeGreaterThan(RUNS / 10);
  });
});

describe('the block parser refuses what lies outside its subset', () => {
  const outside: Record<string, string> = {
    'a tab in the indentation': 'a:\n\tb: 1\n',
    'a tab after a value': 'a: b\t\n',
    'a block scalar': 'a: |\n  text\n',
    'a folded scalar': 'a: >\n  text\n',
    'a multi-line plain scalar': 'a: one\n  two\n',
    'a multi-line quoted scalar': 'a: "one\n  two"\n',
    'a multi-line flow sequence': 'a: [one,\n  two]\n',
    'an anchor and an alias': 'a: &x 1\nb: *x\n',
    'a tag': 'a: !!str 1\n',
    'a directive': '%YAML 1.2\n---\na: 1\n',
    'a complex key': '? a\n: b\n',
    'a document end marker': 'a: 1\n...\n',
    'a duplicate key': 'a: 1\na: 2\n',
    'a duplicate key in a flow mapping': 'a: {b: 1, b: 2}\n',
    'a key that is not text': '1: a\n',
    'a merge key': '<<: {a: 1}\n',
    'an unknown escape': 'a: "\\e"\n',
    'a surrogate escape': 'a: "\\ud83d\\ude00"\n',
    'an empty value in a flow mapping': 'a: {b: }\n',
    'a trailing comma': 'a: [x, ]\n',
    'a pair in a flow sequence': 'a: [b: c]\n',
    'odd indentation': 'a:\n    b: 1\n  c: 2\n',
    'a nested compact sequence': '- - a\n',
    'a value after a document marker': '--- a\n',
    'a byte-order mark': '\ufeffa: 1\n',
    'a lone carriage return': 'a: 1\rb: 2\n',
    'a scalar root': 'just text\n',
    'a mapping inside a value': 'a: b: c\n',
    'nesting deeper than registries use': Array.from({ length: 40 }, (_, depth) => `${'  '.repeat(depth)}a:`).join('\n'),
    'flow nesting deeper than registries use': `a: ${'['.repeat(10)}x${']'.repeat(10)}\n`,
  };
  for (const [name, text] of Object.entries(outside)) {
    it(name, () => expect(parseYamlFile('f.yaml', text).parser).not.toBe('block'));
  }
});
