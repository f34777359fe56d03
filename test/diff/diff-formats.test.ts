import { describe, expect, it } from 'vitest';
import { formatDiffMarkdown } from '../../src/report/diff-markdown.ts';
import { formatDiffText } from '../../src/report/diff-text.ts';
import { summarise } from '../../src/diff/diff.ts';

const hostile = summarise(
  [
    {
      tenant: 'acme',
      subject: 'exception:SG105/client:x|y/scope:<b>',
      kind: 'exception.added',
      classification: 'widening',
      after: '2027-01-01',
      detail: 'exception for SG105 on [click](https://evil.example) @admin #12 <img src=x>\nnext row',
      location: { file: 'scopes/a|b.yaml', line: 3, column: 5 },
    },
  ],
  { base: { ref: 'main', commit: 'a'.repeat(40) }, head: { ref: 'feature/<x>' } },
);

describe('diff formats', () => {
  it('escapes everything from YAML and git in Markdown: one row, no link, no mention, no HTML', () => {
    const markdown = formatDiffMarkdown(hostile);
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `acme`'));
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).not.toContain('<img');
    expect(row).not.toContain('](https://');
    expect(row).not.toMatch(/@admin/);
    expect(row.split(/(?<!\\)\|/).length).toBe(7);
    expect(markdown.split('\n')[0]).toBe('**Scope registry change: widening** (main \\(aaaaaaaaaaaa\\) → feature/&lt;x&gt;)');
  });

  it('aligns the text table and counts the changes', () => {
    const text = formatDiffText(hostile);
    expect(text.split('\n')[0]).toBe('main (aaaaaaaaaaaa) → feature/<x>: widening');
    expect(text).toContain('1 changes: 0 breaking, 1 widening, 0 narrowing, 0 neutral');
    // the newline inside the detail does not start a row of its own
    expect(text.split('\n').filter((line) => line.startsWith('acme'))).toHaveLength(1);
    expect(text).toContain('<img src=x> next row');
  });
});
