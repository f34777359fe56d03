// Writes the example audit-log exports under scopes/logs/<tenant>/<provider>.ndjson from the example registry:
// acme through Okta and its API gateway, globex through Auth0 and Keycloak, over the 90 days before 2026-11-20.
// Seeded and clock-free, so a re-run writes byte-identical files. The data holds the misuse `scopeguard usage`
// should find: a granted scope never exercised, requests outside the action map, an unknown client id, a burst of
// denials and a deprecated scope still issued.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRegistry } from '../src/registry/load.ts';
import type { Client, Tenant } from '../src/registry/model.ts';
import { mulberry32 as rng } from './prng.ts';

const OUT = process.argv[2] ?? 'scopes/logs';
const END = Date.UTC(2026, 10, 20); // 2026-11-20T00:00:00Z, exclusive
const DAYS = 90;
const START = END - DAYS * 86_400_000;

const random = rng(20261120);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const timeIn = (day: number): number => START + day * 86_400_000 + int(86_400_000);
const ip = (): string => `203.0.113.${1 + int(250)}`;

/** A concrete request path for an action pattern: `{id}` and `*` become ids, `**` a short sub-path. */
function concretePath(path: string): string {
  return path.replace(/\{[^}]+\}/g, () => `id-${hex(6)}`).replace(/\*\*/g, () => `set-${int(9)}/item-${hex(4)}`).replace(/\*/g, () => `seg-${hex(4)}`);
}

function requestsFor(tenant: Tenant, client: Client, skipScopes: Set<string>): Array<{ method: string; path: string; scope: string }> {
  const out: Array<{ method: string; path: string; scope: string }> = [];
  for (const grant of client.grants) {
    if (skipScopes.has(grant.scope)) continue;
    for (const pattern of tenant.actions[grant.scope] ?? []) out.push({ method: pattern.method === '*' ? 'GET' : pattern.method, path: pattern.path, scope: grant.scope });
  }
  return out;
}

const lines: Record<string, string[]> = {};
const emit = (file: string, time: number, record: object): void => {
  (lines[file] ??= []).push(`${time.toString().padStart(15, '0')}\t${JSON.stringify(record)}`);
};

const registry = await loadRegistry('scopes');
const acme = registry.tenants.acme!;
const globex = registry.tenants.globex!;

// ---- acme: Okta System Log -------------------------------------------------------------------------------------
const oktaIssuer = 'aus1acme9default';
function oktaToken(client: Client, time: number, scopes: string[], refresh = false): void {
  emit('acme/okta.ndjson', time, {
    uuid: uuid(),
    published: new Date(time).toISOString(),
    eventType: refresh ? 'app.oauth2.as.token.grant.refresh_token' : 'app.oauth2.as.token.grant.access_token',
    version: '0',
    severity: 'INFO',
    displayMessage: refresh ? 'OAuth2 refresh token is granted' : 'OAuth2 access token is granted',
    actor: { id: client.clientId, type: 'PublicClientApp', alternateId: client.clientId, displayName: client.name },
    client: { ipAddress: ip(), userAgent: { rawUserAgent: 'okhttp/4.12.0', os: 'Unknown', browser: 'UNKNOWN' }, zone: 'null' },
    outcome: { result: 'SUCCESS' },
    target: [{ id: `AT.${hex(20)}`, type: 'access_token', alternateId: 'xxx', displayName: 'Access Token', detailEntry: { expires: 'PT1H', subject: client.clientId, hash: hex(22) } }],
    transaction: { type: 'WEB', id: hex(24) },
    debugContext: { debugData: { grantType: refresh ? 'refresh_token' : client.type === 'machine' ? 'client_credentials' : 'authorization_code', grantedScopes: scopes.join(' '), requestedScopes: scopes.join(' '), clientAuthType: 'client_secret_basic', requestUri: `/oauth2/${oktaIssuer}/v1/token`, authorizationServer: oktaIssuer } },
  });
}
const acmeClients = Object.values(acme.clients);
for (let day = 0; day < DAYS; day++) {
  for (const client of acmeClients) {
    const tokens = client.type === 'machine' ? 4 : 2;
    for (let i = 0; i < tokens; i++) {
      const time = timeIn(day);
      oktaToken(client, time, client.grants.map((g) => g.scope), i > 0 && random() < 0.3);
    }
  }
}
// a new client registered at the provider during the window, and consent for a partner
const created = START + 40 * 86_400_000 + 9 * 3_600_000;
emit('acme/okta.ndjson', created, {
  uuid: uuid(), published: new Date(created).toISOString(), eventType: 'application.lifecycle.create', version: '0', severity: 'INFO', displayMessage: 'Create application',
  actor: { id: '00u1admin', type: 'User', alternateId: 'jonas.weber@example.com', displayName: 'Jonas Weber' },
  client: { ipAddress: '198.51.100.7', userAgent: { rawUserAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' } },
  outcome: { result: 'SUCCESS' }, target: [{ id: '0oaNEWshadow0001x7', type: 'AppInstance', alternateId: 'shadow-report-tool', displayName: 'shadow-report-tool' }],
  transaction: { type: 'WEB', id: hex(24) }, debugContext: { debugData: { requestUri: '/api/v1/apps' } },
});
// a burst of scope denials: partner-fabrikam asks for delete.users it was never granted
const partner = acme.clients['partner-fabrikam']!;
const burst = START + 75 * 86_400_000 + 14 * 3_600_000;
for (let i = 0; i < 25; i++) {
  const time = burst + i * 47_000;
  emit('acme/okta.ndjson', time, {
    uuid: uuid(), published: new Date(time).toISOString(), eventType: 'app.oauth2.as.authorize.scope_denied', version: '0', severity: 'WARN', displayMessage: 'OAuth2 authorization request denied: scope not allowed',
    actor: { id: partner.clientId, type: 'PublicClientApp', alternateId: partner.clientId, displayName: partner.name },
    client: { ipAddress: '192.0.2.66', userAgent: { rawUserAgent: 'python-requests/2.32.3' } },
    outcome: { result: 'FAILURE', reason: 'no_matching_scope' }, target: [],
    transaction: { type: 'WEB', id: hex(24) }, debugContext: { debugData: { requestedScopes: 'read.orders delete.users', grantType: 'client_credentials', requestUri: `/oauth2/${oktaIssuer}/v1/token` } },
  });
}

// ---- acme: API gateway access log (fields as mapped in scopes/scopeguard.yaml gateway.fields) -----------------------
// admin-portal never exercises delete.users: granted, never used.
const neverUsed = new Set(['delete.users']);
for (let day = 0; day < DAYS; day++) {
  for (const client of acmeClients) {
    const requests = requestsFor(acme, client, neverUsed);
    if (requests.length === 0) continue;
    const perDay = client.type === 'machine' ? 3 : 2;
    for (let i = 0; i < perDay; i++) {
      const request = pick(requests);
      const time = timeIn(day);
      emit('acme/gateway.ndjson', time, {
        ts: new Date(time).toISOString().replace('Z', '+00:00'),
        request: { id: `req-${hex(16)}`, method: request.method, path: concretePath(request.path), remote_addr: ip(), user_agent: 'acme-sdk/3.4.1' },
        response: { status: random() < 0.97 ? 200 : 500 },
        auth: { client_id: client.clientId, scopes: client.grants.map((g) => g.scope).join(' '), jti: `AT.${hex(20)}` },
        latency_ms: 5 + int(120),
      });
    }
  }
}
// requests outside the action map: support-console calls an internal debug endpoint no scope maps
const support = acme.clients['support-console']!;
for (let i = 0; i < 12; i++) {
  const time = START + (60 + i) * 86_400_000 + 11 * 3_600_000;
  emit('acme/gateway.ndjson', time, {
    ts: new Date(time).toISOString().replace('Z', '+00:00'),
    request: { id: `req-${hex(16)}`, method: 'GET', path: '/v1/internal/debug/sessions', remote_addr: '198.51.100.23', user_agent: 'curl/8.5.0' },
    response: { status: 200 },
    auth: { client_id: support.clientId, scopes: support.grants.map((g) => g.scope).join(' '), jti: `AT.${hex(20)}` },
  });
}
// an unknown client id: a token from a client the registry does not know
for (let i = 0; i < 30; i++) {
  const time = timeIn(80 + (i % 10));
  emit('acme/gateway.ndjson', time, {
    ts: new Date(time).toISOString().replace('Z', '+00:00'),
    request: { id: `req-${hex(16)}`, method: 'GET', path: `/v1/orders/id-${hex(6)}`, remote_addr: '192.0.2.200', user_agent: 'Go-http-client/1.1' },
    response: { status: 200 },
    auth: { client_id: '0oaNEWshadow0001x7', scopes: 'read.orders', jti: `AT.${hex(20)}` },
  });
}

// ---- globex: Auth0 logs ----------------------------------------------------------------------------------------
const globexClients = Object.values(globex.clients);
const auth0Id = (time: number): string => `900${new Date(time).toISOString().replace(/\D/g, '').slice(0, 17)}${hex(36)}`.slice(0, 56);
for (let day = 0; day < DAYS; day++) {
  for (const client of globexClients) {
    const count = client.type === 'public' ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const time = timeIn(day);
      const refresh = client.type === 'public' && i === 1;
      // the deprecated read.manifests is still issued to analytics-exporter on every token
      const scopes = client.grants.map((g) => g.scope).concat(client.name === 'analytics-exporter' ? ['read.manifests'] : []);
      emit('globex/auth0.ndjson', time, {
        date: new Date(time).toISOString(),
        type: refresh ? 'sertft' : client.type === 'public' ? 'seacft' : 'seccft',
        description: '',
        client_id: client.clientId,
        client_name: client.name,
        ip: ip(),
        user_agent: client.type === 'public' ? 'Chrome 131.0.0 / Mac OS X 14.6.1' : 'node-fetch/1.0',
        hostname: 'globex.eu.auth0.com',
        user_id: client.type === 'public' ? `auth0|${hex(24)}` : '',
        user_name: client.type === 'public' ? `driver${int(400)}@globex.example` : '',
        audience: 'https://api.globex.example',
        scope: scopes.join(' '),
        details: { code: '*************XyZ' },
        log_id: auth0Id(time),
      });
    }
  }
}
// repeated failed exchanges: carrier-sync's rotated secret was not deployed
const carrier = globex.clients['carrier-sync']!;
const failStart = START + 83 * 86_400_000 + 2 * 3_600_000;
for (let i = 0; i < 30; i++) {
  const time = failStart + i * 60_000;
  emit('globex/auth0.ndjson', time, {
    date: new Date(time).toISOString(), type: 'feccft', description: 'Unauthorized', client_id: carrier.clientId, client_name: carrier.name,
    ip: '198.51.100.140', user_agent: 'node-fetch/1.0', hostname: 'globex.eu.auth0.com', audience: 'https://api.globex.example',
    scope: carrier.grants.map((g) => g.scope).join(' '), details: { error: 'invalid_client' }, log_id: auth0Id(time),
  });
}

// ---- globex: Keycloak events and admin events --------------------------------------------------------------------
for (let day = 0; day < DAYS; day += 1) {
  for (const client of globexClients.filter((c) => c.type !== 'public')) {
    const time = timeIn(day);
    emit('globex/keycloak.ndjson', time, {
      id: uuid(), time, type: random() < 0.2 ? 'REFRESH_TOKEN' : 'CLIENT_LOGIN', realmId: 'globex', clientId: client.clientId, userId: null, sessionId: uuid(), ipAddress: ip(),
      details: { grant_type: 'client_credentials', scope: client.grants.map((g) => g.scope).join(' '), token_id: uuid(), client_auth_method: 'client-secret' },
    });
  }
}
const adminTime = START + 52 * 86_400_000 + 10 * 3_600_000;
const rates = globex.clients['rates-admin']!;
emit('globex/keycloak.ndjson', adminTime, {
  id: uuid(), time: adminTime, realmId: 'globex', authDetails: { realmId: 'master', clientId: 'security-admin-console', userId: uuid(), ipAddress: '198.51.100.9' },
  operationType: 'UPDATE', resourceType: 'CLIENT', resourcePath: `clients/${uuid()}`,
  representation: JSON.stringify({ clientId: rates.clientId, enabled: true, defaultClientScopes: ['write.rates', 'read.rates'], optionalClientScopes: [] }),
});

for (const [file, entries] of Object.entries(lines)) {
  const path = join(OUT, file);
  mkdirSync(join(path, '..'), { recursive: true });
  // sorted by time like a real export, then the sort key is dropped
  entries.sort();
  writeFileSync(path, `${entries.map((entry) => entry.slice(entry.indexOf('\t') + 1)).join('\n')}\n`);
  process.stdout.write(`wrote ${path} (${entries.length} events)\n`);
}
