/** The RegistryDiff itself, for machines. */
import type { RegistryDiff } from '../diff/types.ts';

export function formatDiffJson(diff: RegistryDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
