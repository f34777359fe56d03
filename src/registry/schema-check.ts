/**
 * Checks one registry document against its kind's JSON Schema (ajv) and turns ajv's errors into problems in a
 * user's words, each at the exact YAML node it is about.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { Document } from 'yaml';
import type { Problem } from '../errors.ts';
import configSchema from '../schema/config.schema.json' with { type: 'json' };
import scopeSetSchema from '../schema/scope-set.schema.json' with { type: 'json' };
import actionMapSchema from '../schema/action-map.schema.json' with { type: 'json' };
import clientSetSchema from '../schema/client-set.schema.json' with { type: 'json' };
import exceptionSetSchema from '../schema/exception-set.schema.json' with { type: 'json' };
import { didYouMean } from './suggest.ts';
import { offsetAt, positionAt, type ParsedFile } from './yaml-source.ts';

export const KINDS = ['Config', 'ScopeSet', 'ActionMap', 'ClientSet', 'ExceptionSet'] as const;
export type Kind = (typeof KINDS)[number];

const SCHEMAS: Record<Kind, object> = {
  Config: configSchema,
  ScopeSet: scopeSetSchema,
  ActionMap: actionMapSchema,
  ClientSet: clientSetSchema,
  ExceptionSet: exceptionSetSchema,
};

// ajv-formats is CommonJS; under NodeNext its default import is the module object in some toolchains
type FormatsPlugin = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats = ((addFormatsPlugin as unknown as { default?: FormatsPlugin }).default ?? addFormatsPlugin) as FormatsPlugin;

let validators: Record<Kind, ValidateFunction> | undefined;

function getValidators(): Record<Kind, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    addFormats(ajv, ['date']);
    validators = Object.fromEntries(KINDS.map((kind) => [kind, ajv.compile(SCHEMAS[kind])])) as Record<Kind, ValidateFunction>;
  }
  return validators;
}

function decodePointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `scopes."read.data".sensitivity`, `exceptions[2].expires`: a path a user can find in their file. */
export function describePath(path: ReadonlyArray<string>): string {
  let text = '';
  for (const step of path) {
    if (/^\d+$/.test(step)) text += `[${step}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(step)) text += text === '' ? step : `.${step}`;
    else text += `${text === '' ? '' : '.'}"${step}"`;
  }
  return text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null (empty)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `the ${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

function toProblem(kind: Kind, file: ParsedFile, doc: Document.Parsed, error: ErrorObject): Problem {
  const path = decodePointer(error.instancePath);
  const where = path.length === 0 ? kind : describePath(path);
  const at = (steps: ReadonlyArray<string>, prefer: 'key' | 'value' = 'value') => positionAt(file.file, file.lineCounter, offsetAt(doc, steps, prefer));
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknownKey = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const suggestion = didYouMean(unknownKey, allowed);
      return {
        ...at([...path, unknownKey], 'key'),
        code: 'unknown-key',
        message: `unknown key "${unknownKey}" in ${where}`,
        hint: [suggestion, allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : undefined].filter(Boolean).join(' '),
      };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return {
        ...at(path, 'key'),
        code: 'schema',
        message: `${where} is missing the required key "${missing}"`,
        hint: `add "${missing}:"`,
      };
    }
    case 'type': {
      const expected = String((error.params as { type: string }).type)
        .split(',')
        .map((name) => EXPECTED[name] ?? name)
        .join(' or ');
      return { ...at(path), code: 'schema', message: `${where} must be ${expected}, not ${typeName(error.data)}` };
    }
    case 'enum': {
      const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      return {
        ...at(path),
        code: 'schema',
        message: `${where} has the invalid value ${JSON.stringify(error.data)}`,
        hint: [suggestion, `one of: ${allowed.join(', ')}`].filter(Boolean).join(' '),
      };
    }
    case 'format': {
      const format = String((error.params as { format: string }).format);
      return {
        ...at(path),
        code: 'schema',
        message: `${where} must be a ${format === 'date' ? 'date' : format}, not ${typeName(error.data)}`,
        hint: format === 'date' ? 'write a calendar date as YYYY-MM-DD, e.g. 2027-01-31' : undefined,
      };
    }
    case 'minLength':
      return { ...at(path), code: 'schema', message: `${where} must not be empty` };
    default:
      return { ...at(path), code: 'schema', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/** Problems of one document against the schema of its kind; empty when it conforms. */
export function checkSchema(kind: Kind, file: ParsedFile, doc: Document.Parsed, value: unknown): Problem[] {
  const validate = getValidators()[kind];
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => toProblem(kind, file, doc, error));
}
