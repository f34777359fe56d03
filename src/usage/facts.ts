/**
 * Usage facts: what the audit store says about how a tenant's clients use their scopes, aggregated in SQL so the
 * policy sees rows that grow with clients×scopes, never with events. Raw events never leave this module.
 *
 * The SQL is kept to standard forms (CROSS JOIN UNNEST, window functions, CASE, CAST) so it runs on a distributed
 * engine over the Parquet export as well; DuckDB-only bits are marked where they occur. Requests are matched to
 * scopes once per distinct endpoint (method, path) in TypeScript with the registry's action matcher, loaded into a
 * temporary table and joined, so matching cost grows with distinct endpoints, not with events.
 *
 * Cost (2 M events, 5,000 clients): each family of facts is derived from a few passes over the events into compact
 * temporary tables (scope sets, requests keyed by integer client and endpoint ids, shapes, the daily series per
 * client×scope), never from one pass per fact; SCOPEGUARD_PROFILE_SQL=1 prints each step's wall and CPU time.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Client, Scope, Sensitivity, ScopeStatus, Tenant } from '../registry/model.ts';
import { impliesClosure } from '../registry/implies.ts';

/** Anything that says which scopes allow a request (the registry's compiled action matcher). */
export interface RequestMatcher {
  match(method: string, path: string): string[];
}

export interface UsageWindow {
  /** Inclusive. */
  since: Date;
  /** Exclusive. */
  until: Date;
}

export interface UsageFactsOptions {
  tenant: Tenant;
  matcher: RequestMatcher;
  window: UsageWindow;
  /** Days of history before a day that form its baseline (spikes) and before a first use (new behaviour). */
  baselineDays?: number;
  /** The events table; tests and other engines may point elsewhere. */
  table?: string;
  /**
   * thresholds.spikeFactor: a peak this many times its baseline is a spike (SG307), whose evidence is sampled from the
   * peak day itself (default 5).
   */
  spikeFactor?: number;
}

export interface Evidence {
  count: number;
  /** ISO-8601 UTC */
  first?: string;
  last?: string;
  /** Up to five event ids, oldest first. */
  sampleEventIds: string[];
}

export interface ClientScopeFact {
  client: string;
  clientId: string;
  scope: string;
  /** The scope's description from the registry (untrusted text: escape before display). */
  description?: string;
  sensitivity: Sensitivity;
  status: ScopeStatus | 'unknown';
  granted: boolean;
  justified: boolean;
  /** The scope has patterns in the action map, so requests can exercise it. */
  hasActions: boolean;
  /**
   * What counts as use of this grant (SG301, rightsize, the least-privilege score): `requests` matched to the scope
   * through the action map; else `tokens` issued carrying it, for a scope without mapped actions or in a tenant
   * whose logs hold no API request in the window (only the identity provider's logs were imported: requests are not
   * seen, so none having matched says nothing).
   */
  usedBy: 'requests' | 'tokens';
  issued: number;
  lastIssued?: string;
  requested: number;
  lastRequested?: string;
  exercised: number;
  firstExercised?: string;
  lastExercised?: string;
  /** First issue or exercise in the window plus baseline period. */
  firstUse?: string;
  /** Up to five issues (token.issued/refreshed, authorize.granted that did not fail) carrying the scope. */
  issueSamples: string[];
  /** Up to five window events that asked for the scope; only for a deprecated or removed scope (SG305's evidence). */
  requestSamples?: string[];
  exerciseSamples: string[];
  /**
   * The day with the highest volume relative to its trailing baseline; a spike (spikeFactor times the baseline or
   * more) carries sample ids of that day's requests.
   */
  peak?: { day: string; count: number; baseline: number; sampleEventIds?: string[] };
}

/**
 * A token something can be said about: refreshed successfully (long-lived: idle-token candidates, SG303) in the token
 * history (a year before the window's end, or the window and its baseline when longer), or misused in the window
 * (SG302). Its first/last seen, events, refreshes, last use and scopes are over the token history.
 */
export interface TokenFact {
  tokenId: string;
  client?: string;
  clientId: string;
  scopes: string[];
  firstSeen: string;
  lastSeen: string;
  /** Last use (API request or refresh) that did not fail. */
  lastUsed?: string;
  events: number;
  /** Refreshes that did not fail. */
  refreshes: number;
  /** First revocation that did not fail, before the window's end. */
  revokedAt?: string;
  /** Scopes the token carried when used (in the window, not failing) that the client no longer holds. */
  scopesNotGranted: string[];
  /** Those uses: count and samples of distinct events. */
  ungrantedUse?: Evidence;
  useAfterRevoke?: Evidence;
  /** Uses after the client's first deletion that did not fail, with sample ids. */
  useAfterClientDeleted?: Evidence & { deletedAt: string };
  sampleEventIds: string[];
}

export interface GrantFact {
  grantId: string;
  clientId: string;
  client?: string;
  grantedAt: string;
  lastSeen: string;
  revoked: boolean;
  sampleEventIds: string[];
}

export interface ClientFact {
  client: string;
  clientId: string;
  /** Scopes the registry grants (as written, without implied ones). */
  granted: string[];
  /** The granted scopes and every scope they imply (directly or through a chain): what the client may hold. */
  grantedWithImplied: string[];
  requests: number;
  unmatched: Evidence & { endpoints: string[] };
  denials: Evidence & { peakDay?: string; peakCount: number };
  firstSeen?: string;
  /**
   * Latest scope set the provider reported for this client in the window: the newest grant.changed, client.created or
   * client.updated that did not fail and carries scopes (one without any, such as a secret rotation, reports no scope
   * set), with `withImplied` adding every scope those imply by the registry's `implies`.
   */
  observedGrants?: { scopes: string[]; withImplied: string[]; at: string; eventId: string };
  /** Scopes the provider issued to the client that the registry does not grant. */
  issuedNotGranted: Array<Evidence & { scope: string }>;
}

export interface UnknownClientFact {
  clientId: string;
  types: string[];
  evidence: Evidence;
  /**
   * When the client was deleted at the provider: its newest event in the window that did not fail is a client.deleted
   * that did not fail (failed attempts after it, such as token requests refused for the deleted client, change nothing).
   */
  deletedAt?: string;
}

export interface UsageFacts {
  tenant: string;
  window: { since: string; until: string; days: number };
  baselineDays: number;
  events: number;
  /** API requests in the window, of any client; none means no gateway or API access log was imported. */
  requests: number;
  clientScopes: ClientScopeFact[];
  tokens: TokenFact[];
  grants: GrantFact[];
  clients: ClientFact[];
  unknownClients: UnknownClientFact[];
}

const ISSUE_TYPES = `'token.issued', 'token.refreshed', 'authorize.granted'`;
const USE_TYPES = `'api.request', 'token.refreshed'`;
const PROVIDER_GRANT_TYPES = `'grant.changed', 'client.created', 'client.updated'`;
/**
 * A lifecycle event (a revocation, a deletion, a refresh, a consent, a provider's grant or client change) counts when it
 * did not fail: outcome `success`, or `unknown` from providers that do not say (their events are what happened). A
 * failed one (Keycloak's LOGOUT_ERROR, an Auth0 management call that failed) changed nothing at the provider.
 */
const DID_NOT_FAIL = `outcome <> 'failure'`;
/**
 * A request the API served: not failed and not refused (401, 403). Only such requests exercise a scope (SG301, SG307,
 * `usage`, `rightsize`); a refused one still counts as a denial (SG308) and, when no granted scope allows it, as a
 * request outside the action map (SG304).
 */
const REQUEST_SERVED = `(outcome <> 'failure' AND COALESCE(request_status, 0) NOT IN (401, 403))`;
/**
 * How far back idle refresh tokens are looked for (SG303), before `until`, when the usage history (window plus
 * baseline) is shorter: a consent stays valid until revoked, so consents are judged over the whole history, but
 * providers expire refresh tokens left unused (mostly within months), so a token not refreshed for a year is no
 * credential left lying around, and reading a year at most keeps the pass bounded however long the store's history.
 */
const TOKEN_HISTORY_DAYS = 365;
/** Authorization denials and invalid-scope errors (SG308). */
const DENIAL_CONDITION = `(type = 'authorize.denied' OR (type IN ('token.issued', 'token.refreshed') AND outcome = 'failure') OR (type = 'api.request' AND request_status IN (401, 403)))`;
const SAMPLES = 5;
const DAY_MS = 86_400_000;
/** Rows under two aliases are of the same request shape (client and endpoint ids). */
function sameShape(a: string, b: string): string {
  return `${a}.cid = ${b}.cid AND ${a}.eid = ${b}.eid`;
}

type Row = Record<string, DuckDBValue>;

export async function computeUsageFacts(connection: DuckDBConnection, options: UsageFactsOptions): Promise<UsageFacts> {
  const { tenant, matcher, window } = options;
  const baselineDays = options.baselineDays ?? 28;
  const table = options.table ?? 'events';
  const since = sqlTimestamp(window.since);
  const until = sqlTimestamp(window.until);
  const historyStart = sqlTimestamp(new Date(window.since.getTime() - baselineDays * DAY_MS));
  const inWindow = `tenant = $1 AND time >= ${since} AND time < ${until}`;
  const inHistory = `tenant = $1 AND time >= ${historyStart} AND time < ${until}`;
  // idle refresh tokens (SG303) are looked for over a year before `until`, or the usage history when longer
  const tokenHistoryStart = sqlTimestamp(new Date(Math.min(window.since.getTime() - baselineDays * DAY_MS, window.until.getTime() - TOKEN_HISTORY_DAYS * DAY_MS)));
  const inTokenHistory = `tenant = $1 AND time >= ${tokenHistoryStart} AND time < ${until}`;
  const query = (sql: string): Promise<Row[]> =>
    timed(sql, async () => (await connection.runAndReadAll(sql, sql.includes('$1') ? [tenant.name] : [])).getRowObjectsJS() as Row[]);

  const clients = Object.values(tenant.clients);
  const byClientId = new Map(clients.map((c) => [c.clientId, c]));
  const closure = impliesClosure(tenant);
  const cidOf = await loadRegistryTables(connection, tenant, closure);

  await loadRequestShapes(connection, tenant, closure, matcher, byClientId, cidOf, table, inHistory, since);

  const counts = (await query(`SELECT CAST(COUNT(*) AS INTEGER) AS n, CAST(COUNT(CASE WHEN type = 'api.request' THEN 1 END) AS INTEGER) AS requests FROM ${table} WHERE ${inWindow}`))[0];
  const eventCount = num(counts?.n);
  const requestCount = num(counts?.requests);

  // per client×scope: issued, requested, exercised (window) and first use (window plus baseline); per client: requests
  // and first seen; which clients used a scope they do not hold (tokenFacts); issued but not granted (clientLevelFacts).
  // Events are aggregated BEFORE their scope lists are unnested: a client issues and uses the same few scope sets over
  // and over, so grouping by (client, scope set, requested set) leaves thousands of rows to unnest instead of millions,
  // and one pass serves every family (each family's condition is inside its aggregates). Grouping by an array column is
  // standard (SQL:2003 arrays; Trino and Spark group by arrays too). Sums, minima and maxima of the per-set groups
  // equal those over the events, so the results are the same as unnesting every event. Two levels: events are first
  // grouped by (client, sets, type, outcome not failed, has a token), meeting one time condition each; the families'
  // conditions then apply to those few rows (a quarter less work than every condition on every event).
  const issue = `kind IN (${ISSUE_TYPES})`;
  const issueNotGranted = `kind IN ('token.issued', 'authorize.granted')`;
  await timed('scope sets', () => connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_scope_sets AS
     SELECT client_id, scopes, requested_scopes,
       SUM(CASE WHEN ${issue} AND ok THEN window_n ELSE 0 END) AS issued_n,
       MAX(CASE WHEN ${issue} AND ok THEN window_last END) AS issued_last,
       MIN(CASE WHEN ${issue} AND ok THEN first_at END) AS issue_first,
       SUM(CASE WHEN ${issueNotGranted} AND ok THEN window_n ELSE 0 END) AS ing_n,
       MIN(CASE WHEN ${issueNotGranted} AND ok THEN window_first END) AS ing_first,
       MAX(CASE WHEN ${issueNotGranted} AND ok THEN window_last END) AS ing_last,
       SUM(window_n) AS window_n,
       MAX(window_last) AS window_last,
       SUM(CASE WHEN kind = 'api.request' THEN window_n ELSE 0 END) AS requests_n,
       SUM(CASE WHEN has_token AND kind IN (${USE_TYPES}) THEN window_n ELSE 0 END) AS used_n,
       MIN(first_at) AS first_at
     FROM (
       SELECT client_id, scopes, requested_scopes, type AS kind, outcome <> 'failure' AS ok, token_id IS NOT NULL AS has_token,
         MIN(time) AS first_at,
         COUNT(CASE WHEN time >= ${since} THEN 1 END) AS window_n,
         MIN(CASE WHEN time >= ${since} THEN time END) AS window_first,
         MAX(CASE WHEN time >= ${since} THEN time END) AS window_last
       FROM ${table} WHERE ${inHistory}
       GROUP BY client_id, scopes, requested_scopes, type, outcome <> 'failure', token_id IS NOT NULL
     ) AS kinds
     GROUP BY client_id, scopes, requested_scopes`,
    [tenant.name],
  ));
  const issuedRows = await query(
    `SELECT s.client_id, u.scope, CAST(SUM(s.issued_n) AS INTEGER) AS n, ${ts('MAX(s.issued_last)')} AS last_at
     FROM sg_scope_sets s CROSS JOIN UNNEST(s.scopes) AS u(scope)
     WHERE s.issued_n > 0
     GROUP BY s.client_id, u.scope`,
  );
  const requestedRows = await query(
    `SELECT s.client_id, u.scope, CAST(SUM(s.window_n) AS INTEGER) AS n, ${ts('MAX(s.window_last)')} AS last_at
     FROM sg_scope_sets s CROSS JOIN UNNEST(s.requested_scopes) AS u(scope)
     WHERE s.window_n > 0
     GROUP BY s.client_id, u.scope`,
  );
  // Exercised counts and first use come from the request shapes (a sum, minimum or maximum over a scope's shapes
  // equals that over its requests: each request has one shape, and a shape exercises a scope at most once).
  const exercisedRows = await query(
    `SELECT p.client_id, p.scope, CAST(x.n AS INTEGER) AS n, ${ts('x.first_at')} AS first_at, ${ts('x.last_at')} AS last_at FROM (
       SELECT m.pair, SUM(s.window_n) AS n, MIN(s.window_first) AS first_at, MAX(s.window_last) AS last_at
       FROM sg_request_shapes s JOIN sg_request_scope m ON ${sameShape('m', 's')}
       WHERE s.window_n > 0 GROUP BY m.pair
     ) AS x JOIN sg_pairs p ON p.pair = x.pair`,
  );
  const firstUseRows = await query(
    `SELECT client_id, scope, ${ts('MIN(first_at)')} AS first_at FROM (
       SELECT s.client_id, u.scope, MIN(s.issue_first) AS first_at FROM sg_scope_sets s CROSS JOIN UNNEST(s.scopes) AS u(scope)
       WHERE s.issue_first IS NOT NULL GROUP BY s.client_id, u.scope
       UNION ALL
       SELECT p.client_id, p.scope, x.first_at FROM (
         SELECT m.pair, MIN(s.first_at) AS first_at FROM sg_request_shapes s JOIN sg_request_scope m ON ${sameShape('m', 's')}
         WHERE s.first_at IS NOT NULL GROUP BY m.pair
       ) AS x JOIN sg_pairs p ON p.pair = x.pair
     ) AS uses GROUP BY client_id, scope`,
  );
  // The daily series (spike baselines) needs every request with its scopes, grouped by client×scope and day. It crosses
  // into JS as one `day:count:windowCount,...` text per client×scope (days since 1970): a million day rows converted
  // one by one cost seconds, integer columns half a second. STRING_AGG is standard SQL:2016 LISTAGG's Postgres/DuckDB
  // name (Trino: listagg, ClickHouse: arrayStringConcat(groupArray(...))). COUNT(CASE ...), not SUM: DuckDB sums
  // integers into 128-bit ones, slower to turn into text a million times.
  const dailyRows = await query(
    `SELECT p.pair, p.client_id, p.scope, d.series FROM (
       SELECT pair, STRING_AGG(${epochDay('d')} || ':' || CAST(n AS VARCHAR) || ':' || CAST(window_n AS VARCHAR), ',') AS series FROM (
         SELECT m.pair, CAST(r.time AS DATE) AS d, COUNT(*) AS n, COUNT(CASE WHEN r.time >= ${since} THEN 1 END) AS window_n
         FROM sg_requests r JOIN sg_request_scope m ON ${sameShape('m', 'r')}
         WHERE r.served
         GROUP BY m.pair, CAST(r.time AS DATE)
       ) AS days GROUP BY pair
     ) AS d JOIN sg_pairs p ON p.pair = d.pair`,
  );
  const daily = dailyRows.map((row) => ({ pair: num(row.pair), key: `${str(row.client_id)}\u0000${str(row.scope)}`, ...parseSeries(str(row.series)) }));
  // The five oldest window requests of a client×scope lie in its first window days that hold five of them: only the
  // requests before that day's end are sampled, instead of ranking every request.
  const cutoffs = daily.flatMap((series) => {
    const beforeDay = sampleCutoff(series);
    return beforeDay === undefined ? [] : [[series.pair, timestampText(new Date(beforeDay * DAY_MS))] as const];
  });
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_sample_cutoff_text (pair INTEGER, before VARCHAR)`);
  await insertRows(connection, 'sg_sample_cutoff_text', cutoffs);
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_sample_cutoff AS SELECT pair, CAST(before AS TIMESTAMP) AS before FROM sg_sample_cutoff_text`,
  );
  const latestCutoff = cutoffs.map(([, before]) => before).sort().at(-1);
  const exerciseSamples = await sampleRows(
    connection, tenant.name,
    `SELECT p.client_id AS k1, p.scope AS k2, r.event_id, r.time FROM sg_requests r
     JOIN sg_request_scope m ON ${sameShape('m', 'r')} JOIN sg_sample_cutoff c ON c.pair = m.pair JOIN sg_pairs p ON p.pair = m.pair
     WHERE r.served AND r.time >= ${since} AND r.time < c.before${latestCutoff ? ` AND r.time < TIMESTAMP '${latestCutoff}'` : ''}`,
  );
  // Issue events are evidence where no request is (a grant never exercised) and for retired scopes; sampling only
  // those pairs keeps this pass small when most clients use what they hold.
  const exercisedPairs = new Set(exercisedRows.map((r) => `${str(r.client_id)}\u0000${str(r.scope)}`));
  const retired = (scope: DuckDBValue | undefined): boolean => ['deprecated', 'removed'].includes(tenant.scopes[str(scope)]?.status ?? '');
  const issueSampleKeys = issuedRows
    .filter((r) => !exercisedPairs.has(`${str(r.client_id)}\u0000${str(r.scope)}`) || retired(r.scope))
    .map((r) => [str(r.client_id), str(r.scope)]);
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_issue_sample_keys (client_id VARCHAR, scope VARCHAR)`);
  await insertRows(connection, 'sg_issue_sample_keys', issueSampleKeys);
  // Only the events of clients with a key are unnested (filtered in a derived table first).
  const issueSamples = await sampleRows(
    connection, tenant.name,
    `SELECT e.client_id AS k1, u.scope AS k2, e.event_id, e.time FROM (
       SELECT client_id, scopes, event_id, time FROM ${table}
       WHERE ${inWindow} AND type IN (${ISSUE_TYPES}) AND ${DID_NOT_FAIL} AND client_id IN (SELECT client_id FROM sg_issue_sample_keys)
     ) AS e CROSS JOIN UNNEST(e.scopes) AS u(scope)
     JOIN sg_issue_sample_keys k ON k.client_id = e.client_id AND k.scope = u.scope`,
  );
  // A deprecated or removed scope that clients only ask for (a refused authorization, say) has no issue to show: the
  // events that requested it are SG305's evidence too. Only retired scopes of registry clients are sampled.
  const requestSampleKeys = requestedRows.filter((r) => retired(r.scope) && byClientId.has(str(r.client_id))).map((r) => [str(r.client_id), str(r.scope)]);
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_request_sample_keys (client_id VARCHAR, scope VARCHAR)`);
  await insertRows(connection, 'sg_request_sample_keys', requestSampleKeys);
  const requestSamples = requestSampleKeys.length === 0 ? new Map<string, string[]>() : await sampleRows(
    connection, tenant.name,
    `SELECT e.client_id AS k1, u.scope AS k2, e.event_id, e.time FROM (
       SELECT client_id, requested_scopes, event_id, time FROM ${table}
       WHERE ${inWindow} AND client_id IN (SELECT client_id FROM sg_request_sample_keys)
     ) AS e CROSS JOIN UNNEST(e.requested_scopes) AS u(scope)
     JOIN sg_request_sample_keys k ON k.client_id = e.client_id AND k.scope = u.scope`,
  );

  const clientScopes = await timed('JS buildClientScopes', async () => buildClientScopes(tenant, clients, byClientId, {
    issuedRows, requestedRows, exercisedRows, firstUseRows, daily, issueSamples, requestSamples, exerciseSamples,
    windowStart: window.since, baselineDays, requestsSeen: requestCount > 0,
  }));

  await samplePeakDays(connection, clientScopes, options.spikeFactor ?? 5);

  const tokens = await tokenFacts(query, connection, tenant, table, inWindow, inTokenHistory, until, byClientId);
  const grants = await grantFacts(query, connection, tenant.name, table, until, byClientId);
  const clientFacts = await clientLevelFacts(query, connection, tenant, table, inWindow, since, clients, closure);
  const unknownClients = await unknownClientFacts(query, connection, tenant.name, table, inWindow);

  return {
    tenant: tenant.name,
    window: { since: window.since.toISOString(), until: window.until.toISOString(), days: Math.round((window.until.getTime() - window.since.getTime()) / DAY_MS) },
    baselineDays,
    events: eventCount,
    requests: requestCount,
    clientScopes,
    tokens,
    grants,
    clients: clientFacts,
    unknownClients,
  };
}

/**
 * Registry clients (numbered `cid`, so request rows can carry an integer) and grants as temporary tables, so "not
 * granted" and "unknown client" are joins. Returns each client id's cid.
 */
async function loadRegistryTables(connection: DuckDBConnection, tenant: Tenant, closure: ReadonlyMap<string, string[]>): Promise<Map<string, number>> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_clients (cid INTEGER, client_id VARCHAR, name VARCHAR)`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_grants (client_id VARCHAR, scope VARCHAR)`);
  const cidOf = new Map<string, number>();
  const clientRows: Array<[number, string, string]> = [];
  const grantRows: string[][] = [];
  for (const client of Object.values(tenant.clients)) {
    if (!cidOf.has(client.clientId)) cidOf.set(client.clientId, cidOf.size + 1);
    clientRows.push([cidOf.get(client.clientId)!, client.clientId, client.name]);
    // a token may carry what a grant implies: granted too
    const granted = new Set(client.grants.flatMap((g) => [g.scope, ...(closure.get(g.scope) ?? [])]));
    for (const scope of granted) grantRows.push([client.clientId, scope]);
  }
  await insertRows(connection, 'sg_clients', clientRows);
  await insertRows(connection, 'sg_grants', grantRows);
  return cidOf;
}

/**
 * Requests by shape: (client, endpoint), numbered `cid` (registry clients; unknown ones are SG306's, judged
 * separately) and `eid` (distinct method and path). One pass keeps each request as (cid, eid, time, event id): joining
 * the events with a few thousand clients and endpoints costs a third of joining them with every (client, method, path),
 * and every later join and grouping is on integers. The shapes' counts and first/last times, from which every request
 * fact but the daily series and the samples is derived, are grouped from those rows. Each distinct endpoint is matched
 * once in TypeScript; which client's grant covers it is a join (never per event, nor per client×endpoint, in JS).
 *
 * Tables: sg_requests (cid, eid, time, event_id, served), sg_request_shapes (cid, eid, counts of served requests, and
 * any_* of all), sg_pairs (pair, client_id, scope: the client×scopes some request may exercise), sg_request_scope (cid,
 * eid, pair), sg_request_unmatched (shapes no granted scope allows, with client_id, method and path, counting every
 * request). A refused or failed request (REQUEST_SERVED) exercises nothing: every use joins on `served` or on the
 * served counts; it still is a request outside the action map when no granted scope allows it.
 */
async function loadRequestShapes(
  connection: DuckDBConnection,
  tenant: Tenant,
  /** Each scope's implied scopes (impliesClosure): a grant covers its scope and all of them. */
  closure: ReadonlyMap<string, string[]>,
  matcher: RequestMatcher,
  byClientId: Map<string, Client>,
  cidOf: Map<string, number>,
  table: string,
  inHistory: string,
  since: string,
): Promise<void> {
  // A request without a method or path can match no action and has no shape (it is still counted in `requests`).
  const requests = `${prefixed(inHistory)} AND e.type = 'api.request' AND e.request_method IS NOT NULL AND e.request_path IS NOT NULL`;
  await timed('request endpoints', () => connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_endpoints AS
     SELECT CAST(ROW_NUMBER() OVER () AS INTEGER) AS eid, method, path FROM (
       SELECT DISTINCT e.request_method AS method, e.request_path AS path FROM ${table} e WHERE ${requests}
     ) AS endpoints`,
    [tenant.name],
  ));
  await timed('requests by shape', () => connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_requests AS
     SELECT c.cid, p.eid, e.time, e.event_id, ${prefixed(REQUEST_SERVED, true)} AS served FROM ${table} e
     JOIN sg_clients c ON c.client_id = e.client_id
     JOIN sg_endpoints p ON p.method = e.request_method AND p.path = e.request_path
     WHERE ${requests}`,
    [tenant.name],
  ));
  const inWindow = `time >= ${since}`;
  // first_at and window_* count the served requests only (those exercise a scope); any_* every request of the shape
  // (a refused request outside the action map is still SG304's)
  await timed('request shapes', () => connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_request_shapes AS
     SELECT cid, eid,
       MIN(CASE WHEN served THEN time END) AS first_at,
       SUM(CASE WHEN served AND ${inWindow} THEN 1 ELSE 0 END) AS window_n,
       MIN(CASE WHEN served AND ${inWindow} THEN time END) AS window_first,
       MAX(CASE WHEN served AND ${inWindow} THEN time END) AS window_last,
       SUM(CASE WHEN ${inWindow} THEN 1 ELSE 0 END) AS any_window_n,
       MIN(CASE WHEN ${inWindow} THEN time END) AS any_window_first,
       MAX(CASE WHEN ${inWindow} THEN time END) AS any_window_last
     FROM sg_requests GROUP BY cid, eid`,
  ));
  // Scopes are numbered too (`sid`), so which grant covers which endpoint is a join of integers.
  const sidOf = new Map<string, number>();
  const sid = (scope: string): number => {
    if (!sidOf.has(scope)) sidOf.set(scope, sidOf.size + 1);
    return sidOf.get(scope)!;
  };
  const endpoints = (await connection.runAndReadAll(`SELECT eid, method, path FROM sg_endpoints`)).getRowObjectsJS() as Row[];
  const endpointScopes: Array<[number, number]> = [];
  for (const row of endpoints) {
    for (const scope of new Set(matcher.match(str(row.method).toUpperCase(), str(row.path)))) endpointScopes.push([num(row.eid), sid(scope)]);
  }
  // A grant covers its scope and every scope it implies, directly or through a chain (as SG106 and the token checks
  // read `implies`), so a request allowed by a scope three links down is use of the grant at the top.
  const grantCovers: Array<[number, number, number]> = [];
  for (const [clientId, client] of byClientId) {
    for (const { scope: granted } of client.grants) {
      for (const covered of [granted, ...(closure.get(granted) ?? [])]) grantCovers.push([cidOf.get(clientId)!, sid(granted), sid(covered)]);
    }
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_endpoint_scope (eid INTEGER, sid INTEGER)`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_grant_covers (cid INTEGER, granted INTEGER, covers INTEGER)`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_scope_ids (sid INTEGER, scope VARCHAR)`);
  await insertRows(connection, 'sg_endpoint_scope', endpointScopes);
  await insertRows(connection, 'sg_grant_covers', grantCovers);
  await insertRows(connection, 'sg_scope_ids', [...sidOf].map(([scope, id]) => [id, scope] as const));
  await timed('request scopes', async () => {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE sg_shape_scope AS
       SELECT DISTINCT s.cid, s.eid, g.granted AS sid FROM sg_request_shapes s
       JOIN sg_endpoint_scope es ON es.eid = s.eid
       JOIN sg_grant_covers g ON g.cid = s.cid AND g.covers = es.sid`,
    );
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE sg_pairs AS
       SELECT CAST(ROW_NUMBER() OVER () AS INTEGER) AS pair, k.cid, k.sid, c.client_id, n.scope
       FROM (SELECT DISTINCT cid, sid FROM sg_shape_scope) AS k
       JOIN sg_clients c ON c.cid = k.cid JOIN sg_scope_ids n ON n.sid = k.sid`,
    );
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE sg_request_scope AS
       SELECT s.cid, s.eid, p.pair FROM sg_shape_scope s JOIN sg_pairs p ON p.cid = s.cid AND p.sid = s.sid`,
    );
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE sg_request_unmatched AS
       SELECT s.cid, s.eid, s.any_window_n AS window_n, s.any_window_first AS window_first, s.any_window_last AS window_last,
         c.client_id, p.method, p.path FROM sg_request_shapes s
       JOIN sg_clients c ON c.cid = s.cid JOIN sg_endpoints p ON p.eid = s.eid
       WHERE NOT EXISTS (SELECT 1 FROM sg_request_scope m WHERE ${sameShape('m', 's')})`,
    );
  });
}

/** One client×scope's requests per day, as dense arrays indexed by day since its first day (days without requests 0). */
interface DailySeries {
  pair: number;
  /** client id and scope, joined by NUL (the key of the client×scope facts) */
  key: string;
  /** days since 1970-01-01 of index 0 */
  firstDay: number;
  counts: Float64Array;
  /** The day's requests inside the window (the window may start within a day). */
  windowCounts: Float64Array;
}

/** `day:count:windowCount,...` (days since 1970, distinct, in any order) → dense arrays from the first day. */
function parseSeries(text: string): Pick<DailySeries, 'firstDay' | 'counts' | 'windowCounts'> {
  // Scanned by hand, twice (the first pass finds the day range): split() or an array of numbers would allocate per day,
  // a million days per run.
  let firstDay = Infinity;
  let lastDay = -Infinity;
  scanSeries(text, (day) => {
    firstDay = Math.min(firstDay, day);
    lastDay = Math.max(lastDay, day);
  });
  const counts = new Float64Array(lastDay >= firstDay ? lastDay - firstDay + 1 : 0);
  const windowCounts = new Float64Array(counts.length);
  scanSeries(text, (day, count, windowCount) => {
    counts[day - firstDay] = count;
    windowCounts[day - firstDay] = windowCount;
  });
  return { firstDay, counts, windowCounts };
}

function scanSeries(text: string, visit: (day: number, count: number, windowCount: number) => void): void {
  const fields = [0, 0, 0];
  let field = 0;
  let value = 0;
  let sign = 1;
  for (let i = 0; i <= text.length; i += 1) {
    const code = i < text.length ? text.charCodeAt(i) : 44;
    if (code >= 48 && code <= 57) value = value * 10 + (code - 48);
    else if (code === 45) sign = -1; // a day before 1970
    else {
      fields[field] = sign * value; // after ':' or ',' (44), and at the end
      value = 0;
      sign = 1;
      field += 1;
      if (code === 44) {
        if (field === 3) visit(fields[0]!, fields[1]!, fields[2]!);
        field = 0;
      }
    }
  }
}

/** The day (since 1970) before whose start the series' SAMPLES oldest window requests lie; none without window requests. */
function sampleCutoff(series: DailySeries): number | undefined {
  let seen = 0;
  for (let offset = 0; offset < series.windowCounts.length; offset += 1) {
    seen += series.windowCounts[offset]!;
    if (seen >= SAMPLES) return series.firstDay + offset + 1;
  }
  return seen > 0 ? series.firstDay + series.windowCounts.length : undefined;
}

interface ClientScopeInputs {
  issuedRows: Row[];
  requestedRows: Row[];
  exercisedRows: Row[];
  firstUseRows: Row[];
  daily: DailySeries[];
  issueSamples: Map<string, string[]>;
  requestSamples: Map<string, string[]>;
  exerciseSamples: Map<string, string[]>;
  windowStart: Date;
  baselineDays: number;
  /** The tenant's logs hold API requests in the window. */
  requestsSeen: boolean;
}

function buildClientScopes(
  tenant: Tenant,
  clients: Client[],
  byClientId: Map<string, Client>,
  inputs: ClientScopeInputs,
): ClientScopeFact[] {
  const facts = new Map<string, ClientScopeFact>();
  const factFor = (clientId: string, scopeName: string): ClientScopeFact | undefined => {
    const client = byClientId.get(clientId);
    if (!client) return undefined;
    const key = `${clientId}\u0000${scopeName}`;
    let fact = facts.get(key);
    if (!fact) {
      const scope: Scope | undefined = tenant.scopes[scopeName];
      const grant = client.grants.find((g) => g.scope === scopeName);
      const hasActions = (tenant.actions[scopeName]?.length ?? 0) > 0;
      fact = {
        client: client.name,
        clientId,
        scope: scopeName,
        ...(scope?.description ? { description: scope.description } : {}),
        sensitivity: scope?.sensitivity ?? 'low',
        status: scope?.status ?? 'unknown',
        granted: grant !== undefined,
        justified: Boolean(grant?.justification),
        hasActions,
        usedBy: hasActions && inputs.requestsSeen ? 'requests' : 'tokens',
        issued: 0,
        requested: 0,
        exercised: 0,
        issueSamples: [],
        exerciseSamples: [],
      };
      facts.set(key, fact);
    }
    return fact;
  };
  for (const client of clients) for (const grant of client.grants) factFor(client.clientId, grant.scope);
  for (const row of inputs.issuedRows) {
    const fact = factFor(str(row.client_id), str(row.scope));
    if (fact) Object.assign(fact, { issued: num(row.n), lastIssued: iso(row.last_at) });
  }
  for (const row of inputs.requestedRows) {
    const fact = factFor(str(row.client_id), str(row.scope));
    if (fact) Object.assign(fact, { requested: num(row.n), lastRequested: iso(row.last_at) });
  }
  for (const row of inputs.exercisedRows) {
    const fact = factFor(str(row.client_id), str(row.scope));
    if (fact) Object.assign(fact, { exercised: num(row.n), firstExercised: iso(row.first_at), lastExercised: iso(row.last_at) });
  }
  for (const row of inputs.firstUseRows) {
    const key = `${str(row.client_id)}\u0000${str(row.scope)}`;
    const fact = facts.get(key);
    if (fact) fact.firstUse = iso(row.first_at);
  }
  for (const [key, ids] of inputs.issueSamples) {
    const fact = facts.get(key);
    if (fact) fact.issueSamples = ids;
  }
  for (const [key, ids] of inputs.exerciseSamples) {
    const fact = facts.get(key);
    if (fact) fact.exerciseSamples = ids;
  }
  for (const [key, ids] of inputs.requestSamples) {
    const fact = facts.get(key);
    if (fact) fact.requestSamples = ids;
  }
  for (const series of inputs.daily) {
    const fact = facts.get(series.key);
    if (fact) fact.peak = peakOfSeries(series.firstDay, series.counts, inputs.windowStart, inputs.baselineDays);
  }
  return [...facts.values()].sort((a, b) => a.client.localeCompare(b.client) || a.scope.localeCompare(b.scope));
}

/**
 * Samples of the requests made on a spike's day, for the spikes SG307 will report: the oldest requests of the window
 * (exerciseSamples) are from other days and show nothing of the spike. Only the few spiking client×scopes are looked
 * up, by their client and day first.
 */
async function samplePeakDays(connection: DuckDBConnection, clientScopes: ClientScopeFact[], spikeFactor: number): Promise<void> {
  const spikes = clientScopes.filter((f) => f.peak !== undefined && f.peak.count > spikeFactor * Math.max(f.peak.baseline, 1));
  if (spikes.length === 0) return;
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_spike_text (client_id VARCHAR, scope VARCHAR, day VARCHAR)`);
  await insertRows(connection, 'sg_spike_text', spikes.map((f) => [f.clientId, f.scope, f.peak!.day]));
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_spikes AS
     SELECT p.pair, p.cid, CAST(t.day AS DATE) AS day FROM sg_spike_text t JOIN sg_pairs p ON p.client_id = t.client_id AND p.scope = t.scope`,
  );
  const samples = await sampleRows(
    connection, '',
    `SELECT p.client_id AS k1, p.scope AS k2, r.event_id, r.time FROM sg_requests r
     JOIN sg_request_scope m ON ${sameShape('m', 'r')} JOIN sg_spikes k ON k.pair = m.pair JOIN sg_pairs p ON p.pair = m.pair
     WHERE r.served AND r.cid IN (SELECT cid FROM sg_spikes) AND CAST(r.time AS DATE) = k.day`,
  );
  for (const fact of spikes) fact.peak!.sampleEventIds = samples.get(`${fact.clientId}\u0000${fact.scope}`) ?? [];
}

/**
 * The window day whose count is highest relative to the median of the preceding `baselineDays` days (days without
 * requests count as zero). Only days after a full baseline are judged, so a client's first month is not a spike.
 */
export function peakDay(days: Map<string, number>, windowStart: Date, baselineDays: number): ClientScopeFact['peak'] {
  const dayNumbers = [...days.keys()].map((d) => dayStartMs(d) / DAY_MS);
  if (dayNumbers.length === 0) return undefined;
  const firstDay = Math.min(...dayNumbers);
  const dense = new Float64Array(Math.max(...dayNumbers) - firstDay + 1);
  for (const [d, count] of days) dense[dayStartMs(d) / DAY_MS - firstDay] = count;
  return peakOfSeries(firstDay, dense, windowStart, baselineDays);
}

/** peakDay over counts by day since firstDay (days since 1970); days with no requests (0) are never the peak. */
function peakOfSeries(firstDay: number, dense: Float64Array, windowStart: Date, baselineDays: number): ClientScopeFact['peak'] {
  // The baseline of the day at offset o is the median of dense[o - baselineDays, o), kept sorted in `trailing` as o
  // advances (one day out, one in) instead of sorted afresh for every day: 28 values sorted per day per client×scope
  // were most of the facts' JS time.
  const trailing = dense.slice(0, baselineDays).sort(); // typed arrays sort numerically
  let trailingEnd = baselineDays; // trailing holds dense[trailingEnd - baselineDays, trailingEnd)
  const mid = Math.floor(baselineDays / 2);
  let best: ClientScopeFact['peak'];
  let bestRatio = 0;
  for (let offset = baselineDays; offset < dense.length; offset += 1) {
    const count = dense[offset]!;
    // the ratio is at most the count (the baseline counts as at least 1), so such a day cannot beat the best
    if (count <= bestRatio || (firstDay + offset) * DAY_MS < windowStart.getTime()) continue;
    if (offset - trailingEnd >= baselineDays) {
      trailing.set(dense.subarray(offset - baselineDays, offset));
      trailing.sort();
    } else {
      for (; trailingEnd < offset; trailingEnd += 1) replaceSorted(trailing, dense[trailingEnd - baselineDays]!, dense[trailingEnd]!);
    }
    trailingEnd = offset;
    const baseline = baselineDays === 0 ? 0 : baselineDays % 2 === 1 ? trailing[mid]! : (trailing[mid - 1]! + trailing[mid]!) / 2;
    const ratio = count / Math.max(baseline, 1);
    if (ratio > bestRatio) {
      bestRatio = ratio;
      best = { day: new Date((firstDay + offset) * DAY_MS).toISOString().slice(0, 10), count, baseline };
    }
  }
  return best;
}

/** Replaces one occurrence of `out` by `into` in an ascending array, keeping it ascending. */
function replaceSorted(sorted: Float64Array, out: number, into: number): void {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < out) low = middle + 1;
    else high = middle;
  }
  let at = low;
  sorted[at] = into;
  while (at > 0 && sorted[at - 1]! > into) {
    sorted[at] = sorted[at - 1]!;
    sorted[--at] = into;
  }
  while (at < sorted.length - 1 && sorted[at + 1]! < into) {
    sorted[at] = sorted[at + 1]!;
    sorted[++at] = into;
  }
}

/** `YYYY-MM-DD` → its UTC midnight in ms (Date.parse of the ISO text, without building the string). */
function dayStartMs(dayText: string): number {
  return Date.UTC(Number(dayText.slice(0, 4)), Number(dayText.slice(5, 7)) - 1, Number(dayText.slice(8, 10)));
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type Query = (sql: string) => Promise<Row[]>;

async function tokenFacts(
  query: Query,
  connection: DuckDBConnection,
  tenant: Tenant,
  table: string,
  inWindow: string,
  /** The span idle refresh tokens are looked for in (see TOKEN_HISTORY_DAYS). */
  inTokenHistory: string,
  until: string,
  byClientId: Map<string, Client>,
): Promise<TokenFact[]> {
  // token use with a scope the client does not hold (any more); unknown clients are left to SG306.
  // The clients concerned are found from their used scope sets first (sg_scope_sets); only their events are then
  // unnested per token.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_ungranted_clients AS
     SELECT DISTINCT s.client_id FROM sg_scope_sets s CROSS JOIN UNNEST(s.scopes) AS u(scope)
     JOIN sg_clients c ON c.client_id = s.client_id
     LEFT JOIN sg_grants g ON g.client_id = s.client_id AND g.scope = u.scope
     WHERE s.used_n > 0 AND g.scope IS NULL`,
  );
  // their uses (that did not fail, as for the uses after revocation and deletion below) with a scope not granted, one
  // row per such scope, collected once for the counts and the samples
  await timed('ungranted use', () => connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_ungranted_use AS
     SELECT e.token_id, u.scope, e.event_id, e.time FROM (
       SELECT client_id, token_id, scopes, event_id, time FROM ${table}
       WHERE ${inWindow} AND token_id IS NOT NULL AND type IN (${USE_TYPES}) AND ${DID_NOT_FAIL}
         AND client_id IN (SELECT client_id FROM sg_ungranted_clients)
     ) AS e CROSS JOIN UNNEST(e.scopes) AS u(scope)
     LEFT JOIN sg_grants g ON g.client_id = e.client_id AND g.scope = u.scope
     WHERE g.scope IS NULL`,
    [tenant.name],
  ));
  const ungrantedScopes = await query(`SELECT token_id, scope FROM sg_ungranted_use GROUP BY token_id, scope`);
  // an event that carried two ungranted scopes is one use, counted and sampled once
  const ungranted = await query(
    `SELECT token_id, CAST(COUNT(DISTINCT event_id) AS INTEGER) AS n, ${ts('MIN(time)')} AS first_at, ${ts('MAX(time)')} AS last_at
     FROM sg_ungranted_use GROUP BY token_id`,
  );
  const ungrantedSamples = await sampleRows(
    connection, tenant.name,
    `SELECT token_id AS k1, '' AS k2, event_id, time FROM (SELECT DISTINCT token_id, event_id, time FROM sg_ungranted_use) AS e`,
  );
  // Revocations and client deletions that did not fail, before the window's end, collected once: a failed revocation
  // (Keycloak's LOGOUT_ERROR) or deletion left the token or client as it was.
  await timed('revocations and deletions', async () => {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE sg_revoked AS
       SELECT token_id, MIN(time) AS revoked_at FROM ${table}
       WHERE tenant = $1 AND type = 'token.revoked' AND ${DID_NOT_FAIL} AND token_id IS NOT NULL AND time < ${until} GROUP BY token_id`,
      [tenant.name],
    );
    await connection.run(
      // a client created again with the same id after its deletion is in use again from then on
      `CREATE OR REPLACE TEMP TABLE sg_deleted AS
       WITH deleted AS (
         SELECT client_id, MIN(time) AS deleted_at FROM ${table}
         WHERE tenant = $1 AND type = 'client.deleted' AND ${DID_NOT_FAIL} AND client_id IS NOT NULL AND time < ${until} GROUP BY client_id)
       SELECT d.client_id, d.deleted_at, MIN(c.time) AS recreated_at
       FROM deleted d LEFT JOIN ${table} c
         ON c.tenant = $1 AND c.type = 'client.created' AND c.outcome <> 'failure' AND c.client_id = d.client_id
           AND c.time > d.deleted_at AND c.time < ${until}
       GROUP BY d.client_id, d.deleted_at`,
      [tenant.name],
    );
  });
  const usesAfterRevoke = `FROM ${table} e JOIN sg_revoked r ON r.token_id = e.token_id
     WHERE ${prefixed(inWindow)} AND e.type IN (${USE_TYPES}) AND e.time > r.revoked_at AND e.outcome <> 'failure'`;
  const afterRevoke = await query(
    `SELECT e.token_id, CAST(COUNT(*) AS INTEGER) AS n, ${ts('MIN(e.time)')} AS first_at, ${ts('MAX(e.time)')} AS last_at
     ${usesAfterRevoke} GROUP BY e.token_id`,
  );
  const afterRevokeSamples = await sampleRows(connection, tenant.name, `SELECT e.token_id AS k1, '' AS k2, e.event_id, e.time ${usesAfterRevoke}`);
  const usesAfterDelete = `FROM ${table} e JOIN sg_deleted d ON d.client_id = e.client_id
     WHERE ${prefixed(inWindow)} AND e.token_id IS NOT NULL AND e.type IN (${USE_TYPES}) AND e.time > d.deleted_at
       AND (d.recreated_at IS NULL OR e.time < d.recreated_at) AND e.outcome <> 'failure'`;
  const afterDelete = await query(
    `SELECT e.token_id, ${ts('MIN(d.deleted_at)')} AS deleted_at, CAST(COUNT(*) AS INTEGER) AS n,
       ${ts('MIN(e.time)')} AS first_at, ${ts('MAX(e.time)')} AS last_at
     ${usesAfterDelete} GROUP BY e.token_id`,
  );
  const afterDeleteSamples = await sampleRows(connection, tenant.name, `SELECT e.token_id AS k1, '' AS k2, e.event_id, e.time ${usesAfterDelete}`);
  // Only tokens something can be said about: long-lived ones (refreshed successfully: a failed refresh says nothing of
  // the token's life) for idleness, or misused ones. Everything below is restricted to them, so the cost follows the
  // candidates, not every short-lived access token. A token idle since before the window is idle all the longer, so
  // candidates and their events come from the token history (a year before `until`, see TOKEN_HISTORY_DAYS), as
  // consents come from all history: a token last refreshed 111 days ago is judged in a 90-day window, and any
  // token in a window of 30 days or less.
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_token_candidates (token_id VARCHAR)`);
  await timed('INSERT INTO sg_token_candidates SELECT DISTINCT', () => connection.run(
    `INSERT INTO sg_token_candidates SELECT DISTINCT token_id FROM ${table}
     WHERE ${inTokenHistory} AND token_id IS NOT NULL AND type = 'token.refreshed' AND ${DID_NOT_FAIL}`,
    [tenant.name],
  ));
  await insertRows(connection, 'sg_token_candidates', [...new Set([...ungranted, ...afterRevoke, ...afterDelete].map((r) => str(r.token_id)))].map((id) => [id]));
  // their events, collected once for the token rows, the scopes carried and the samples
  await timed('candidate token events', () => connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_token_events AS
     SELECT e.token_id, e.client_id, e.type, e.outcome, e.scopes, e.event_id, e.time FROM ${table} e
     WHERE ${prefixed(inTokenHistory)} AND e.token_id IN (SELECT token_id FROM sg_token_candidates)`,
    [tenant.name],
  ));
  // a use is one that did not fail, as for the uses after revocation: a refused request or a failed refresh is no sign
  // that the token is alive
  const rows = await query(
    `SELECT token_id, MIN(client_id) AS client_id, ${ts('MIN(time)')} AS first_at, ${ts('MAX(time)')} AS last_at,
       ${ts(`MAX(CASE WHEN type IN (${USE_TYPES}) AND ${DID_NOT_FAIL} THEN time END)`)} AS last_used,
       CAST(COUNT(*) AS INTEGER) AS n,
       CAST(SUM(CASE WHEN type = 'token.refreshed' AND ${DID_NOT_FAIL} THEN 1 ELSE 0 END) AS INTEGER) AS refreshes
     FROM sg_token_events GROUP BY token_id`,
  );
  const carried = await query(
    `SELECT e.token_id, u.scope FROM (
       SELECT token_id, scopes FROM sg_token_events GROUP BY token_id, scopes
     ) AS e CROSS JOIN UNNEST(e.scopes) AS u(scope) GROUP BY e.token_id, u.scope`,
  );
  const tokenSamples = await sampleRows(
    connection, tenant.name,
    `SELECT e.token_id AS k1, '' AS k2, e.event_id, e.time FROM sg_token_events e`,
  );
  // a revocation counts whenever it happened before the window's end, like the one use-after-revocation is measured
  // against: a token revoked before the window and used in it is no idle token waiting to be revoked
  const revocations = await query(
    `SELECT token_id, ${ts('revoked_at')} AS revoked_at FROM sg_revoked WHERE token_id IN (SELECT token_id FROM sg_token_candidates)`,
  );
  const revokedAtOf = new Map(revocations.map((r) => [str(r.token_id), iso(r.revoked_at)]));

  const scopesOf = groupBy(carried, (r) => str(r.token_id), (r) => str(r.scope));
  const ungrantedScopesOf = groupBy(ungrantedScopes, (r) => str(r.token_id), (r) => str(r.scope));
  const ungrantedOf = new Map(ungranted.map((r) => [str(r.token_id), r]));
  const revokeOf = new Map(afterRevoke.map((r) => [str(r.token_id), r]));
  const deleteOf = new Map(afterDelete.map((r) => [str(r.token_id), r]));
  const tokens: TokenFact[] = [];
  for (const row of rows) {
    const tokenId = str(row.token_id);
    const refreshes = num(row.refreshes);
    const misuse = ungrantedOf.get(tokenId);
    const revoke = revokeOf.get(tokenId);
    const deleted = deleteOf.get(tokenId);
    const clientId = str(row.client_id);
    const fact: TokenFact = {
      tokenId,
      client: byClientId.get(clientId)?.name,
      clientId,
      scopes: (scopesOf.get(tokenId) ?? []).sort(),
      firstSeen: iso(row.first_at)!,
      lastSeen: iso(row.last_at)!,
      lastUsed: iso(row.last_used),
      events: num(row.n),
      refreshes,
      revokedAt: revokedAtOf.get(tokenId),
      scopesNotGranted: (ungrantedScopesOf.get(tokenId) ?? []).sort(),
      sampleEventIds: tokenSamples.get(`${tokenId}\u0000`) ?? [],
    };
    if (misuse) fact.ungrantedUse = evidence(misuse, ungrantedSamples.get(`${tokenId}\u0000`) ?? []);
    if (revoke) fact.useAfterRevoke = evidence(revoke, afterRevokeSamples.get(`${tokenId}\u0000`) ?? []);
    if (deleted) fact.useAfterClientDeleted = { ...evidence(deleted, afterDeleteSamples.get(`${tokenId}\u0000`) ?? []), deletedAt: iso(deleted.deleted_at)! };
    tokens.push(fact);
  }
  return tokens.sort((a, b) => a.tokenId.localeCompare(b.tokenId));
}

async function grantFacts(
  query: Query,
  connection: DuckDBConnection,
  tenantName: string,
  table: string,
  until: string,
  byClientId: Map<string, Client>,
): Promise<GrantFact[]> {
  // Only events that did not fail count: a failed consent created nothing, a failed revocation left the consent as it
  // was, and a failed attempt is no sign that the consent is in use.
  const rows = await query(
    `SELECT grant_id, MIN(client_id) AS client_id,
       ${ts(`MIN(CASE WHEN type = 'consent.granted' THEN time END)`)} AS granted_at,
       ${ts('MAX(time)')} AS last_at,
       CAST(SUM(CASE WHEN type = 'consent.revoked' THEN 1 ELSE 0 END) AS INTEGER) AS revocations
     FROM ${table} WHERE tenant = $1 AND grant_id IS NOT NULL AND time < ${until} AND ${DID_NOT_FAIL}
     GROUP BY grant_id HAVING SUM(CASE WHEN type = 'consent.granted' THEN 1 ELSE 0 END) > 0`,
  );
  const samples = await sampleRows(
    connection, tenantName,
    `SELECT e.grant_id AS k1, '' AS k2, e.event_id, e.time FROM ${table} e
     WHERE e.tenant = $1 AND e.grant_id IS NOT NULL AND e.time < ${until} AND e.outcome <> 'failure'`,
  );
  return rows
    .map((row) => ({
      grantId: str(row.grant_id),
      clientId: str(row.client_id),
      client: byClientId.get(str(row.client_id))?.name,
      grantedAt: iso(row.granted_at)!,
      lastSeen: iso(row.last_at)!,
      revoked: num(row.revocations) > 0,
      sampleEventIds: samples.get(`${str(row.grant_id)}\u0000`) ?? [],
    }))
    .sort((a, b) => a.grantId.localeCompare(b.grantId));
}

async function clientLevelFacts(
  query: Query,
  connection: DuckDBConnection,
  tenant: Tenant,
  table: string,
  inWindow: string,
  since: string,
  clients: Client[],
  closure: ReadonlyMap<string, string[]>,
): Promise<ClientFact[]> {
  const requests = await query(
    `SELECT client_id, CAST(SUM(requests_n) AS INTEGER) AS n FROM sg_scope_sets GROUP BY client_id HAVING SUM(requests_n) > 0`,
  );
  const firstSeen = await query(`SELECT client_id, ${ts('MIN(first_at)')} AS first_at FROM sg_scope_sets GROUP BY client_id`);
  // requests of shapes no granted scope allows, from the shapes (see loadRequestShapes)
  const unmatched = await query(
    `SELECT client_id, CAST(SUM(window_n) AS INTEGER) AS n, ${ts('MIN(window_first)')} AS first_at, ${ts('MAX(window_last)')} AS last_at
     FROM sg_request_unmatched WHERE window_n > 0 GROUP BY client_id`,
  );
  const unmatchedEndpoints = await query(
    `SELECT client_id, method, path FROM sg_request_unmatched WHERE window_n > 0 ORDER BY client_id, path, method`,
  );
  const unmatchedSamples = await sampleRows(
    connection, tenant.name,
    `SELECT m.client_id AS k1, '' AS k2, r.event_id, r.time FROM sg_requests r JOIN sg_request_unmatched m ON ${sameShape('m', 'r')}
     WHERE r.time >= ${since}`,
  );
  // denials are a small share of the events: collect them once, then count per day and sample from that
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE sg_denials AS
     SELECT client_id, event_id, time FROM ${table} WHERE ${inWindow} AND ${DENIAL_CONDITION}`,
    [tenant.name],
  );
  const denialDays = await query(
    `SELECT client_id, ${day('time')} AS d, CAST(COUNT(*) AS INTEGER) AS n, ${ts('MIN(time)')} AS first_at, ${ts('MAX(time)')} AS last_at
     FROM sg_denials WHERE client_id IS NOT NULL
     GROUP BY client_id, ${day('time')}`,
  );
  const denialSamples = await sampleRows(
    connection, tenant.name,
    `SELECT e.client_id AS k1, '' AS k2, e.event_id, e.time FROM sg_denials e`,
  );
  // The provider's scope set: its newest change that did not fail and carries one. An event without scopes reports no
  // scope set, whatever its type: a client.updated or client.created without them is a secret rotation or a change of
  // name or URLs (GitHub's oauth_application.reset_secret, Auth0's rotate-secret, Entra's "Add service principal
  // credentials", Keycloak's CLIENT UPDATE without a representation), and a grant.changed without them is a change of
  // something else (the repositories of a GitHub App installation, Keycloak's role mappings, Entra's Remove logged beside
  // an Add that removed nothing). The store keeps an absent list and an empty one alike, so a provider's "every scope
  // removed" cannot be told from those; it shows as grants no longer used (SG301). array_length is DuckDB's spelling of
  // standard CARDINALITY on an array.
  const observed = await query(
    `SELECT client_id, event_id, ${ts('time')} AS at, scopes FROM (
       SELECT client_id, event_id, time, scopes,
         ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY time DESC, event_id DESC) AS rn
       FROM ${table} WHERE ${inWindow} AND type IN (${PROVIDER_GRANT_TYPES}) AND ${DID_NOT_FAIL} AND client_id IS NOT NULL
         AND array_length(scopes) > 0
     ) AS latest WHERE rn = 1`,
  );
  const withImplied = (scopes: string[]): string[] => [...new Set(scopes.flatMap((s) => [s, ...(closure.get(s) ?? [])]))].sort();
  const issuedNotGranted = await query(
    `SELECT s.client_id, u.scope, CAST(SUM(s.ing_n) AS INTEGER) AS n, ${ts('MIN(s.ing_first)')} AS first_at, ${ts('MAX(s.ing_last)')} AS last_at
     FROM sg_scope_sets s CROSS JOIN UNNEST(s.scopes) AS u(scope)
     JOIN sg_clients c ON c.client_id = s.client_id
     LEFT JOIN sg_grants g ON g.client_id = s.client_id AND g.scope = u.scope
     WHERE s.ing_n > 0 AND g.scope IS NULL
     GROUP BY s.client_id, u.scope`,
  );
  // The pairs found above are exactly those with sample-worthy events: join them instead of anti-joining every event.
  await connection.run(`CREATE OR REPLACE TEMP TABLE sg_issued_not_granted (client_id VARCHAR, scope VARCHAR)`);
  await insertRows(connection, 'sg_issued_not_granted', issuedNotGranted.map((r) => [str(r.client_id), str(r.scope)]));
  const issuedNotGrantedSamples = await sampleRows(
    connection, tenant.name,
    `SELECT e.client_id AS k1, u.scope AS k2, e.event_id, e.time FROM (
       SELECT client_id, scopes, event_id, time FROM ${table}
       WHERE ${inWindow} AND type IN ('token.issued', 'authorize.granted') AND outcome <> 'failure'
         AND client_id IN (SELECT client_id FROM sg_issued_not_granted)
     ) AS e CROSS JOIN UNNEST(e.scopes) AS u(scope)
     JOIN sg_issued_not_granted k ON k.client_id = e.client_id AND k.scope = u.scope`,
  );

  const requestsOf = new Map(requests.map((r) => [str(r.client_id), num(r.n)]));
  const firstSeenOf = new Map(firstSeen.map((r) => [str(r.client_id), iso(r.first_at)]));
  const unmatchedOf = new Map(unmatched.map((r) => [str(r.client_id), r]));
  const endpointsOf = groupBy(unmatchedEndpoints, (r) => str(r.client_id), (r) => `${str(r.method)} ${str(r.path)}`);
  const denialsOf = groupBy(denialDays, (r) => str(r.client_id), (r) => r);
  const observedOf = new Map(observed.map((r) => [str(r.client_id), r]));
  const issuedOf = groupBy(issuedNotGranted, (r) => str(r.client_id), (r) => r);
  return clients
    .map((client) => {
      const id = client.clientId;
      const miss = unmatchedOf.get(id);
      const denials = denialsOf.get(id) ?? [];
      const peak = [...denials].sort((a, b) => num(b.n) - num(a.n) || isoDay(a.d).localeCompare(isoDay(b.d)))[0];
      const seen = observedOf.get(id);
      const fact: ClientFact = {
        client: client.name,
        clientId: id,
        granted: client.grants.map((g) => g.scope).sort(),
        grantedWithImplied: withImplied(client.grants.map((g) => g.scope)),
        requests: requestsOf.get(id) ?? 0,
        firstSeen: firstSeenOf.get(id),
        unmatched: {
          ...(miss ? evidence(miss, unmatchedSamples.get(`${id}\u0000`) ?? []) : { count: 0, sampleEventIds: [] }),
          endpoints: (endpointsOf.get(id) ?? []).slice(0, 10),
        },
        denials: {
          count: denials.reduce((sum, r) => sum + num(r.n), 0),
          first: denials.map((r) => iso(r.first_at)!).sort()[0],
          last: denials.map((r) => iso(r.last_at)!).sort().at(-1),
          sampleEventIds: denialSamples.get(`${id}\u0000`) ?? [],
          peakDay: peak ? isoDay(peak.d) : undefined,
          peakCount: peak ? num(peak.n) : 0,
        },
        issuedNotGranted: (issuedOf.get(id) ?? [])
          .map((r) => ({ scope: str(r.scope), ...evidence(r, issuedNotGrantedSamples.get(`${id}\u0000${str(r.scope)}`) ?? []) }))
          .sort((a, b) => a.scope.localeCompare(b.scope)),
      };
      if (seen) {
        const scopes = listOf(seen.scopes).sort();
        fact.observedGrants = { scopes, withImplied: withImplied(scopes), at: iso(seen.at)!, eventId: str(seen.event_id) };
      }
      return fact;
    })
    .sort((a, b) => a.client.localeCompare(b.client));
}

async function unknownClientFacts(
  query: Query,
  connection: DuckDBConnection,
  tenantName: string,
  table: string,
  inWindow: string,
): Promise<UnknownClientFact[]> {
  // Events of unknown clients are few: collect them once for the counts, the types and the samples. Their ids come
  // from the scope sets (every client with events in the window), so the events are filtered by a handful of ids
  // instead of anti-joining every event with the registry's clients.
  await timed('unknown clients', async () => {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE sg_unknown_ids AS
       SELECT DISTINCT s.client_id FROM sg_scope_sets s
       WHERE s.window_n > 0 AND s.client_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sg_clients c WHERE c.client_id = s.client_id)`,
    );
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE sg_unknown_events AS
       SELECT e.client_id, e.type, e.outcome, e.event_id, e.time FROM ${table} e
       WHERE ${prefixed(inWindow)} AND e.client_id IN (SELECT client_id FROM sg_unknown_ids)`,
      [tenantName],
    );
  });
  // deleted: the newest deletion that did not fail is later than every other event that did not fail (one at the very
  // same time leaves the order unknown: not taken as deleted)
  const deletion = `e.type = 'client.deleted' AND e.outcome <> 'failure'`;
  const rows = await query(
    `SELECT client_id, n, first_at, last_at, CASE WHEN deleted_at IS NOT NULL AND (alive_at IS NULL OR alive_at < deleted_at) THEN ${ts('deleted_at')} END AS deleted_at
     FROM (
       SELECT e.client_id, CAST(COUNT(*) AS INTEGER) AS n, ${ts('MIN(e.time)')} AS first_at, ${ts('MAX(e.time)')} AS last_at,
         MAX(CASE WHEN ${deletion} THEN e.time END) AS deleted_at,
         MAX(CASE WHEN NOT (${deletion}) AND e.outcome <> 'failure' THEN e.time END) AS alive_at
       FROM sg_unknown_events e GROUP BY e.client_id
     ) AS unknown_clients`,
  );
  const types = await query(`SELECT e.client_id, e.type FROM sg_unknown_events e GROUP BY e.client_id, e.type`);
  const samples = await sampleRows(connection, tenantName, `SELECT e.client_id AS k1, '' AS k2, e.event_id, e.time FROM sg_unknown_events e`);
  const typesOf = groupBy(types, (r) => str(r.client_id), (r) => str(r.type));
  return rows
    .map((row) => ({
      clientId: str(row.client_id),
      types: (typesOf.get(str(row.client_id)) ?? []).sort(),
      evidence: evidence(row, samples.get(`${str(row.client_id)}\u0000`) ?? []),
      ...(row.deleted_at !== null && row.deleted_at !== undefined ? { deletedAt: iso(row.deleted_at) } : {}),
    }))
    .sort((a, b) => a.clientId.localeCompare(b.clientId));
}

/**
 * Up to five event ids per (k1, k2) key from a SELECT producing k1, k2, event_id, time, oldest first (ties by event
 * id): one grouped query, never a query per key. `arg_min(x, key, n)` (the n rows with the smallest key, in key order)
 * is DuckDB's; Trino spells it `min_by(x, key, n)`, elsewhere it is `ROW_NUMBER() OVER (PARTITION BY k1, k2 ORDER BY
 * time, event_id) <= 5`, which gives the same ids but sorts every candidate row (4x slower here over a million requests).
 */
function sampleRows(connection: DuckDBConnection, tenantName: string, select: string): Promise<Map<string, string[]>> {
  return timed(`samples: ${select}`, async () => {
    const reader = await connection.runAndReadAll(
      `SELECT k1, k2, ${sampleIdsOf('event_id', 'time')} AS ids FROM (${select}) AS candidates GROUP BY k1, k2`,
      select.includes('$1') ? [tenantName] : [],
    );
    const out = new Map<string, string[]>();
    for (const row of reader.getRowObjectsJS() as Row[]) out.set(`${str(row.k1)}\u0000${str(row.k2)}`, listOf(row.ids));
    return out;
  });
}

/** The up-to-five sample ids of a group, oldest first, ties broken by id (DuckDB's top-n arg_min: see sampleRows). */
function sampleIdsOf(eventId: string, time: string): string {
  return `arg_min(${eventId}, (${time}, ${eventId}), ${SAMPLES})`;
}

/** Runs work; under SCOPEGUARD_PROFILE_SQL prints its wall time and the process's CPU time (DuckDB's threads included). */
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (!process.env.SCOPEGUARD_PROFILE_SQL) return work();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const { user, system } = process.cpuUsage(cpu);
  const line = `${(performance.now() - started).toFixed(0).padStart(5)} ms  cpu ${((user + system) / 1000).toFixed(0).padStart(5)} ms  ${label.replace(/\s+/g, ' ').trim()}`;
  process.stderr.write(`${line.slice(0, 150)}\n`);
  return result;
}

function insertRows(connection: DuckDBConnection, table: string, rows: ReadonlyArray<ReadonlyArray<string | number>>): Promise<void> {
  // DuckDB-specific loading (not part of the queries): the appender takes 100k rows in milliseconds where bound
  // multi-row INSERT statements took seconds. Other engines load these small registry tables their own way.
  return timed(`insert ${rows.length} rows into ${table}`, async () => {
    const appender = await connection.createAppender(table, null, 'temp');
    try {
      for (const row of rows) {
        for (const value of row) {
          if (typeof value === 'number') appender.appendInteger(value);
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  });
}


function evidence(row: Row, sampleEventIds: string[]): Evidence {
  return { count: num(row.n), first: iso(row.first_at), last: iso(row.last_at), sampleEventIds };
}

function groupBy<T>(rows: Row[], key: (row: Row) => string, value: (row: Row) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k) ?? [];
    list.push(value(row));
    out.set(k, list);
  }
  return out;
}

/** `tenant = $1 AND time ...` → `e.tenant = $1 AND e.time ...` for queries that join. */
function prefixed(condition: string, all = false): string {
  const columns = all
    ? ['tenant', 'time', 'type', 'outcome', 'request_status']
    : ['tenant', 'time'];
  let out = condition;
  for (const column of columns) out = out.replace(new RegExp(`(^|[\\s(])${column}\\b`, 'g'), `$1e.${column}`);
  return out;
}

/** A standard TIMESTAMP literal (UTC, the store's convention). */
function sqlTimestamp(date: Date): string {
  return `TIMESTAMP '${timestampText(date)}'`;
}

function timestampText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Timestamps leave SQL as text, so every engine returns the same thing. */
function ts(expression: string): string {
  return `CAST(${expression} AS VARCHAR)`;
}

/** Days since 1970-01-01 of a DATE, as an integer (Trino and ClickHouse have the same date_diff). */
function epochDay(expression: string): string {
  return `CAST(date_diff('day', DATE '1970-01-01', ${expression}) AS INTEGER)`;
}

function day(expression: string): string {
  return `CAST(CAST(${expression} AS DATE) AS VARCHAR)`;
}

function str(value: DuckDBValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

function num(value: DuckDBValue | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function listOf(value: DuckDBValue | undefined): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (value && typeof value === 'object' && 'items' in value) return (value as { items: unknown[] }).items.map(String);
  return [];
}

/** `2026-01-02 10:00:00[.123]` (DuckDB's VARCHAR of a TIMESTAMP) → `2026-01-02T10:00:00Z`. */
function iso(value: DuckDBValue | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  // whole seconds, the common case, need no Date: tens of thousands of these are converted per tenant
  if (text.length === 19 && WHOLE_SECONDS.test(text)) return `${text.slice(0, 10)}T${text.slice(11)}Z`;
  const parsed = new Date(`${text.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'}`);
  return Number.isNaN(parsed.getTime()) ? text : parsed.toISOString().replace('.000Z', 'Z');
}

const WHOLE_SECONDS = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

function isoDay(value: DuckDBValue | undefined): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}
