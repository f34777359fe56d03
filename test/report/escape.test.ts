// Untrusted text in Markdown, checked the way a reader meets it: parsed by a CommonMark parser with GFM tables and
// raw HTML allowed (as GitHub parses it before sanitising), so anything that escapes its code span or cell shows up.
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, escapeTerminal, markdownCode } from '../../src/report/escape.ts';
import { escapeData, escapeProperty } from '../../src/report/github.ts';
import { formatMarkdownProblems } from '../../src/report/markdown.ts';

const md = new MarkdownIt({ html: true });

const HOSTILE = [
  '``<img src=x onerror=alert(1)>``',
  '`<script>alert(1)</script>',
  'trailing backtick`',
  'x```y`z',
  '\\`not an escape',
  'a|b|c',
  '<b>bold</b> **strong** [link](javascript:alert(1))',
  'two\nlines',
];

/** The inline tokens of a document, flattened. */
function inlineTokens(markdown: string): Token[] {
  return md.parse(markdown, {}).flatMap((token) => token.children ?? []);
}

describe('markdownCode', () => {
  it('keeps untrusted text inside one code span, shown as it is, in a table cell', () => {
    for (const text of HOSTILE) {
      const markdown = `| subject | message |\n|---|---|\n| ${markdownCode(text)} | ${escapeMarkdown('after')} |\n`;
      const tokens = md.parse(markdown, {});
      const cells = tokens.filter((token) => token.type === 'td_open');
      expect(cells, text).toHaveLength(2);
      const inline = tokens.flatMap((token) => token.children ?? []);
      expect(inline.filter((token) => token.type === 'html_inline'), text).toEqual([]);
      expect(inline.filter((token) => token.type === 'code_inline').map((token) => token.content), text).toEqual([text.replace(/\n/g, ' ')]);
    }
  });

  it('does the same in a heading, a list item and a line, where pipes need no backslash', () => {
    for (const text of HOSTILE) {
      const code = markdownCode(text, { table: false });
      for (const markdown of [`### high SG306 ${code}\n`, `- high SG306 ${code}: message\n`, `Sample events: ${code}, ${code}\n`]) {
        const inline = inlineTokens(markdown);
        expect(inline.filter((token) => token.type === 'html_inline'), `${text} in ${markdown}`).toEqual([]);
        const spans = inline.filter((token) => token.type === 'code_inline').map((token) => token.content);
        expect(spans.length, markdown).toBeGreaterThan(0);
        for (const span of spans) expect(span, markdown).toBe(text.replace(/\n/g, ' '));
      }
    }
  });
});

describe('escapeMarkdown', () => {
  it('renders untrusted text as the same text, no HTML, link or emphasis', () => {
    for (const text of HOSTILE) {
      const inline = inlineTokens(`${escapeMarkdown(text)}\n`);
      expect(inline.map((token) => token.type), text).not.toContain('html_inline');
      expect(inline.map((token) => token.type), text).not.toContain('link_open');
      expect(inline.map((token) => token.type), text).not.toContain('strong_open');
    }
  });
});

describe('the Markdown of a registry that does not load', () => {
  it('keeps hostile file names, messages and hints in their cells: no HTML, no link, one row per problem', () => {
    const problems = HOSTILE.map((text, i) => ({ file: `scopes/${text}.yaml`, line: i + 1, column: 1, code: 'schema', message: `bad ${text}`, hint: text }));
    const markdown = formatMarkdownProblems({ error: `${problems.length} problems in the registry`, hint: HOSTILE[0]!, problems }, { color: false, version: 'test' });
    const tokens = md.parse(markdown, {});
    expect(tokens.filter((token) => token.type === 'tr_open')).toHaveLength(problems.length + 1);
    const inline = tokens.flatMap((token) => token.children ?? []);
    expect(inline.filter((token) => token.type === 'html_inline')).toEqual([]);
    expect(inline.filter((token) => token.type === 'link_open')).toEqual([]);
    expect(inline.filter((token) => token.type === 'code_inline').map((token) => token.content)).toEqual(
      problems.map((p) => `${p.file}:${p.line}:${p.column}`.replace(/\n/g, ' ')),
    );
  });
});

describe('characters that act rather than show', () => {
  // an ANSI escape, a bell, a right-to-left override that would show "admin.read" as "daer.nimda"-style spoofing,
  // isolates, and the invisible marks (LRM, RLM, ALM) that move punctuation and digits beside them
  const ACTING = ['\u001b[31mred\u001b[0m', 'ring\u0007', 'admin\u202eread', 'x\u2066y\u2069', 'a\u200e.b\u200f.c\u061c', 'embed\u202a\u202b\u202c\u202d', 'fsi\u2068'];
  const ACTING_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
  // text in any script is text: accents, CJK, Hebrew and Arabic letters, emoji
  const LEGITIMATE = ['read.café', '日本語の説明', 'קריאה', 'قراءة', 'naïve 🚀'];

  it('become U+FFFD in Markdown, code spans, HTML, terminal text and workflow annotations, so a reader sees something was there', () => {
    for (const text of ACTING) {
      for (const escaped of [escapeMarkdown(text), markdownCode(text), escapeHtml(text), escapeTerminal(text), escapeData(text), escapeProperty(text)]) {
        expect(escaped, JSON.stringify(text)).not.toMatch(ACTING_CHARACTER);
        expect(escaped).toContain('\uFFFD');
      }
      // a table cell may ask for a space instead; the character still does not act
      expect(escapeTerminal(text, ' '), JSON.stringify(text)).not.toMatch(ACTING_CHARACTER);
    }
    // line breaks in a description still read as spaces, tabs stay
    expect(escapeMarkdown('a\tb\nc')).toBe('a\tb c');
  });

  it('leave text in any script as it is', () => {
    for (const text of LEGITIMATE) {
      expect(escapeTerminal(text)).toBe(text);
      expect(escapeData(text)).toBe(text);
      expect(escapeHtml(text)).toBe(text);
      expect(markdownCode(text)).toBe(`\`${text}\``);
    }
  });

  it('on a terminal, a line break cannot start a line of its own; in an annotation it is GitHub\'s escape, as specified', () => {
    expect(escapeTerminal('read.x\nscopes/evil.yaml:1:1  forged\r')).toBe('read.x\uFFFDscopes/evil.yaml:1:1  forged\uFFFD');
    expect(escapeData('100% \u202eoff\r\nnext')).toBe('100%25 \uFFFDoff%0D%0Anext');
    expect(escapeProperty('scopes/a,b:c\u001b.yaml')).toBe('scopes/a%2Cb%3Ac\uFFFD.yaml');
  });
});
