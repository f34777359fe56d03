/**
 * Compiles every `src/schema/*.schema.json` into one TypeScript module. Shared by `npm run gen:types` and the test
 * that fails when the committed `types.ts` is stale, so both produce byte-identical output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

export const SCHEMA_DIR = new URL('.', import.meta.url).pathname;
export const TYPES_FILE = join(SCHEMA_DIR, 'types.ts');

const BANNER = `/* eslint-disable */
/**
 * generated, do not edit: produced by \`npm run gen:types\` (scripts/gen-types.ts) from src/schema/*.schema.json.
 * Change the schemas and regenerate instead.
 */
`;

export async function generateTypes(schemaDir: string = SCHEMA_DIR): Promise<string> {
  // sorted so the output does not depend on directory order
  const files = readdirSync(schemaDir).filter((name) => name.endsWith('.schema.json')).sort();
  const parts: string[] = [];
  for (const file of files) {
    const schema = JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as JSONSchema;
    const { $id: _id, ...withoutId } = schema;
    const source = await compile(withoutId, String(schema.title ?? file), {
      bannerComment: '',
      additionalProperties: false,
      cwd: schemaDir,
      format: true,
      style: { singleQuote: true, printWidth: 120 },
    });
    parts.push(`// from ${file}\n${source.trim()}\n`);
  }
  return `${BANNER}\n${parts.join('\n')}`;
}
