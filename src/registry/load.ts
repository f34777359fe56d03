/**
 * Loads the scope registry: every *.yaml/*.yml under the root, parsed with positions, checked against the JSON
 * Schema of its `kind`, folded into the typed model and checked for cross-references. All problems are collected
 * so a user sees every mistake at once.
 */
import { isUtf8 } from 'node:buffer';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, NoRegistryFiles, ValidationError, type Problem } from '../errors.ts';
import type { Config } from '../schema/types.ts';
import type { ActionPattern, Client, ClientType, Exception, Registry, ResolvedConfig, Scope, ScopeStatus, Sensitivity, SourcePosition, Tenant } from './model.ts';
import type { ActionMap, ClientSet, ExceptionSet, ScopeSet } from '../schema/types.ts';
import { ActionPatternError, parseActionPattern } from './matcher.ts';
import { checkSchema, KINDS, type Kind } from './schema-check.ts';
import { didYouMean } from './suggest.ts';
import { RegistryCache } from './registry-cache.ts';
import { LIMITS, lineIndex, parseYamlFile, tenantsNamedIn, type ParsedDocument, type ParsedFile } from './yaml-source.ts';
import { growYoungGenerationFor } from '../heap.ts';
import { recordOf } from '../records.ts';

export interface RegistrySource {
  /** Used verbatim as `file` in every position. */
  path: string;
  content: string;
}

export const DEFAULT_CONFIG: Omit<ResolvedConfig, 'location' | 'gateway'> = {
  failOn: 'high',
  thresholds: {
    unusedScopeDays: 90,
    idleTokenDays: 30,
    minDeprecationDays: 30,
    maxExceptionDays: 180,
    spikeFactor: 5,
    maxHoldersOfBroadScope: 3,
    denialBurst: 10,
  },
  rules: {},
  owners: {},
  policies: [],
  store: '.scopeguard/audit.duckdb',
  sources: {},
  alerts: [],
};

/** Config with every default applied (a fresh object; the defaults are never shared mutably). */
export function resolveConfig(config?: Config, location?: SourcePosition, ruleLocations?: Record<string, SourcePosition>): ResolvedConfig {
  const resolved: ResolvedConfig = {
    failOn: config?.failOn ?? DEFAULT_CONFIG.failOn,
    thresholds: { ...DEFAULT_CONFIG.thresholds, ...config?.thresholds },
    rules: structuredClone(config?.rules ?? {}) as ResolvedConfig['rules'],
    owners: Object.fromEntries(
      Object.entries(config?.owners ?? {}).map(([owner, ids]) => [owner, { emails: [...(ids.emails ?? [])], logins: [...(ids.logins ?? [])] }]),
    ),
    policies: [...(config?.policies ?? [])],
    store: config?.store ?? DEFAULT_CONFIG.store,
    sources: structuredClone(config?.sources ?? {}),
    alerts: structuredClone(config?.alerts ?? []),
  };
  if (config?.gateway) resolved.gateway = structuredClone(config.gateway);
  if (location) resolved.location = location;
  if (ruleLocations && Object.keys(ruleLocations).length > 0) resolved.ruleLocations = ruleLocations;
  return resolved;
}

interface TenantBuilder {
  name: string;
  scopes: Map<string, Scope>;
  actions: Map<string, ActionPattern[]>;
  clients: Map<string, Client>;
  exceptions: Exception[];
  /** Names defined anywhere, including in documents that failed the schema, so one typo does not cascade. */
  knownScopes: Set<string>;
  knownClients: Set<string>;
  clientIds: Map<string, Client>;
  /** Exceptions by rule and subject, for the duplicate check. */
  exceptionsByKey: Map<string, Exception>;
}

interface PendingReference {
  tenant: string;
  target: 'scope' | 'client';
  name: string;
  position: SourcePosition;
  /** Built only for a reference that turns out unknown: a big registry holds tens of thousands that are not. */
  message: () => string;
}

/** `file:line:column`, as problems and messages name a place in the registry. */
export const formatPosition = (p: SourcePosition) => `${p.file}:${p.line}:${p.column}`;

class RegistryBuilder {
  readonly problems: Problem[] = [];
  readonly tenants = new Map<string, TenantBuilder>();
  readonly references: PendingReference[] = [];
  config: Config | undefined;
  configLocation: SourcePosition | undefined;
  configRuleLocations: Record<string, SourcePosition> = {};
  /**
   * Tenants with a document lost before its names could be read (a syntax error, a file in another encoding): a
   * name that is unknown in them may well be defined there, so one broken line does not bring dozens of "unknown
   * scope" problems burying it. Reported again once the document reads.
   */
  readonly partlyUnread = new Set<string>();
  /** A document of no tell-able tenant was lost: then no tenant's unknown names are reported. */
  everyTenantPartlyUnread = false;
  /** Names from documents that failed on their tenant: known in every tenant, for the same reason. */
  readonly namesOfNoTenant = { scopes: new Set<string>(), clients: new Set<string>() };

  tenant(name: string): TenantBuilder {
    let tenant = this.tenants.get(name);
    if (!tenant) {
      tenant = {
        name,
        scopes: new Map(),
        actions: new Map(),
        clients: new Map(),
        exceptions: [],
        knownScopes: new Set(),
        knownClients: new Set(),
        clientIds: new Map(),
        exceptionsByKey: new Map(),
      };
      this.tenants.set(name, tenant);
    }
    return tenant;
  }

  problem(position: SourcePosition, code: string, message: string, hint?: string): void {
    this.problems.push(hint === undefined || hint === '' ? { ...position, code, message } : { ...position, code, message, hint });
  }

  addFile(file: ParsedFile): void {
    this.problems.push(...file.problems);
    for (const tenant of file.unread) this.markPartlyUnread(tenant);
    for (const document of file.documents) this.addDocument(document);
  }

  markPartlyUnread(tenant: string | undefined): void {
    if (tenant === undefined) this.everyTenantPartlyUnread = true;
    else this.partlyUnread.add(tenant);
  }

  private addDocument(document: ParsedDocument): void {
    const { value, at } = document;
    if (value === null || value === undefined) return; // an empty document (only comments) is allowed
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problem(at([]), 'schema', 'a registry document must be a mapping with a "kind"', `kind is one of: ${KINDS.join(', ')}`);
      return;
    }
    const record = value as Record<string, unknown>;
    const kind = record.kind;
    if (kind === undefined) {
      this.problem(at([]), 'unknown-kind', 'document has no "kind"', `add kind: one of ${KINDS.join(', ')}`);
      this.rememberNames(record);
      return;
    }
    if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
      const suggestion = typeof kind === 'string' ? didYouMean(kind, KINDS) : undefined;
      this.problem(at(['kind']), 'unknown-kind', `unknown kind ${JSON.stringify(kind)}`, [suggestion, `kinds: ${KINDS.join(', ')}`].filter(Boolean).join(' '));
      this.rememberNames(record);
      return;
    }
    const schemaProblems = checkSchema(kind as Kind, document);
    if (schemaProblems.length > 0) {
      this.problems.push(...schemaProblems);
      this.rememberNames(record);
      return;
    }
    switch (kind as Kind) {
      case 'Config':
        return this.addConfig(value as Config, at);
      case 'ScopeSet':
        return this.addScopeSet(value as ScopeSet, at);
      case 'ActionMap':
        return this.addActionMap(value as ActionMap, at);
      case 'ClientSet':
        return this.addClientSet(value as ClientSet, at);
      case 'ExceptionSet':
        return this.addExceptionSet(value as ExceptionSet, at);
    }
  }

  /**
   * The scope and client names of a document that failed on its kind or schema, so one typo does not cascade into
   * "unknown scope" problems elsewhere. Read from the top-level `scopes:` and `clients:` mappings whatever the kind
   * says (only a ScopeSet has the one and only a ClientSet the other); when either is there but is no mapping, its
   * names cannot be told and the tenant counts as partly unread.
   */
  private rememberNames(record: Record<string, unknown>): void {
    const tenantName = typeof record.tenant === 'string' ? record.tenant : undefined;
    for (const field of ['scopes', 'clients'] as const) {
      if (!Object.hasOwn(record, field)) continue;
      const value = record[field];
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        this.markPartlyUnread(tenantName);
        continue;
      }
      const known =
        tenantName === undefined
          ? this.namesOfNoTenant[field]
          : field === 'scopes'
            ? this.tenant(tenantName).knownScopes
            : this.tenant(tenantName).knownClients;
      for (const name of Object.keys(value)) known.add(name);
    }
  }

  private addConfig(config: Config, at: (path: ReadonlyArray<string | number>, prefer?: 'key' | 'value') => SourcePosition): void {
    const location = at([]);
    if (this.configLocation) {
      this.problem(location, 'duplicate-key', 'a second Config document', `the registry has one Config, first at ${formatPosition(this.configLocation)}; merge them`);
      return;
    }
    this.config = config;
    this.configLocation = location;
    for (const ruleId of Object.keys(config.rules ?? {})) this.configRuleLocations[ruleId] = at(['rules', ruleId], 'key');
  }

  private reference(tenant: string, target: 'scope' | 'client', name: string, position: SourcePosition, message: () => string): void {
    this.references.push({ tenant, target, name, position, message });
  }

  private addScopeSet(set: ScopeSet, at: (path: ReadonlyArray<string | number>, prefer?: 'key' | 'value') => SourcePosition): void {
    const tenant = this.tenant(set.tenant);
    for (const [name, definition] of Object.entries(set.scopes)) {
      const location = at(['scopes', name], 'key');
      const existing = tenant.scopes.get(name);
      tenant.knownScopes.add(name);
      if (existing) {
        this.problem(location, 'duplicate-key', `scope "${name}" is defined twice in tenant "${set.tenant}"`, `first defined at ${formatPosition(existing.location)}`);
        continue;
      }
      const def = definition ?? {};
      const scope: Scope = {
        name,
        tenant: set.tenant,
        sensitivity: (def.sensitivity ?? 'low') as Sensitivity,
        status: (def.status ?? 'active') as ScopeStatus,
        implies: [...(def.implies ?? [])],
        location,
      };
      if (def.description !== undefined) scope.description = def.description;
      if (def.owner !== undefined) scope.owner = def.owner;
      if (def.deprecatedSince !== undefined) scope.deprecatedSince = def.deprecatedSince;
      if (def.replacedBy !== undefined) scope.replacedBy = def.replacedBy;
      tenant.scopes.set(name, scope);
      scope.implies.forEach((implied, index) =>
        this.reference(set.tenant, 'scope', implied, at(['scopes', name, 'implies', index]), () => `scope "${name}" implies the unknown scope "${implied}"`),
      );
      if (scope.replacedBy !== undefined) {
        this.reference(set.tenant, 'scope', scope.replacedBy, at(['scopes', name, 'replacedBy']), () => `scope "${name}" is replaced by the unknown scope "${scope.replacedBy}"`);
      }
    }
  }

  private addActionMap(map: ActionMap, at: (path: ReadonlyArray<string | number>, prefer?: 'key' | 'value') => SourcePosition): void {
    const tenant = this.tenant(map.tenant);
    for (const [scope, patterns] of Object.entries(map.actions)) {
      this.reference(map.tenant, 'scope', scope, at(['actions', scope], 'key'), () => `action map names the unknown scope "${scope}"`);
      let list = tenant.actions.get(scope);
      if (!list) tenant.actions.set(scope, (list = []));
      patterns.forEach((text, index) => {
        const location = at(['actions', scope, index]);
        try {
          const parsed = parseActionPattern(text);
          list.push({ pattern: text, method: parsed.method, path: text.trim().split(/\s+/)[1] ?? '', location });
        } catch (error) {
          if (!(error instanceof ActionPatternError)) throw error;
          this.problem(location, 'schema', error.message, error.hint);
        }
      });
    }
  }

  private addClientSet(set: ClientSet, at: (path: ReadonlyArray<string | number>, prefer?: 'key' | 'value') => SourcePosition): void {
    const tenant = this.tenant(set.tenant);
    for (const [name, def] of Object.entries(set.clients)) {
      const location = at(['clients', name], 'key');
      tenant.knownClients.add(name);
      const existing = tenant.clients.get(name);
      if (existing) {
        this.problem(location, 'duplicate-key', `client "${name}" is defined twice in tenant "${set.tenant}"`, `first defined at ${formatPosition(existing.location)}`);
        continue;
      }
      const client: Client = { name, tenant: set.tenant, clientId: def.clientId, type: def.type as ClientType, grants: [], location };
      if (def.owner !== undefined) client.owner = def.owner;
      if (def.description !== undefined) client.description = def.description;
      const sameId = tenant.clientIds.get(def.clientId);
      if (sameId) {
        this.problem(
          at(['clients', name, 'clientId']),
          'duplicate-key',
          `clientId "${def.clientId}" of client "${name}" is also used by client "${sameId.name}" in tenant "${set.tenant}"`,
          `a provider client id identifies one client; ${sameId.name} is at ${formatPosition(sameId.location)}`,
        );
      } else {
        tenant.clientIds.set(def.clientId, client);
      }
      const justifications = def.justification ?? {};
      const held = new Set<string>();
      const scopes = def.scopes ?? [];
      for (let index = 0; index < scopes.length; index++) {
        const scope = scopes[index]!;
        const grantLocation = at(['clients', name, 'scopes', index]);
        if (held.has(scope)) {
          this.problem(grantLocation, 'duplicate-key', `client "${name}" lists the scope "${scope}" twice`, 'remove the repeated entry');
          continue;
        }
        held.add(scope);
        const justification = Object.hasOwn(justifications, scope) ? justifications[scope] : undefined;
        // checked against the tenant's scopes in resolveReferences, from the grants themselves
        client.grants.push(justification === undefined ? { scope, location: grantLocation } : { scope, justification, location: grantLocation });
      }
      for (const scope of Object.keys(justifications)) {
        if (held.has(scope)) continue;
        const suggestion = didYouMean(scope, held);
        this.problem(
          at(['clients', name, 'justification', scope], 'key'),
          'reference',
          `justification for "${scope}", which client "${name}" does not hold`,
          suggestion ?? `add "${scope}" to its scopes or remove the justification`,
        );
      }
      tenant.clients.set(name, client);
    }
  }

  private addExceptionSet(set: ExceptionSet, at: (path: ReadonlyArray<string | number>, prefer?: 'key' | 'value') => SourcePosition): void {
    const tenant = this.tenant(set.tenant);
    set.exceptions.forEach((definition, index) => {
      const location = at(['exceptions', index]);
      const subjectPosition = at(['exceptions', index, 'subject']);
      const subject = definition.subject.trim();
      const exception: Exception = {
        tenant: set.tenant,
        rule: definition.rule,
        subject,
        reason: definition.reason,
        expires: definition.expires,
        location,
      };
      if (definition.owner !== undefined) exception.owner = definition.owner;
      // two waivers of one finding: which one holds is a matter of order, and a longer second one would slip past a
      // review (a diff compares exceptions by rule and subject)
      const key = `${exception.rule}/${subject}`;
      const same = tenant.exceptionsByKey.get(key);
      if (same) {
        this.problem(location, 'duplicate-key', `a second exception for ${exception.rule} on ${subject} in tenant "${set.tenant}"`, `the first is at ${formatPosition(same.location)}; keep one`);
        return;
      }
      tenant.exceptionsByKey.set(key, exception);
      tenant.exceptions.push(exception);
      const clientAndScope = /^client:([^/]+)\/scope:(.+)$/.exec(subject);
      const client = /^client:([^/]+)$/.exec(subject);
      const scope = /^scope:(.+)$/.exec(subject);
      const what = `exception for ${definition.rule} names`;
      if (clientAndScope) {
        this.reference(set.tenant, 'client', clientAndScope[1]!, subjectPosition, () => `${what} the unknown client "${clientAndScope[1]}"`);
        this.reference(set.tenant, 'scope', clientAndScope[2]!, subjectPosition, () => `${what} the unknown scope "${clientAndScope[2]}"`);
      } else if (client) {
        this.reference(set.tenant, 'client', client[1]!, subjectPosition, () => `${what} the unknown client "${client[1]}"`);
      } else if (scope) {
        this.reference(set.tenant, 'scope', scope[1]!, subjectPosition, () => `${what} the unknown scope "${scope[1]}"`);
      } else if (!/^token:.+$/.test(subject)) {
        this.problem(
          subjectPosition,
          'schema',
          `exception subject "${definition.subject}" is malformed`,
          'write scope:NAME, client:NAME, client:NAME/scope:NAME or token:ID',
        );
      }
    });
  }

  resolveReferences(): void {
    const fallbackHint = (target: 'scope' | 'client', tenant: string) => `define it in a ${target === 'scope' ? 'ScopeSet' : 'ClientSet'} of tenant "${tenant}"`;
    const partlyUnread = (tenant: string) => this.everyTenantPartlyUnread || this.partlyUnread.has(tenant);
    for (const ref of this.references) {
      const tenant = this.tenants.get(ref.tenant);
      const known = ref.target === 'scope' ? tenant?.knownScopes : tenant?.knownClients;
      if (known?.has(ref.name) || this.namesOfNoTenant[ref.target === 'scope' ? 'scopes' : 'clients'].has(ref.name) || partlyUnread(ref.tenant)) continue;
      this.problem(ref.position, 'reference', ref.message(), didYouMean(ref.name, known ?? []) ?? fallbackHint(ref.target, ref.tenant));
    }
    // grants, by far the most references, are read from the clients rather than queued one by one
    for (const tenant of this.tenants.values()) {
      if (partlyUnread(tenant.name)) continue;
      for (const client of tenant.clients.values()) {
        for (const { scope, location } of client.grants) {
          if (tenant.knownScopes.has(scope) || this.namesOfNoTenant.scopes.has(scope)) continue;
          this.problem(
            location,
            'reference',
            `client "${client.name}" is granted the unknown scope "${scope}"`,
            didYouMean(scope, tenant.knownScopes) ?? fallbackHint('scope', tenant.name),
          );
        }
      }
    }
  }

  build(root: string, files: string[]): Registry {
    const tenants: Record<string, Tenant> = {};
    for (const name of [...this.tenants.keys()].sort()) {
      const t = this.tenants.get(name)!;
      tenants[name] = {
        name,
        scopes: recordOf(t.scopes),
        actions: recordOf(t.actions),
        clients: recordOf(t.clients),
        exceptions: t.exceptions,
      };
    }
    return { root, config: resolveConfig(this.config, this.configLocation, this.configRuleLocations), tenants, files };
  }
}

function sortProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = `${p.file}\0${p.line}\0${p.column}\0${p.code}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || a.message.localeCompare(b.message)));
}

/**
 * The non-throwing core: every problem found, and the registry when there are none. `sources` are processed in the
 * order given; their `path` appears verbatim in positions. `unreadTenants` are those of files that could not even be
 * read (RegistryRead.unread), whose unknown names are then not reported.
 */
export function collectRegistryProblems(
  root: string,
  sources: ReadonlyArray<RegistrySource>,
  unreadTenants: ReadonlyArray<string | undefined> = [],
): { registry?: Registry; problems: Problem[] } {
  const builder = new RegistryBuilder();
  for (const tenant of unreadTenants) builder.markPartlyUnread(tenant);
  for (const source of sources) builder.addFile(parseYamlFile(source.path, source.content));
  builder.resolveReferences();
  const problems = sortProblems(builder.problems);
  if (problems.length > 0) return { problems };
  return { registry: builder.build(root, sources.map((source) => source.path)), problems };
}

/** collectRegistryProblems for files read from a folder, reusing that folder's last valid registry when no file changed. */
export function collectRegistryProblemsCached(root: string, sources: ReadonlyArray<RegistrySource>): { registry?: Registry; problems: Problem[] } {
  const cache = RegistryCache.forSources(root, sources);
  const cached = cache?.get();
  if (cached) return { registry: cached, problems: [] };
  const result = collectRegistryProblems(root, sources);
  if (result.registry) cache?.set(result.registry);
  return result;
}

/** Loads a registry from in-memory files (e.g. git blobs); throws ValidationError carrying every problem. */
export function loadRegistryFromSources(root: string, sources: ReadonlyArray<RegistrySource>): Registry {
  const { registry, problems } = collectRegistryProblems(root, sources);
  if (!registry) throw new ValidationError(problems);
  return registry;
}

/** A path as a user would type it: relative to the working directory, absolute only when outside it. */
export function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

const YAML_FILE = /\.ya?ml$/i;

/** Every *.yaml/*.yml under `dir`, sorted, skipping node_modules and dot-folders (symlinks are not followed). */
export async function findRegistryFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      found.push(...(await findRegistryFiles(full)));
    } else if (entry.isFile() && YAML_FILE.test(entry.name)) {
      found.push(full);
    }
  }
  return found;
}

/** A registry folder as read from disk, before its YAML is parsed. */
export interface RegistryRead {
  /** The files that could be read, keyed by display path. */
  sources: RegistrySource[];
  /** Files that could not be (too large, not UTF-8). */
  problems: Problem[];
  /** The tenants those files name (`undefined`: one whose tenant could not be told): see RegistryBuilder.partlyUnread. */
  unread: Array<string | undefined>;
}

/** The registry's files read from disk, as sources keyed by display path; oversized files are not read. */
export async function readRegistrySources(root: string): Promise<RegistryRead> {
  const absoluteRoot = resolve(root);
  const info = await stat(absoluteRoot).catch(() => undefined);
  if (!info) {
    throw new NoRegistryFiles(`registry folder "${root}" does not exist`, 'pass --registry DIR with the folder holding your scope YAML files (default: scopes)');
  }
  const files = info.isDirectory() ? await findRegistryFiles(absoluteRoot) : [absoluteRoot];
  if (files.length === 0) {
    throw new NoRegistryFiles(`no *.yaml or *.yml files under "${root}"`, 'a registry is a folder of YAML files with kind: ScopeSet, ClientSet, ActionMap, ExceptionSet or Config');
  }
  const read: RegistryRead = { sources: [], problems: [], unread: [] };
  for (const file of files) {
    const path = displayPath(file);
    const size = (await stat(file)).size;
    if (size > LIMITS.maxFileBytes) {
      read.problems.push({
        file: path,
        line: 1,
        column: 1,
        code: 'limit',
        message: `file is ${(size / 1024 / 1024).toFixed(1)} MB, over the 5 MB limit`,
        hint: 'split the registry into smaller files',
      });
      read.unread.push(undefined);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      throw new InputError(`cannot read registry file ${path} (${reason})`, 'check the file permissions');
    }
    addRegistryFile(read, path, bytes);
  }
  return read;
}

/** One file's bytes into a registry read (from disk or from git): its text, or why it has none and what it names. */
export function addRegistryFile(read: RegistryRead, path: string, bytes: Buffer): void {
  const decoded = decodeRegistryFile(path, bytes);
  if ('content' in decoded) {
    read.sources.push({ path, content: decoded.content });
  } else {
    read.problems.push(decoded.problem);
    read.unread.push(...decoded.unread);
  }
}

/**
 * A registry file's text from its bytes, wherever they come from (disk, a git blob): UTF-8, or the problem that it is
 * not, with its text decoded as well as can be (to search) and the tenants that names (see RegistryRead.unread).
 */
export function decodeRegistryFile(
  path: string,
  bytes: Buffer,
): { content: string } | { problem: Problem; looseText: string; unread: Array<string | undefined> } {
  const problem = encodingProblem(path, bytes);
  if (!problem) return { content: bytes.toString('utf8') };
  const looseText = decodeLoosely(bytes);
  return { problem, looseText, unread: tenantsNamedIn(looseText) };
}

/** Text good enough to find `tenant:` lines in a file refused for its encoding. */
function decodeLoosely(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

/**
 * Every problem of a registry read from disk or from git, and the registry when there are none (from the cache if
 * unchanged, unless `cache` is false: a revision's files are not a folder's).
 */
export function collectReadRegistryProblems(root: string, read: RegistryRead, options: { cache: boolean } = { cache: true }): { registry?: Registry; problems: Problem[] } {
  if (read.problems.length === 0) return options.cache ? collectRegistryProblemsCached(root, read.sources) : collectRegistryProblems(root, read.sources);
  const { problems } = collectRegistryProblems(root, read.sources, read.unread);
  return { problems: sortProblems([...read.problems, ...problems]) };
}

/**
 * YAML registry files are UTF-8. A file saved as UTF-16 (some Windows editors) or Latin-1 would otherwise reach the
 * parser as replacement characters and fail with a message about its content ("document has no kind").
 */
function encodingProblem(file: string, bytes: Buffer): Problem | undefined {
  const hint = 'save the file as UTF-8';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { file, line: 1, column: 1, code: 'encoding', message: 'the file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8', hint };
  }
  if (isUtf8(bytes)) return undefined;
  // each invalid sequence decodes to U+FFFD: the first one is where the file stops being UTF-8
  const text = bytes.toString('utf8');
  const position = lineIndex(file, text)(text.indexOf('\uFFFD'));
  return { ...position, code: 'encoding', message: 'the file is not valid UTF-8 here (saved as Latin-1 or another encoding?)', hint };
}

/** Loads and validates the registry under `root`; throws ValidationError with every problem, InputError if absent. */
export async function loadRegistry(root: string): Promise<Registry> {
  const read = await readRegistrySources(root);
  const restoreHeap = growYoungGenerationFor(read.sources.reduce((sum, source) => sum + source.content.length, 0));
  let result: ReturnType<typeof collectReadRegistryProblems>;
  try {
    result = collectReadRegistryProblems(root, read);
  } finally {
    restoreHeap();
  }
  if (!result.registry) throw new ValidationError(result.problems);
  return result.registry;
}
