/**
 * The DuckDB-side fast path for `scopeguard` NDJSON (the normalized shape itself): DuckDB parses, checks and
 * normalizes a block of lines in SQL, and every line it cannot prove ordinary goes back to the JavaScript importer.
 *
 * The SQL never decides anything the JS path would decide differently: a line takes the fast path only when it is
 * plainly valid (an object of known keys, each of its schema type, no escapes, no duplicate keys, a time already in
 * `YYYY-MM-DDTHH:MM:SS[.fff]Z`, an eventId, no string that the scrubber's quick check flags). Such a line gets exactly
 * what finishEvent would give it; anything else (bad JSON, a missing time, a wrong type, a possible secret, an
 * id-less event, a page object) is returned as text and goes through the JS path line by line, which writes the
 * rejects with their reasons. So stored rows, rejects and content hashes are identical on both paths by construction.
 */
import auditEventSchema from '../schema/audit-event.schema.json' with { type: 'json' };
import type { LineSlot } from '../store/store.ts';
import { SECRET_QUICK_CHECK } from './scrub.ts';

/** The keys an input line may have (the schema's properties), each read as a JSON fragment. */
const TOP_KEYS = Object.keys(auditEventSchema.properties);
const ACTOR_KEYS = Object.keys(auditEventSchema.properties.actor.properties);
const REQUEST_KEYS = Object.keys(auditEventSchema.properties.request.properties);
const SOURCE_KEYS = Object.keys(auditEventSchema.properties.source.properties);
const TYPES = auditEventSchema.properties.type.enum;
const OUTCOMES = auditEventSchema.properties.outcome.enum;

const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const jsonLeaves = (keys: string[]): string => sqlString(JSON.stringify(Object.fromEntries(keys.map((key) => [key, 'JSON']))));
// from_json's JSON leaves compare as JSON (a literal would be parsed): read them as their text instead
const textStruct = (keys: string[]): string => `STRUCT(${keys.map((key) => `"${key}" VARCHAR`).join(', ')})`;

// The scrubber's quick check, matched against lower-cased text: JS's /i (without the u flag) folds ASCII letters only,
// DuckDB's lower() folds at least those, so SQL flags a superset of what JS flags and a value it passes is one
// scrubString leaves unchanged.
const QUICK_CHECK_LOWER = SECRET_QUICK_CHECK.source.toLowerCase();
// lower-casing a pattern is only sound while it has no escapes whose case matters (\S is not \s)
if (/\\[A-Z]/.test(SECRET_QUICK_CHECK.source)) throw new Error('SECRET_QUICK_CHECK needs a case-preserving translation for the fast path');

/** Whole-line shape problems yyjson forgives and JSON.parse does not, or that need JS to read: checked in JS per block. */
// eslint-disable-next-line no-control-regex
export const NOT_PLAIN_LINE = /[\\\u0000-\u001f]|,[ ]*[\]}]/;

/** A JSON fragment that is a string (escapes never reach SQL: NOT_PLAIN_LINE sends such lines to JS), and its value. */
const isString = (fragment: string): string => `(${fragment} IS NULL OR starts_with(${fragment}, '"'))`;
const stringValue = (fragment: string): string => `${fragment}[2:-2]`;
const nonNull = (fragments: string[]): string => fragments.map((f) => `(${f} IS NOT NULL)::INTEGER`).join(' + ');
/** An object fragment with only known keys, no duplicates and no nulls: its key count equals its non-null fields. */
const plainObject = (fragment: string, parsed: string, keys: string[]): string =>
  `(${fragment} IS NULL OR (starts_with(${fragment}, '{') AND len(json_keys(${fragment})) = ${nonNull(keys.map((k) => `${parsed}."${k}"`))}))`;
/** An array fragment's string values; NULL unless it is an array of strings (then it re-serializes to itself). */
const stringArray = (fragment: string): string =>
  `CASE WHEN ${fragment} IS NULL THEN []::VARCHAR[] WHEN starts_with(${fragment}, '[') AND NOT contains(${fragment}, 'null') THEN CAST(from_json(${fragment}, '["VARCHAR"]') AS VARCHAR[]) END`;
/** tokenId and eventId rules of safeTokenId/finishEvent: an id longer than 64 becomes its sha256 (ASCII only here). */
const safeId = (value: string): string =>
  `CASE WHEN ${value} IS NULL OR ${value} = '' THEN NULL WHEN starts_with(${value}, 'sha256:') OR strlen(${value}) <= 64 THEN ${value} ELSE 'sha256:' || sha256(${value}) END`;
const safeIdOk = (value: string): string => `(${value} IS NULL OR starts_with(${value}, 'sha256:') OR strlen(${value}) <= 64 OR strlen(${value}) = length(${value}))`;

/**
 * One statement over a batch's lines (the slot tables of src/store/store.ts): each line with its number, `fast` and,
 * for fast lines, the events columns; other lines keep their text for the JS path. Parameters: $1 the file as given,
 * $2 the --tenant fallback (or NULL).
 */
export function fastBlockSql(tables: LineSlot): string {
  const top = 'j';
  const f = (key: string): string => `${top}."${key}"`;
  const v = (key: string): string => stringValue(f(key));
  const stringKeys = ['eventId', 'tenant', 'provider', 'time', 'type', 'rawType', 'outcome', 'clientId', 'tokenId', 'grantId', 'ip', 'userAgent'];
  // the values scrubString would look at, as their JSON text: quotes and brackets cannot make the quick check match
  const scrubbed = ['eventId', 'clientId', 'actor', 'grantId', 'request', 'ip', 'userAgent', 'tokenId', 'scopes', 'requestedScopes'].map(f);
  return `
  CREATE OR REPLACE TABLE ${tables.result} AS
  WITH parsed AS (
    SELECT line_no, line,
      CASE WHEN starts_with(line, '{') THEN CAST(try(from_json(line, ${jsonLeaves(TOP_KEYS)})) AS ${textStruct(TOP_KEYS)}) END AS ${top}
    FROM ${tables.lines}
  ), nested AS (
    SELECT *,
      CASE WHEN ${top} IS NOT NULL THEN len(json_keys(line)) END AS key_count,
      CASE WHEN starts_with(${f('actor')}, '{') THEN CAST(from_json(${f('actor')}, ${jsonLeaves(ACTOR_KEYS)}) AS ${textStruct(ACTOR_KEYS)}) END AS actor,
      CASE WHEN starts_with(${f('request')}, '{') THEN CAST(from_json(${f('request')}, ${jsonLeaves(REQUEST_KEYS)}) AS ${textStruct(REQUEST_KEYS)}) END AS request,
      CASE WHEN starts_with(${f('source')}, '{') THEN CAST(from_json(${f('source')}, ${jsonLeaves(SOURCE_KEYS)}) AS ${textStruct(SOURCE_KEYS)}) END AS source,
      ${stringArray(f('scopes'))} AS scopes,
      ${stringArray(f('requestedScopes'))} AS requested_scopes,
      coalesce(${v('tenant')}, $2::VARCHAR) AS tenant_value,
      ${v('eventId')} AS event_id_value,
      ${v('tokenId')} AS token_id_value,
      ${v('time')} AS time_text
    FROM parsed
  ), checked AS (
    SELECT *, try_cast(rtrim(time_text, 'Z') AS TIMESTAMP) AS time_value, coalesce(
      ${top} IS NOT NULL
      AND key_count = ${nonNull(TOP_KEYS.map(f))}
      AND ${stringKeys.map((k) => isString(f(k))).join(' AND ')}
      AND ${plainObject(f('actor'), 'actor', ACTOR_KEYS)}
      AND (actor IS NULL OR (${ACTOR_KEYS.map((k) => isString(`actor."${k}"`)).join(' AND ')}))
      AND ${plainObject(f('request'), 'request', REQUEST_KEYS)}
      AND (request IS NULL OR (${isString('request.method')} AND ${isString('request.path')} AND (request.status IS NULL OR regexp_full_match(request.status, '-?[0-9]{1,9}'))))
      AND ${plainObject(f('source'), 'source', SOURCE_KEYS)}
      AND (source IS NULL OR (starts_with(source.file, '"') AND regexp_full_match(source.line, '[1-9][0-9]{0,14}')))
      AND (${f('scopes')} IS NULL OR CAST(to_json(scopes) AS VARCHAR) = ${f('scopes')})
      AND (${f('requestedScopes')} IS NULL OR CAST(to_json(requested_scopes) AS VARCHAR) = ${f('requestedScopes')})
      AND ${f('eventId')} IS NOT NULL AND event_id_value <> '' AND ${safeIdOk('event_id_value')} AND ${safeIdOk('token_id_value')}
      AND tenant_value IS NOT NULL AND tenant_value <> ''
      AND (${f('provider')} IS NULL OR ${v('provider')} <> '')
      AND ${v('type')} IN (${TYPES.map(sqlString).join(', ')})
      AND (${f('outcome')} IS NULL OR ${v('outcome')} IN (${OUTCOMES.map(sqlString).join(', ')}))
      AND regexp_full_match(time_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?Z')
      AND NOT regexp_matches(lower(concat_ws(' ', ${scrubbed.join(', ')})), ${sqlString(QUICK_CHECK_LOWER)})
    , false) AS plain
    FROM nested
  )
  SELECT line_no, fast,
    CASE WHEN NOT fast THEN line END AS line,
    CASE WHEN fast THEN tenant_value END AS tenant,
    'scopeguard' AS provider,
    CASE WHEN fast THEN ${safeId('event_id_value')} END AS event_id,
    CASE WHEN fast THEN date_trunc('millisecond', time_value) END AS time,
    CASE WHEN fast THEN ${v('type')} END AS type,
    CASE WHEN fast THEN ${v('rawType')} END AS raw_type,
    CASE WHEN fast THEN coalesce(${v('outcome')}, 'unknown') END AS outcome,
    CASE WHEN fast THEN actor."id"[2:-2] END AS actor_id,
    CASE WHEN fast THEN actor."type"[2:-2] END AS actor_type,
    CASE WHEN fast THEN actor."name"[2:-2] END AS actor_name,
    CASE WHEN fast THEN ${v('clientId')} END AS client_id,
    CASE WHEN fast THEN list_filter(scopes, x -> x <> '') END AS scopes,
    CASE WHEN fast THEN list_filter(requested_scopes, x -> x <> '') END AS requested_scopes,
    CASE WHEN fast THEN ${safeId('token_id_value')} END AS token_id,
    CASE WHEN fast THEN ${v('grantId')} END AS grant_id,
    CASE WHEN fast THEN request.method[2:-2] END AS request_method,
    CASE WHEN fast THEN request.path[2:-2] END AS request_path,
    CASE WHEN fast THEN TRY_CAST(request.status AS INTEGER) END AS request_status,
    CASE WHEN fast THEN ${v('ip')} END AS ip,
    CASE WHEN fast THEN ${v('userAgent')} END AS user_agent,
    $1::VARCHAR AS source_file,
    line_no AS source_line
  FROM (SELECT *, coalesce(plain AND year(time_value) BETWEEN 1990 AND 2199, false) AS fast FROM checked)`;
}
