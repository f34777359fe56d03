// The README's rule table is generated from the rules' METADATA; a hand edit or a new rule makes it stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentRulesTable, renderRulesTable, withRulesTable } from '../../scripts/rules-doc.ts';
import { readManifest } from '../../src/policy/bundle.ts';

describe('README rule table', () => {
  it('matches policies/dist/manifest.json (run npx tsx scripts/rules-doc.ts when this fails)', () => {
    expect(currentRulesTable(readFileSync('README.md', 'utf8'))).toBe(renderRulesTable(readManifest()));
  });

  it('has one row per rule with the anchor docs links point at', () => {
    const table = renderRulesTable(readManifest());
    expect(table).toContain('| <a id="sg107"></a>SG107 | registry | high | Broad scope held by a public client or by too many clients |');
  });

  it('is inserted between the markers, or under a new Rules heading when there are none', () => {
    expect(withRulesTable('# x\n<!-- rules:start -->\nold\n<!-- rules:end -->\nafter\n', 'T')).toBe('# x\n<!-- rules:start -->\nT\n<!-- rules:end -->\nafter\n');
    expect(withRulesTable('# x\n', 'T')).toBe('# x\n\n## Rules\n\n<!-- rules:start -->\nT\n<!-- rules:end -->\n');
  });
});
