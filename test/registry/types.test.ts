import { mkdtempSync, readFileSync, copyFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTypes, generateValidators, SCHEMA_DIR, TYPES_FILE, VALIDATOR_TYPES_FILE, VALIDATORS_FILE } from '../../src/schema/generate.ts';
import { TENANT_NAME_MAX_LENGTH, TENANT_NAME_PATTERN } from '../../src/registry/schema-check.ts';

describe('generated types', () => {
  it('src/schema/types.ts is up to date with the schemas (run `npm run gen:types` if this fails)', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await generateTypes());
  });

  it('src/schema/validators.js is up to date with the schemas (run `npm run gen:types` if this fails)', () => {
    const { code, types } = generateValidators();
    expect(readFileSync(VALIDATORS_FILE, 'utf8')).toBe(code);
    expect(readFileSync(VALIDATOR_TYPES_FILE, 'utf8')).toBe(types);
  });

  it('picks up every *.schema.json, so a new schema needs no change to the generator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-schema-'));
    for (const file of readdirSync(SCHEMA_DIR).filter((name) => name.endsWith('.schema.json'))) copyFileSync(join(SCHEMA_DIR, file), join(dir, file));
    writeFileSync(
      join(dir, 'zz-extra.schema.json'),
      JSON.stringify({ title: 'ExtraThing', type: 'object', additionalProperties: false, properties: { n: { type: 'integer', description: 'a number' } } }),
    );
    const source = await generateTypes(dir);
    expect(source).toContain('export interface ExtraThing');
    expect(source).toContain('export interface ScopeSet');
    expect(source.startsWith('/* eslint-disable */\n/**\n * generated, do not edit')).toBe(true);
  });

  it('names tenants with one pattern and one length everywhere, the ones the tenant-name hint and --tenant use', () => {
    const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8'));
    const patterns = [
      ...['scope-set', 'client-set', 'action-map', 'exception-set'].map((name) => schema(name).properties.tenant.pattern),
      schema('config').properties.sources.propertyNames.pattern,
    ];
    expect(patterns).toEqual(Array(5).fill(TENANT_NAME_PATTERN));
    const lengths = [
      ...['scope-set', 'client-set', 'action-map', 'exception-set'].map((name) => schema(name).properties.tenant.maxLength),
      schema('config').properties.sources.propertyNames.maxLength,
    ];
    expect(lengths).toEqual(Array(5).fill(TENANT_NAME_MAX_LENGTH));
  });
});
