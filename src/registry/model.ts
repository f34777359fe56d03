/**
 * The typed, validated registry every later stage works on. The YAML shapes (src/schema/*.schema.json and the
 * generated types) are what users write; this model is what the loader makes of them: names folded in, defaults
 * applied, and every entry carrying where it was written.
 */
import type { Config } from '../schema/types.ts';

export interface SourcePosition {
  /**
   * As a user would type it: for files read from disk, relative to the working directory (e.g.
   * `scopes/acme/scopes.yaml`), absolute only when outside it; for in-memory sources, the path given verbatim.
   */
  file: string;
  /**
   * The commit the file is read at, when that is not the revision under review: an entry a change removed is
   * located where it was, at base. Head-relative outputs (annotations, SARIF) then leave the line out.
   */
  revision?: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export type Sensitivity = 'low' | 'medium' | 'high' | 'critical';
export type ScopeStatus = 'active' | 'deprecated' | 'removed';
export type ClientType = 'confidential' | 'public' | 'machine';

export interface Scope {
  name: string;
  tenant: string;
  description?: string;
  /** Defaults to `low` when not written. */
  sensitivity: Sensitivity;
  owner?: string;
  status: ScopeStatus;
  /** YYYY-MM-DD */
  deprecatedSince?: string;
  replacedBy?: string;
  implies: string[];
  location: SourcePosition;
}

export interface ActionPattern {
  /** As written: `GET /v1/data/**` */
  pattern: string;
  /** Upper-cased method, or `*` for any method. */
  method: string;
  path: string;
  location: SourcePosition;
}

export interface Grant {
  scope: string;
  justification?: string;
  location: SourcePosition;
}

export interface Client {
  name: string;
  tenant: string;
  clientId: string;
  owner?: string;
  type: ClientType;
  description?: string;
  grants: Grant[];
  location: SourcePosition;
}

export interface Exception {
  tenant: string;
  rule: string;
  /** `scope:x`, `client:y`, `client:y/scope:x`, `token:t` */
  subject: string;
  reason: string;
  owner?: string;
  /** YYYY-MM-DD */
  expires: string;
  location: SourcePosition;
}

export interface Tenant {
  name: string;
  scopes: Record<string, Scope>;
  /** scope name → patterns; a scope absent here has no mapped actions. */
  actions: Record<string, ActionPattern[]>;
  clients: Record<string, Client>;
  exceptions: Exception[];
}

/** Config with every default applied; the YAML type (all optional) is `Config` from the generated types. */
export interface ResolvedConfig {
  failOn: Severity | 'never';
  thresholds: {
    unusedScopeDays: number;
    idleTokenDays: number;
    minDeprecationDays: number;
    maxExceptionDays: number;
    spikeFactor: number;
    maxHoldersOfBroadScope: number;
    denialBurst: number;
  };
  rules: Record<string, { severity?: Severity | 'off'; [option: string]: unknown }>;
  owners: Record<string, { emails: string[]; logins: string[] }>;
  policies: string[];
  store: string;
  sources: NonNullable<Config['sources']>;
  alerts: NonNullable<Config['alerts']>;
  gateway?: Config['gateway'];
  location?: SourcePosition;
  /** Where each key of `rules` is written, so a rule id nobody defines is reported at its key. */
  ruleLocations?: Record<string, SourcePosition>;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface Registry {
  /** The registry root as given (e.g. `scopes`). */
  root: string;
  config: ResolvedConfig;
  tenants: Record<string, Tenant>;
  /** Every file read, relative paths as in SourcePosition.file. */
  files: string[];
}
