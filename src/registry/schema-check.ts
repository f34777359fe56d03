/**
 * Checks one registry document against its kind's JSON Schema (ajv) and turns ajv's errors into problems in a
 * user's words, each at the exact YAML node it is about.
 */
import type { ErrorObject } from 'ajv';
import type { Problem } from '../errors.ts';
import * as compiledValidators from '../schema/validators.js';
import type { CompiledValidator } from '../schema/validators.js';
import { didYouMean } from './suggest.ts';
import type { ParsedDocument } from './yaml-source.ts';

export const KINDS = ['Config', 'ScopeSet', 'ActionMap', 'ClientSet', 'ExceptionSet'] as const;
export type Kind = (typeof KINDS)[number];

// generated from the schemas by `npm run gen:types` (ajv standalone code: nothing to compile at start-up)
const VALIDATORS: Record<Kind, CompiledValidator> = compiledValidators;

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

/** How to write what the schema expected, from what the YAML held instead (the usual slips of hand-written YAML). */
function typeHint(expected: string, value: unknown): string | undefined {
  if (expected === 'array') {
    if (value === null) return 'write [] for none, or the items as [a, b]';
    if (typeof value === 'string') {
      const items = value.split(/[\s,]+/).filter(Boolean);
      return `write a list: [${items.join(', ')}], or one "- item" per line`;
    }
    return 'write a list: [a, b], or one "- item" per line';
  }
  if (expected === 'object') return value === null ? 'write {} for none, or indent "key: value" lines under it' : 'indent "key: value" lines under it';
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    // YAML reads 0042, 1e3, true and null-like words as other types; quoting keeps the text as written
    return 'put the value in quotes, so YAML keeps it as text as written';
  }
  return undefined;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

/** The schemas' pattern and length for tenant names (a tenant names its folder of reports), and how to meet them. */
export const TENANT_NAME_PATTERN = '^(?![Ii][Nn][Dd][Ee][Xx]\\.[Mm][Dd]$)[A-Za-z0-9][A-Za-z0-9._-]*$';
export const TENANT_NAME_MAX_LENGTH = 64;
export const TENANT_NAME_HINT = 'a tenant is named with letters, digits, ".", "_" and "-", starting with a letter or digit, e.g. acme-eu: it names a folder of reports, beside their index.md (so not index.md itself)';

/** A name the schemas accept for a tenant, for names that come from elsewhere (a command-line flag). */
export function isTenantName(name: string): boolean {
  return name.length <= TENANT_NAME_MAX_LENGTH && new RegExp(TENANT_NAME_PATTERN).test(name);
}

// YAML 1.1's merge key. Registry files are YAML 1.2, where `<<` is an ordinary key: `<<: *anchor` merges nothing and
// its value is judged as whatever the key's place holds (a scope named "<<", an unknown key), which explains nothing.
const MERGE_KEY = '<<';

/** Where an error's value sits under a `<<` key (or is one), as the path to that key; undefined when it does not. */
function mergeKeyPath(error: ErrorObject): string[] | undefined {
  const path = decodePointer(error.instancePath);
  const index = path.indexOf(MERGE_KEY);
  if (index >= 0) return path.slice(0, index + 1);
  const key = error.keyword === 'additionalProperties' ? (error.params as { additionalProperty?: string }).additionalProperty : error.propertyName;
  return key === MERGE_KEY ? [...path, MERGE_KEY] : undefined;
}

function mergeKeyProblem(document: ParsedDocument, path: string[]): Problem {
  const parent = path.slice(0, -1);
  return {
    ...document.at(path, 'key'),
    code: 'unknown-key',
    message: `"<<" in ${parent.length === 0 ? 'the document' : describePath(parent)} is a YAML 1.1 merge key, which registry files (YAML 1.2) do not have`,
    hint: "write the keys out; an anchor can still stand for a whole value, as in `scopes: *common`",
  };
}

function toProblem(kind: Kind, document: ParsedDocument, error: ErrorObject): Problem {
  const path = decodePointer(error.instancePath);
  const where = path.length === 0 ? kind : describePath(path);
  const { at } = document;
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
      const type = String((error.params as { type: string }).type);
      const expected = type
        .split(',')
        .map((name) => EXPECTED[name] ?? name)
        .join(' or ');
      const problem: Problem = { ...at(path), code: 'schema', message: `${where} must be ${expected}, not ${typeName(error.data)}` };
      const hint = typeHint(type, error.data);
      return hint === undefined ? problem : { ...problem, hint };
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
    case 'maxLength': {
      const limit = Number((error.params as { limit: number }).limit);
      // a mapping key (ajv's propertyNames) is named by the key itself
      if (error.propertyName !== undefined) {
        const key = error.propertyName.length > 40 ? `${error.propertyName.slice(0, 40)}…` : error.propertyName;
        return { ...at([...path, error.propertyName], 'key'), code: 'schema', message: `the key "${key}" in ${where} is longer than ${limit} characters` };
      }
      return { ...at(path), code: 'schema', message: `${where} is longer than ${limit} characters` };
    }
    case 'pattern': {
      const pattern = String((error.params as { pattern: string }).pattern);
      const tenantName = pattern === TENANT_NAME_PATTERN;
      const value = error.propertyName ?? error.data;
      const message = `${error.propertyName !== undefined ? `the key ${JSON.stringify(value)} in ${where}` : `${where} ${JSON.stringify(value)}`} is not ${tenantName ? 'a valid tenant name' : `of the form ${pattern}`}`;
      return { ...at(error.propertyName !== undefined ? [...path, error.propertyName] : path, error.propertyName !== undefined ? 'key' : 'value'), code: 'schema', message, ...(tenantName ? { hint: TENANT_NAME_HINT } : {}) };
    }
    default:
      return { ...at(path), code: 'schema', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/** Problems of one document against the schema of its kind; empty when it conforms. */
export function checkSchema(kind: Kind, document: ParsedDocument): Problem[] {
  const validate = VALIDATORS[kind];
  if (validate(document.value)) return [];
  // a key that breaks a propertyNames rule is reported by that rule's own error, with the key; the summary error
  // ajv adds after it ("property name must be valid") says nothing more
  const problems: Problem[] = [];
  const mergeKeys = new Set<string>();
  for (const error of validate.errors ?? []) {
    // every error under one `<<` is that key's one problem
    const mergePath = mergeKeyPath(error);
    if (mergePath) {
      const key = mergePath.join('/');
      if (!mergeKeys.has(key)) problems.push(mergeKeyProblem(document, mergePath));
      mergeKeys.add(key);
    } else if (error.keyword !== 'propertyNames') {
      problems.push(toProblem(kind, document, error));
    }
  }
  return problems;
}
