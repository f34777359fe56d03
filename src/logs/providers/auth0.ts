/** Auth0 log events (Management API `GET /api/v2/logs`, log streams). */
import { asObject, compact, get, scopeList, str, type AuditEventType, type DraftEvent, type Provider } from '../provider.ts';

// Auth0 log type codes that concern tokens, grants and clients. Success codes start with `s`, failures with `f`.
const TYPES: Record<string, AuditEventType> = {
  seacft: 'token.issued', // authorization code → access token
  seccft: 'token.issued', // client credentials
  sepft: 'token.issued', // password grant
  sede: 'token.issued', // device code
  sens: 'token.issued', // native social token exchange
  sertft: 'token.refreshed', // refresh token → access token
  srrt: 'token.revoked', // refresh token revoked
  feacft: 'authorize.denied',
  feccft: 'authorize.denied',
  fepft: 'authorize.denied',
  fede: 'authorize.denied',
  fertft: 'authorize.denied',
  ferrt: 'authorize.denied', // reused refresh token rejected
  fcoa: 'authorize.denied',
  fsa: 'authorize.denied',
  s: 'authorize.granted',
  ssa: 'authorize.granted',
  scoa: 'authorize.granted',
  f: 'authorize.denied',
  fp: 'authorize.denied',
  fu: 'authorize.denied',
  cs: 'other',
  sapi: 'other',
  fapi: 'other',
};

// Management API operations (`sapi`) that change clients and their grants
function managementType(method: string | undefined, path: string | undefined): AuditEventType | undefined {
  if (!method || !path) return undefined;
  if (/\/api\/v2\/client-grants/.test(path)) return 'grant.changed';
  if (/\/api\/v2\/grants/.test(path)) return method === 'DELETE' ? 'consent.revoked' : 'grant.changed';
  if (/\/api\/v2\/resource-servers/.test(path)) return 'scope.changed';
  if (/\/api\/v2\/clients/.test(path)) {
    if (method === 'POST') return 'client.created';
    if (method === 'DELETE') return 'client.deleted';
    return 'client.updated';
  }
  return undefined;
}

export const auth0: Provider = {
  name: 'auth0',
  detect(record) {
    if ('log_id' in record && typeof record.type === 'string' && 'date' in record) return 1;
    if (typeof record.type === 'string' && 'date' in record && ('client_id' in record || 'user_id' in record)) return 0.6;
    return 0;
  },
  normalize(record) {
    const code = str(record.type) ?? '';
    const details = asObject(record.details) ?? {};
    const method = str(get(details, 'request.method'))?.toUpperCase();
    const path = str(get(details, 'request.path'));
    const type = (code === 'sapi' || code === 'fapi' ? managementType(method, path) : undefined) ?? TYPES[code] ?? 'other';
    const scopes = scopeList(record.scope ?? details.scope ?? get(details, 'request.body.scope') ?? get(details, 'response.body.scope'));
    const draft: DraftEvent = {
      eventId: str(record.log_id) ?? str(record._id),
      time: record.date,
      type,
      rawType: code,
      outcome: code.startsWith('s') ? 'success' : code.startsWith('f') ? 'failure' : 'unknown',
      actor: compact({ id: str(record.user_id), type: record.user_id ? 'user' : 'client', name: str(record.user_name) }),
      clientId: str(record.client_id),
      scopes: type === 'authorize.denied' ? [] : scopes,
      requestedScopes: type === 'authorize.denied' ? scopes : scopeList(get(details, 'request.body.scope')),
      tokenId: str(details.token_id) ?? str(details.refresh_token_id),
      grantId: str(details.grant_id),
      request: path ? compact({ method, path, status: typeof get(details, 'response.statusCode') === 'number' ? (get(details, 'response.statusCode') as number) : undefined }) : undefined,
      ip: str(record.ip),
      userAgent: str(record.user_agent),
    };
    return draft;
  },
};
