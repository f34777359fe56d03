// Regenerates src/schema/types.ts from every src/schema/*.schema.json (see src/schema/generate.ts).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generateTypes, TYPES_FILE } from '../src/schema/generate.ts';

writeFileSync(TYPES_FILE, await generateTypes());
process.stdout.write(`wrote ${relative(process.cwd(), TYPES_FILE)}\n`);
