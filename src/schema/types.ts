/* eslint-disable */
/**
 * generated, do not edit: produced by `npm run gen:types` (scripts/gen-types.ts) from src/schema/*.schema.json.
 * Change the schemas and regenerate instead.
 */

// from action-map.schema.json
/**
 * What each scope of a tenant allows, as request patterns (kind: ActionMap).
 */
export interface ActionMap {
  /**
   * Document kind; always ActionMap here.
   */
  kind: 'ActionMap';
  /**
   * Tenant whose scopes are mapped. A name of letters, digits, `.`, `_` and `-` that starts with a letter or digit, other than index.md (it names the tenant's folder of reports, beside their index.md).
   */
  tenant: string;
  /**
   * Scope name → request patterns `METHOD /path` with `*` (one segment), `**` (any depth) and `{param}`.
   */
  actions: {
    /**
     * Request patterns one scope allows.
     *
     * Items: One request pattern, e.g. `GET /v1/orders/{id}`.
     */
    [k: string]: string[];
  };
}

// from audit-event.schema.json
/**
 * What happened, in the provider-neutral vocabulary.
 */
export type AuditEventType =
  | 'token.issued'
  | 'token.refreshed'
  | 'token.revoked'
  | 'authorize.granted'
  | 'authorize.denied'
  | 'consent.granted'
  | 'consent.revoked'
  | 'client.created'
  | 'client.updated'
  | 'client.deleted'
  | 'grant.changed'
  | 'scope.changed'
  | 'api.request'
  | 'other';

/**
 * One audit event in the normalized shape every provider importer produces (one line of a `scopeguard` NDJSON export).
 */
export interface AuditEvent {
  /**
   * The provider's event id, else `sha256:` of the canonical (scrubbed) raw record.
   */
  eventId: string;
  /**
   * Tenant the event belongs to.
   */
  tenant: string;
  /**
   * Importer that produced the event: okta, auth0, github, google, entra, keycloak, gateway or scopeguard.
   */
  provider: string;
  /**
   * When it happened, ISO-8601 in UTC (`2026-11-20T08:15:00.000Z`).
   */
  time: string;
  type: AuditEventType;
  /**
   * The provider's own event type (Okta eventType, Auth0 type code, GitHub action, ...).
   */
  rawType?: string;
  /**
   * Whether it succeeded.
   */
  outcome: 'success' | 'failure' | 'unknown';
  actor?: AuditActor;
  /**
   * The provider's OAuth client id (joins to ClientSet clientId).
   */
  clientId?: string;
  /**
   * Scopes granted to or carried by the token/request.
   */
  scopes?: string[];
  /**
   * Scopes the client asked for.
   */
  requestedScopes?: string[];
  /**
   * Token identifier (jti, hash); a bearer value is replaced by `sha256:<hex>`, never stored.
   */
  tokenId?: string;
  /**
   * Grant or consent identifier at the provider.
   */
  grantId?: string;
  request?: AuditRequest;
  /**
   * Client IP address.
   */
  ip?: string;
  /**
   * User agent.
   */
  userAgent?: string;
  source?: AuditSource;
}
/**
 * Who did it.
 */
export interface AuditActor {
  /**
   * Provider id of the actor.
   */
  id?: string;
  /**
   * user, client, service-principal, admin, system...
   */
  type?: string;
  /**
   * Display name or login.
   */
  name?: string;
}
/**
 * The API request, for gateway access logs and provider API calls.
 */
export interface AuditRequest {
  /**
   * HTTP method, upper case.
   */
  method?: string;
  /**
   * Request path (query string scrubbed of secrets).
   */
  path?: string;
  /**
   * HTTP status code.
   */
  status?: number;
}
/**
 * Where the event was read from.
 */
export interface AuditSource {
  /**
   * File path as given to `logs import` (`-` for stdin).
   */
  file: string;
  /**
   * 1-based line where the record starts.
   */
  line: number;
}

// from client-set.schema.json
/**
 * The OAuth clients of one tenant and the scopes granted to them (kind: ClientSet).
 */
export interface ClientSet {
  /**
   * Document kind; always ClientSet here.
   */
  kind: 'ClientSet';
  /**
   * Tenant the clients are registered with. A name of letters, digits, `.`, `_` and `-` that starts with a letter or digit, other than index.md (it names the tenant's folder of reports, beside their index.md).
   */
  tenant: string;
  /**
   * Client name → its definition.
   */
  clients: {
    [k: string]: ClientDefinition;
  };
}
/**
 * One OAuth client (application).
 */
export interface ClientDefinition {
  /**
   * The provider's client id, used to join audit logs.
   */
  clientId: string;
  /**
   * Team that owns the client (a key of Config owners).
   */
  owner?: string;
  /**
   * confidential (has a secret), public (browser/mobile, no secret) or machine (client credentials).
   */
  type: 'confidential' | 'public' | 'machine';
  /**
   * What the client is.
   */
  description?: string;
  /**
   * Scopes granted to the client.
   */
  scopes?: string[];
  /**
   * Scope → why the client needs it (expected for high and critical scopes).
   */
  justification?: {
    /**
     * Why the client needs this scope.
     */
    [k: string]: string;
  };
}

// from config.schema.json
/**
 * Project settings (scopes/scopeguard.yaml, kind: Config). Every key is optional and has a default.
 */
export interface Config {
  /**
   * Document kind; always Config here.
   */
  kind: 'Config';
  /**
   * Lowest finding severity that makes `check` exit 1; `never` only reports. Default high.
   */
  failOn?: 'critical' | 'high' | 'medium' | 'low' | 'info' | 'never';
  thresholds?: Thresholds;
  gateway?: GatewaySettings;
  /**
   * Per tenant: where its audit logs are read from.
   */
  sources?: {
    /**
     * Log sources of one tenant.
     */
    [k: string]: LogSource[];
  };
  /**
   * Webhooks that receive alerts for findings.
   */
  alerts?: AlertTarget[];
  /**
   * Per-rule settings keyed by rule id (e.g. SG106): severity override or off, plus rule options.
   */
  rules?: {
    [k: string]: RuleSettings;
  };
  /**
   * Owner name → the git author emails and GitHub logins that may change what this owner owns.
   */
  owners?: {
    [k: string]: OwnerIdentities;
  };
  /**
   * Extra Rego policy folders, compiled when opa is available.
   */
  policies?: string[];
  /**
   * Path of the DuckDB audit store (default .scopeguard/audit.duckdb).
   */
  store?: string;
}
/**
 * Numbers the built-in rules judge against.
 */
export interface Thresholds {
  /**
   * A granted scope not exercised for this many days is unused (default 90).
   */
  unusedScopeDays?: number;
  /**
   * A token not seen for this many days is idle (default 30).
   */
  idleTokenDays?: number;
  /**
   * Days a scope must stay deprecated before it may be removed (default 30).
   */
  minDeprecationDays?: number;
  /**
   * Longest allowed lifetime of an exception, in days (default 180).
   */
  maxExceptionDays?: number;
  /**
   * Daily use above this multiple of the baseline is a spike (default 5).
   */
  spikeFactor?: number;
  /**
   * More clients than this holding a broad scope is a finding (default 3).
   */
  maxHoldersOfBroadScope?: number;
  /**
   * This many denials for one client within a day is a burst (default 10).
   */
  denialBurst?: number;
}
/**
 * How to read API gateway JSON access logs.
 */
export interface GatewaySettings {
  fields?: GatewayFields;
}
/**
 * Dot-paths into one gateway JSON log line (e.g. `request.client.id`) for each normalized field.
 */
export interface GatewayFields {
  /**
   * Dot-path of the request time.
   */
  time?: string;
  /**
   * Dot-path of the OAuth client id.
   */
  clientId?: string;
  /**
   * Dot-path of the scopes the token carried (array or space-separated string).
   */
  scopes?: string;
  /**
   * Dot-path of the HTTP method.
   */
  method?: string;
  /**
   * Dot-path of the request path.
   */
  path?: string;
  /**
   * Dot-path of the HTTP status code.
   */
  status?: string;
  /**
   * Dot-path of the token id (jti or a hash; never the token itself).
   */
  tokenId?: string;
  /**
   * Dot-path of the gateway's request id.
   */
  eventId?: string;
  /**
   * Dot-path of the client IP address.
   */
  ip?: string;
  /**
   * Dot-path of the user agent.
   */
  userAgent?: string;
  /**
   * Dot-path of the success/failure outcome, when the gateway logs one.
   */
  outcome?: string;
}
/**
 * One log source: a provider's export read from a file or folder.
 */
export interface LogSource {
  /**
   * Importer name, e.g. okta, auth0, github, google, entra, keycloak, gateway, scopeguard.
   */
  provider: string;
  /**
   * File or folder with the exported logs, relative to the working directory.
   */
  path: string;
}
/**
 * One webhook receiving alerts.
 */
export interface AlertTarget {
  /**
   * Webhook URL: http:// or https:// (https for anything not on this machine). `user:password@` in it is sent as HTTP Basic authentication; only its origin is ever printed.
   */
  url: string;
  /**
   * Payload shape: plain JSON or a Slack message.
   */
  format?: 'json' | 'slack';
  /**
   * Name of the environment variable holding the HMAC signing secret.
   */
  secretEnv?: string;
}
/**
 * Settings of one rule; keys other than severity are rule options.
 */
export interface RuleSettings {
  /**
   * Severity override, or off to disable the rule.
   */
  severity?: 'critical' | 'high' | 'medium' | 'low' | 'info' | 'off';
  /**
   * SG107: how many clients may hold a broad scope before it is reported (overrides thresholds.maxHoldersOfBroadScope).
   */
  maxHolders?: number;
  [k: string]: unknown;
}
/**
 * Identities of one owner.
 */
export interface OwnerIdentities {
  /**
   * Git author emails.
   */
  emails?: string[];
  /**
   * GitHub logins.
   */
  logins?: string[];
}

// from exception-set.schema.json
/**
 * Accepted, time-limited waivers of findings for one tenant (kind: ExceptionSet).
 */
export interface ExceptionSet {
  /**
   * Document kind; always ExceptionSet here.
   */
  kind: 'ExceptionSet';
  /**
   * Tenant the exceptions apply to. A name of letters, digits, `.`, `_` and `-` that starts with a letter or digit, other than index.md (it names the tenant's folder of reports, beside their index.md).
   */
  tenant: string;
  /**
   * The exceptions.
   */
  exceptions: ExceptionDefinition[];
}
/**
 * One waiver: a rule not enforced on a subject until a date.
 */
export interface ExceptionDefinition {
  /**
   * Rule id waived, e.g. SG301.
   */
  rule: string;
  /**
   * What is waived: `scope:x`, `client:y`, `client:y/scope:x` or `token:t`.
   */
  subject: string;
  /**
   * Why the finding is accepted.
   */
  reason: string;
  /**
   * Team accountable for the exception.
   */
  owner?: string;
  /**
   * Last day the exception waives (YYYY-MM-DD); after it the finding returns.
   */
  expires: string;
}

// from scope-set.schema.json
/**
 * The OAuth scopes one tenant defines (kind: ScopeSet).
 */
export interface ScopeSet {
  /**
   * Document kind; always ScopeSet here.
   */
  kind: 'ScopeSet';
  /**
   * Tenant (authorization server or organisation) the scopes belong to. A name of letters, digits, `.`, `_` and `-` that starts with a letter or digit, other than index.md (it names the tenant's folder of reports, beside their index.md).
   */
  tenant: string;
  /**
   * Scope name → its definition.
   */
  scopes: {
    [k: string]: ScopeDefinition;
  };
}
/**
 * One scope.
 */
export interface ScopeDefinition {
  /**
   * What the scope allows, in a reviewer's words.
   */
  description?: string;
  /**
   * How much damage misuse can do (default low).
   */
  sensitivity?: 'low' | 'medium' | 'high' | 'critical';
  /**
   * Team that owns the scope (a key of Config owners).
   */
  owner?: string;
  /**
   * Lifecycle state (default active).
   */
  status?: 'active' | 'deprecated' | 'removed';
  /**
   * Date the scope was deprecated (YYYY-MM-DD).
   */
  deprecatedSince?: string;
  /**
   * Scope that replaces this one.
   */
  replacedBy?: string;
  /**
   * Scopes this scope includes; holding both is redundant.
   */
  implies?: string[];
}
