/**
 * How a RegistryDiff is written out: one pure function per format, each in its own file, and this one map, so
 * `--format` choices come from its keys and adding a format is one file and one entry.
 */
import type { DiffFormatter } from './diff-common.ts';
import { formatDiffJson } from './diff-json.ts';
import { formatDiffMarkdown } from './diff-markdown.ts';
import { formatDiffText } from './diff-text.ts';

export type { DiffFormatter };

export const DIFF_FORMATTERS = {
  text: formatDiffText,
  json: formatDiffJson,
  markdown: formatDiffMarkdown,
} satisfies Record<string, DiffFormatter>;

export type DiffFormat = keyof typeof DIFF_FORMATTERS;
