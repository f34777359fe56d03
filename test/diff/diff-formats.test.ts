import { describe, expect, it } from 'vitest';
import { formatDiffJson } from '../../src/report/diff-json.ts';
import { formatDiffMarkdown } from '../../src/report/diff-markdown.ts';
import { formatDiffText } from '../../src/report/diff-text.ts';
import { summarise } from '../../src/diff/diff.ts';
import type { RegistryDiff } from '../../src/diff/types.ts';

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

  it('says a location is at base, as check does: (at <commit>) in text and Markdown, revision in JSON', () => {
    const base = 'b'.repeat(40);
    const removed = summarise(
      [
        { tenant: 'acme', subject: 'scope:old', kind: 'scope.removed', classification: 'breaking', detail: 'scope removed', location: { file: 'scopes/acme/a.yaml', line: 9, column: 3, revision: base } },
        { tenant: 'acme', subject: 'client:app/scope:old', kind: 'client.scope-revoked', classification: 'breaking', detail: 'revoked old', location: { file: 'scopes/acme/c.yaml', line: 4, column: 3 } },
      ],
      { base: { ref: 'HEAD~1', commit: base }, head: { ref: 'worktree' } },
    );
    const text = formatDiffText(removed);
    expect(text).toMatch(/scope:old\s+scope removed\s+breaking\s+scopes\/acme\/a\.yaml:9 \(at bbbbbbbbbbbb\)\n/);
    expect(text).toMatch(/revoked old\s+breaking\s+scopes\/acme\/c\.yaml:4\n/);
    const markdown = formatDiffMarkdown(removed);
    expect(markdown).toContain('| `acme` | `scope:old` | scope removed | breaking | `scopes/acme/a.yaml:9 (at bbbbbbbbbbbb)` |');
    expect(markdown).toContain('| `acme` | `client:app/scope:old` | revoked old | breaking | `scopes/acme/c.yaml:4` |');
    const json = JSON.parse(formatDiffJson(removed)) as RegistryDiff;
    expect(json.changes.map((c) => c.location?.revision)).toEqual([base, undefined]);
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
