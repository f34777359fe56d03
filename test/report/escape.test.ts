// Untrusted text in Markdown, checked the way a reader meets it: parsed by a CommonMark parser with GFM tables and
// raw HTML allowed (as GitHub parses it before sanitising), so anything that escapes its code span or cell shows up.
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, markdownCode } from '../../src/report/escape.ts';

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
