/** The RegistryDiff itself, for machines. */
import type { RegistryDiff } from '../diff/types.ts';
import { jsonOutput } from './escape.ts';

export function formatDiffJson(diff: RegistryDiff): string {
  return `${jsonOutput(diff, 2)}\n`;
}
