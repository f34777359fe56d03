/**
 * Checks one registry document against its kind's JSON Schema (ajv) and turns ajv's errors into problems in a
 * user's words, each at the exact YAML node it is about.
 */
import type { ErrorObject } from 'ajv';
import type { Problem } from '../errors.ts';
import * as compiledValidators from '../schema/validators.js';
import type { CompiledValidator } from '../schema/validators.js';
import { didYouMean } from './suggest.ts';
import { plainScalarValue } from './yaml-index.ts';
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

/** The words YAML reads as null (besides nothing at all), as written at the start of a value's source. */
const NULL_WORD = /^(~|null|Null|NULL)(?=$|[\s,\]}#])/;

/** Text that reads back as itself unquoted, in a [ ] list or after a key (conservative: anything else is quoted). */
const PLAIN_TEXT = /^[A-Za-z0-9_./](?:[A-Za-z0-9_./*@+=~$%-]| (?! |$))*$/;

/** `text` written as a YAML value: as it is when it reads back as this text, else in double quotes (JSON's are YAML's). */
function yamlText(text: string): string {
  return PLAIN_TEXT.test(text) && plainScalarValue(text) === text ? text : JSON.stringify(text);
}

/** The key a path ends with, when it ends with one (not a list index). */
function lastKey(path: ReadonlyArray<string>): string | undefined {
  const last = path[path.length - 1];
  return last === undefined || /^\d+$/.test(last) ? undefined : last;
}

/** Lists of scope names: OAuth writes a set of scopes as one space-separated text, so spaces separate items too. */
const SCOPE_LISTS = new Set(['scopes', 'implies']);

interface HintContext {
  path: ReadonlyArray<string>;
  /** The type of the list's items the schema expects, for a list. */
  itemType: string | undefined;
  /** How the value was written, when it is null: the word (`~`, `Null`...), or undefined for nothing at all. */
  nullWord: string | undefined;
  /** Whether the key is required where it stands (undefined: not known). */
  required: boolean | undefined;
}

/** config.schema.json's pattern for alerts[].url. */
const WEBHOOK_URL_PATTERN = '^((https?|HTTPS?)://\\S+)?$';

const RULE_SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info', 'off']);

/** How to write what the schema expected, from what the YAML held instead (the usual slips of hand-written YAML). */
function typeHint(expected: string, value: unknown, context: HintContext): string | undefined {
  const key = lastKey(context.path);
  if (value === null && context.nullWord !== undefined && expected === 'string') {
    // the user wrote something, a word YAML 1.2 reads as null (the message says so)
    return `put it in quotes to keep it as text: ${key === undefined ? '' : `${key}: `}"${context.nullWord}"`;
  }
  if (expected === 'array') {
    if (value === null) return 'write [] for none, or the items as [a, b]';
    if (typeof value === 'string' && context.itemType === 'string') {
      // scope names never hold spaces; anything else (an action pattern "GET /v1/orders") may, and is one item
      const separator = key !== undefined && SCOPE_LISTS.has(key) ? /[\s,]+/ : /\s*,\s*/;
      const items = value.split(separator).map((item) => item.trim()).filter(Boolean);
      if (items.length > 0) return `write a list: [${items.map(yamlText).join(', ')}], or one "- item" per line`;
    }
    if (context.itemType === 'object') return 'write a list: one "- key: value" entry per item, its other keys indented under it';
    return 'write a list: [a, b], or one "- item" per line';
  }
  // `SG106: off`, as other linters' configurations write it: scopeguard.yaml keeps rule options beside the severity
  if (expected === 'object' && typeof value === 'string' && context.path.length === 2 && context.path[0] === 'rules' && RULE_SEVERITIES.has(value.toLowerCase())) {
    return `write ${context.path[1]}: {severity: ${value.toLowerCase()}}`;
  }
  if (expected === 'object') return value === null ? 'write {} for none, or indent "key: value" lines under it' : 'indent "key: value" lines under it';
  if (expected === 'string') {
    if (typeof value === 'number' || typeof value === 'boolean') {
      // YAML reads 0042, 1e3, true and null-like words as other types; quoting keeps the text as written
      return 'put the value in quotes, so YAML keeps it as text as written';
    }
    if (value === null) {
      if (key === undefined) return 'write the item after its "-", or remove the empty item';
      return `write the value after "${key}:"${context.required === false ? `, or leave out the "${key}:" line` : ''}`;
    }
    if (Array.isArray(value)) {
      const first = value.find((item): item is string => typeof item === 'string');
      const example = first === undefined ? '' : `, e.g. ${key === undefined ? '' : `${key}: `}${yamlText(first)}`;
      return `${value.length > 1 ? 'one value, not several: keep one and write' : 'write'} it as text, without [ ] or "- "${example}`;
    }
    if (typeof value === 'object') {
      return `write the text on the line of ${key === undefined ? 'its "-"' : `"${key}:"`}, in quotes if it holds ": " or starts with { or [`;
    }
  }
  if (expected === 'integer' || expected === 'number') {
    const numeric = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
    return numeric ? 'remove the quotes: a number in quotes is text' : `write a ${expected === 'integer' ? 'whole ' : ''}number, e.g. 30`;
  }
  if (expected === 'boolean') return typeof value === 'string' && /^(true|false)$/i.test(value) ? 'remove the quotes: write true or false' : 'write true or false';
  return undefined;
}

/**
 * The root schema of each kind, for what an error does not carry (whether a key is required where it stands). The
 * validators are generated code and export no schema, but with ajv's `verbose` errors carry their schema: the error
 * for a document that is not even an object carries the root.
 */
const ROOT_SCHEMAS = new Map<Kind, unknown>();

function rootSchema(kind: Kind): unknown {
  if (!ROOT_SCHEMAS.has(kind)) {
    const validate = VALIDATORS[kind];
    validate(null);
    const error = validate.errors?.find((e) => e.schemaPath === '#/type');
    ROOT_SCHEMAS.set(kind, error?.parentSchema);
  }
  return ROOT_SCHEMAS.get(kind);
}

/** Whether the key an error's schema path ends in (`…/properties/owner/minLength`) is required there; undefined when unknown. */
function isRequired(kind: Kind, error: ErrorObject): boolean | undefined {
  const steps = decodePointer(error.schemaPath.replace(/^#/, ''));
  if (steps.length < 3 || steps[steps.length - 3] !== 'properties') return undefined;
  let schema: unknown = rootSchema(kind);
  for (const step of steps.slice(0, -3)) schema = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)[step] : undefined;
  if (typeof schema !== 'object' || schema === null) return undefined;
  const { required } = schema as { required?: unknown };
  return Array.isArray(required) && required.includes(steps[steps.length - 2]);
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
      const nullWord = error.data === null ? NULL_WORD.exec(document.source(path))?.[1] : undefined;
      const items = (error.parentSchema as { items?: { type?: unknown } } | undefined)?.items;
      const got = nullWord === undefined ? typeName(error.data) : `null: YAML reads ${nullWord} as null`;
      const problem: Problem = { ...at(path), code: 'schema', message: `${where} must be ${expected}, not ${got}` };
      const hint = typeHint(type, error.data, {
        path,
        itemType: typeof items?.type === 'string' ? items.type : undefined,
        nullWord,
        required: isRequired(kind, error),
      });
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
    case 'minLength': {
      // the one minimum length the schemas set is 1: the value is "" (or '')
      const key = lastKey(path);
      const hint =
        key === undefined
          ? 'write the item between the quotes, or remove the empty item'
          : `write the ${key} between the quotes${isRequired(kind, error) === false ? `, or leave out the "${key}:" line` : ''}`;
      return { ...at(path), code: 'schema', message: `${where} must not be empty`, hint };
    }
    case 'maxLength': {
      const limit = Number((error.params as { limit: number }).limit);
      // a mapping key (ajv's propertyNames) is named by the key itself
      if (error.propertyName !== undefined) {
        const key = error.propertyName.length > 40 ? `${error.propertyName.slice(0, 40)}…` : error.propertyName;
        return { ...at([...path, error.propertyName], 'key'), code: 'schema', message: `the key "${key}" in ${where} is longer than ${limit} characters`, hint: `shorten it to ${limit} characters or fewer` };
      }
      return { ...at(path), code: 'schema', message: `${where} is longer than ${limit} characters`, hint: `shorten it to ${limit} characters or fewer` };
    }
    case 'pattern': {
      const pattern = String((error.params as { pattern: string }).pattern);
      if (pattern === WEBHOOK_URL_PATTERN) {
        // the value is not repeated: a webhook URL's path is its secret
        return { ...at(path), code: 'schema', message: `${where} must be an http:// or https:// URL`, hint: 'write the whole URL with its scheme, e.g. https://hooks.slack.com/services/…' };
      }
      const tenantName = pattern === TENANT_NAME_PATTERN;
      const value = error.propertyName ?? error.data;
      const message = `${error.propertyName !== undefined ? `the key ${JSON.stringify(value)} in ${where}` : `${where} ${JSON.stringify(value)}`} is not ${tenantName ? 'a valid tenant name' : `of the form ${pattern}`}`;
      return { ...at(error.propertyName !== undefined ? [...path, error.propertyName] : path, error.propertyName !== undefined ? 'key' : 'value'), code: 'schema', message, ...(tenantName ? { hint: TENANT_NAME_HINT } : {}) };
    }
    case 'minimum':
    case 'exclusiveMinimum': {
      const limit = Number((error.params as { limit: number }).limit);
      const least = error.keyword === 'minimum' ? `at least ${limit}` : `more than ${limit}`;
      return { ...at(path), code: 'schema', message: `${where} must be ${least}, not ${typeName(error.data)}`, hint: `write a number ${least}` };
    }
    default:
      return { ...at(path), code: 'schema', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/** Problems of one document against the schema of its kind; empty when it conforms. */
export function checkSchema(kind: Kind, document: ParsedDocument): Problem[] {
  const validate = VALIDATORS[kind];
  if (validate(document.value)) return [];
  // copied: reading a root schema for a hint (rootSchema) runs the validator again
  const errors = [...(validate.errors ?? [])];
  // a key that breaks a propertyNames rule is reported by that rule's own error, with the key; the summary error
  // ajv adds after it ("property name must be valid") says nothing more
  const problems: Problem[] = [];
  const mergeKeys = new Set<string>();
  for (const error of errors) {
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
