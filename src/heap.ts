/**
 * V8's young generation starts at 1 MB per semi-space and doubles at each scavenge up to 16 MB. Building the model of
 * a large registry allocates tens of MB that nearly all survive, so it pays a dozen scavenges on the way, each
 * copying what is alive into fresh pages. Growing 16-fold reaches the maximum at the first scavenge: a cold check of
 * the 1,000-scope benchmark registry took ~40 ms less. For a small registry the fresh pages of that first growth cost
 * more than they save (+22 ms on the example registry), hence only above a size.
 */
import { setFlagsFromString } from 'node:v8';

// YAML text of the registry above which its model is worth the early growth (the benchmark registry is 1.4 MB)
const LARGE_SOURCE_CHARS = 256 * 1024;
// V8's own default (node --v8-options), restored afterwards: the CLI's code cache is only written when the V8 flags
// at exit are those it was compiled under (bin/scopeguard.js)
const DEFAULT_GROWTH_FACTOR = 2;
const EARLY_GROWTH_FACTOR = 16;

/** For work that builds a model from `sourceChars` characters of text: returns the function that undoes it. */
export function growYoungGenerationFor(sourceChars: number): () => void {
  if (sourceChars < LARGE_SOURCE_CHARS) return () => undefined;
  setFlagsFromString(`--semi-space-growth-factor=${EARLY_GROWTH_FACTOR}`);
  return () => setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
}
