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

/** What a Management API path names: `/api/v2/clients/{id}/credentials/cred_1` → clients, {id}, `credentials/cred_1`. */
interface ManagementResource {
  collection: string;
  /** absent on the collection itself */
  id?: string;
  /** a part of the resource (a client's secret or credentials) */
  part?: string;
}

function managementResource(path: string): ManagementResource | undefined {
  const match = /\/api\/v2\/([a-z-]+)(?:\/([^/?#]+))?(?:\/([^?#]+))?/.exec(path);
  return match ? { collection: match[1]!, id: match[2], part: match[3] } : undefined;
}

// Management API operations (`sapi`, `fapi`) that change clients, their grants or the scopes of APIs; reads change nothing
function managementType(method: string | undefined, resource: ManagementResource | undefined): AuditEventType | undefined {
  if (!method || !resource || method === 'GET' || method === 'HEAD') return undefined;
  switch (resource.collection) {
    case 'client-grants':
      return 'grant.changed';
    case 'grants':
      return method === 'DELETE' ? 'consent.revoked' : 'grant.changed';
    case 'resource-servers':
      return 'scope.changed';
    case 'clients':
      // only a POST to the collection creates a client and only a DELETE of the client removes it: rotating its
      // secret or adding and deleting its credentials changes it
      if (method === 'POST' && !resource.id) return 'client.created';
      if (method === 'DELETE' && resource.id && !resource.part) return 'client.deleted';
      return 'client.updated';
    default:
      return undefined;
  }
}

/**
 * The client a Management API change is about. The log's own client_id is the caller (a Terraform or deploy client
 * holding a Management API token), which neither gained nor lost anything. A client is named in the path; a grant's
 * client in the request body on creation and in the response body after, and not at all when a grant is deleted.
 */
function changedClient(resource: ManagementResource, details: Record<string, unknown>): string | undefined {
  const fromBodies = str(get(details, 'response.body.client_id')) ?? str(get(details, 'request.body.client_id')) ?? str(get(details, 'request.query.client_id'));
  if (resource.collection === 'clients') return resource.id ?? fromBodies;
  if (resource.collection === 'client-grants' || resource.collection === 'grants') return fromBodies;
  return undefined;
}

/**
 * The log event itself. Log Streams wrap it: a custom webhook sends `{log_id, data}` and Amazon EventBridge
 * `{…, detail: {log_id, data}}`, where `data` is the event as `GET /api/v2/logs` returns it. A record with a type of
 * its own is that event already.
 */
function logEvent(record: Record<string, unknown>): Record<string, unknown> {
  if (typeof record.type === 'string') return record;
  const wrapper = asObject(record.detail) ?? record;
  const data = asObject(wrapper.data);
  if (!data) return record;
  return data.log_id === undefined && wrapper.log_id !== undefined ? { ...data, log_id: wrapper.log_id } : data;
}

export const auth0: Provider = {
  name: 'auth0',
  detect(wrapped) {
    const record = logEvent(wrapped);
    if ('log_id' in record && typeof record.type === 'string' && 'date' in record) return 1;
    if (typeof record.type === 'string' && 'date' in record && ('client_id' in record || 'user_id' in record)) return 0.6;
    return 0;
  },
  normalize(wrapped) {
    const record = logEvent(wrapped);
    const code = str(record.type) ?? '';
    const details = asObject(record.details) ?? {};
    const method = str(get(details, 'request.method'))?.toUpperCase();
    const path = str(get(details, 'request.path'));
    const called = (code === 'sapi' || code === 'fapi') && path ? managementResource(path) : undefined;
    const management = managementType(method, called);
    const type = management ?? TYPES[code] ?? 'other';
    // the resource a change is about; other Management API calls stay the caller's
    const resource = management ? called : undefined;
    // a grant change names the grant in its path, or in the response when it creates one
    const changedGrant = resource?.collection === 'client-grants' || resource?.collection === 'grants' ? (resource.id ?? str(get(details, 'response.body.id'))) : undefined;
    const caller = str(record.client_id);
    // a failed authorization (fsa, f, fc) names what was asked for only in the request's query string (details.qs)
    const scopes = scopeList(record.scope ?? details.scope ?? get(details, 'request.body.scope') ?? get(details, 'response.body.scope') ?? get(details, 'qs.scope'));
    const draft: DraftEvent = {
      eventId: str(record.log_id) ?? str(record._id),
      time: record.date,
      type,
      rawType: code,
      outcome: code.startsWith('s') ? 'success' : code.startsWith('f') ? 'failure' : 'unknown',
      actor: record.user_id
        ? compact({ id: str(record.user_id), type: 'user', name: str(record.user_name) })
        : compact({ id: resource ? caller : undefined, type: 'client', name: resource ? str(record.client_name) : undefined }),
      clientId: resource ? changedClient(resource, details) : caller,
      scopes: type === 'authorize.denied' ? [] : scopes,
      requestedScopes: type === 'authorize.denied' ? scopes : scopeList(get(details, 'request.body.scope')),
      tokenId: str(details.token_id) ?? str(details.refresh_token_id),
      grantId: changedGrant ?? str(details.grant_id),
      request: path ? compact({ method, path, status: typeof get(details, 'response.statusCode') === 'number' ? (get(details, 'response.statusCode') as number) : undefined }) : undefined,
      ip: str(record.ip),
      userAgent: str(record.user_agent),
    };
    return draft;
  },
};
