// Renders the README's rule table from policies/dist/manifest.json (the rules' # METADATA) between
// <!-- rules:start --> and <!-- rules:end -->. Run by npm run policy:build; test/policy/rules-doc.test.ts fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest, type PolicyManifest } from '../src/policy/bundle.ts';
import { packageRoot } from '../src/policy/opa-cli.ts';

export const START = '<!-- rules:start -->';
export const END = '<!-- rules:end -->';

const cell = (text: string): string => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** One row per rule; the id cell carries the anchor that docs links and SARIF helpUri point at. */
export function renderRulesTable(manifest: PolicyManifest): string {
  const rows = manifest.rules.map(
    (rule) => `| <a id="${rule.id.toLowerCase()}"></a>${rule.id} | ${rule.mode} | ${rule.severity} | ${cell(rule.title)} | ${cell(rule.description)} |`,
  );
  return ['| Rule | Mode | Severity | Title | Description |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The README with the table between the markers replaced (markers are added under a "## Rules" heading if absent). */
export function withRulesTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    return `${readme.trimEnd()}\n\n## Rules\n\n${START}\n${table}\n${END}\n`;
  }
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

/** The table currently between the markers, or undefined when there are no markers. */
export function currentRulesTable(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  return start === -1 || end === -1 ? undefined : readme.slice(start + START.length, end).trim();
}

export function updateReadme(): string {
  const path = join(packageRoot(), 'README.md');
  let readme = '# scopeguard\n';
  try {
    readme = readFileSync(path, 'utf8');
  } catch {
    // no README yet: start a minimal one around the markers
  }
  writeFileSync(path, withRulesTable(readme, renderRulesTable(readManifest())));
  return path;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`rules table written to ${updateReadme()}\n`);
}
