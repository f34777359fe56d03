/** The diff as Markdown: verdict first, then one table row per change; every text from YAML or git is escaped. */
import type { RegistryDiff } from '../diff/types.ts';
import { escapeMarkdown, markdownCode } from './escape.ts';
import { changeLocation, revisionLabel } from './diff-common.ts';

export function formatDiffMarkdown(diff: RegistryDiff): string {
  const verdict = `**Scope registry change: ${diff.classification}** (${escapeMarkdown(revisionLabel(diff, 'base'))} → ${escapeMarkdown(revisionLabel(diff, 'head'))})`;
  if (diff.changes.length === 0) return `${verdict}\n\nNo semantic changes.\n`;
  const rows = diff.changes.map(
    (c) => `| ${markdownCode(c.tenant)} | ${markdownCode(c.subject)} | ${escapeMarkdown(c.detail)} | ${c.classification} | ${c.location ? markdownCode(changeLocation(c.location)) : ''} |`,
  );
  return `${verdict}\n\n| Tenant | Subject | Change | Classification | Location |\n|---|---|---|---|---|\n${rows.join('\n')}\n`;
}
