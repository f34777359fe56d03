// Regenerates src/schema/types.ts and the registry validators from every src/schema/*.schema.json
// (see src/schema/generate.ts).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generateTypes, generateValidators, TYPES_FILE, VALIDATOR_TYPES_FILE, VALIDATORS_FILE } from '../src/schema/generate.ts';

const validators = generateValidators();
const outputs: Array<[string, string]> = [
  [TYPES_FILE, await generateTypes()],
  [VALIDATORS_FILE, validators.code],
  [VALIDATOR_TYPES_FILE, validators.types],
];
for (const [file, content] of outputs) {
  writeFileSync(file, content);
  process.stdout.write(`wrote ${relative(process.cwd(), file)}\n`);
}
