/**
 * Compiles every `src/schema/*.schema.json` into one TypeScript module of types and one module of ajv validators.
 * Shared by `npm run gen:types` and the test that fails when a committed output is stale, so both produce
 * byte-identical output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

export const SCHEMA_DIR = new URL('.', import.meta.url).pathname;
export const TYPES_FILE = join(SCHEMA_DIR, 'types.ts');
export const VALIDATORS_FILE = join(SCHEMA_DIR, 'validators.js');
export const VALIDATOR_TYPES_FILE = join(SCHEMA_DIR, 'validators.d.ts');

/** The options every registry validator is built with; error messages in schema-check.ts rely on `verbose`. */
const REGISTRY_AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;

// ajv's and ajv-formats' CommonJS default exports arrive as the module object in some toolchains
type FormatsPlugin = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats = ((addFormatsPlugin as unknown as { default?: FormatsPlugin }).default ?? addFormatsPlugin) as FormatsPlugin;
type StandaloneCode = (ajv: Ajv, refs: Record<string, string>) => string;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: StandaloneCode }).default ?? standaloneCodeModule) as StandaloneCode;

const BANNER = `/* eslint-disable */
/**
 * generated, do not edit: produced by \`npm run gen:types\` (scripts/gen-types.ts) from src/schema/*.schema.json.
 * Change the schemas and regenerate instead.
 */
`;

function schemaFiles(schemaDir: string): string[] {
  // sorted so the output does not depend on directory order
  return readdirSync(schemaDir).filter((name) => name.endsWith('.schema.json')).sort();
}

/**
 * Registry document validators as standalone code (ajv's "standalone" mode): compiling five schemas at every start
 * of the CLI costs more than validating a thousand clients does. One export per document kind (schemas whose
 * documents carry `kind`), named by the schema's title.
 */
export function generateValidators(schemaDir: string = SCHEMA_DIR): { code: string; types: string } {
  const ajv = new Ajv({ ...REGISTRY_AJV_OPTIONS, code: { source: true, esm: true } });
  addFormats(ajv, ['date']);
  const exports: Record<string, string> = {};
  for (const file of schemaFiles(schemaDir)) {
    const schema = JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as { $id: string; title: string; required?: string[] };
    if (!schema.required?.includes('kind')) continue;
    ajv.addSchema(schema);
    exports[schema.title] = schema.$id;
  }
  // the standalone code require()s ajv's runtime helpers; as static imports they are bundled like any other module
  const specifiers: string[] = [];
  const body = standaloneCode(ajv, exports)
    .replace(/^"use strict";/, '')
    .replace(/require\("([^"]+)"\)/g, (_match, specifier: string) => {
      if (!specifiers.includes(specifier)) specifiers.push(specifier);
      return `runtime${specifiers.indexOf(specifier)}`;
    });
  // these helpers are CommonJS: Node hands an ES module their module.exports as `default`, bundlers may hand over
  // their `exports.default`; `moduleExports` is module.exports either way
  const imports = specifiers
    .map((specifier, i) => `import * as runtime${i}Module from '${specifier}.js';\nconst runtime${i} = moduleExports(runtime${i}Module);\n`)
    .join('');
  const interop = specifiers.length === 0 ? '' : 'function moduleExports(ns) { return ns.default !== null && typeof ns.default === "object" ? ns.default : ns; }\n';
  const code = `${BANNER}${imports}${interop}${body}\n`;
  const types = `${BANNER}import type { ErrorObject } from 'ajv';\n\nexport type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };\n${Object.keys(exports)
    .map((name) => `export declare const ${name}: CompiledValidator;\n`)
    .join('')}`;
  return { code, types };
}

export async function generateTypes(schemaDir: string = SCHEMA_DIR): Promise<string> {
  const files = schemaFiles(schemaDir);
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
