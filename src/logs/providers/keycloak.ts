/** Keycloak user events (`GET /admin/realms/{realm}/events`) and admin events (`.../admin-events`). */
import { asObject, compact, get, scopeList, str, type AuditEventType, type DraftEvent, type Provider } from '../provider.ts';
import { parseLogJson } from '../json.ts';

const USER_EVENTS: Record<string, AuditEventType> = {
  CODE_TO_TOKEN: 'token.issued',
  CLIENT_LOGIN: 'token.issued',
  TOKEN_EXCHANGE: 'token.issued',
  AUTHREQID_TO_TOKEN: 'token.issued',
  OAUTH2_DEVICE_CODE_TO_TOKEN: 'token.issued',
  REFRESH_TOKEN: 'token.refreshed',
  REVOKE_GRANT: 'consent.revoked',
  GRANT_CONSENT: 'consent.granted',
  UPDATE_CONSENT: 'consent.granted',
  LOGIN: 'authorize.granted',
  LOGOUT: 'token.revoked',
  INTROSPECT_TOKEN: 'other',
};

const ADMIN_RESOURCES: Record<string, (operation: string) => AuditEventType> = {
  CLIENT: (op) => (op === 'CREATE' ? 'client.created' : op === 'DELETE' ? 'client.deleted' : 'client.updated'),
  CLIENT_SCOPE: () => 'scope.changed',
  CLIENT_SCOPE_MAPPING: () => 'grant.changed',
  CLIENT_SCOPE_CLIENT_MAPPING: () => 'grant.changed',
  REALM_SCOPE_MAPPING: () => 'grant.changed',
  CLIENT_ROLE_MAPPING: () => 'grant.changed',
  CLIENT_ROLE: () => 'scope.changed',
  REALM_ROLE: () => 'scope.changed',
  USER_SESSION: (op) => (op === 'DELETE' ? 'token.revoked' : 'other'),
};

function parseRepresentation(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return asObject(value);
  try {
    return asObject(parseLogJson(value));
  } catch {
    return undefined;
  }
}

export const keycloak: Provider = {
  name: 'keycloak',
  detect(record) {
    if ('operationType' in record && 'resourcePath' in record && 'time' in record) return 1;
    if (typeof record.type === 'string' && /^[A-Z_]+$/.test(record.type) && 'realmId' in record && 'time' in record) return 1;
    return 0;
  },
  normalize(record) {
    if ('operationType' in record) {
      const operation = str(record.operationType) ?? '';
      const resource = str(record.resourceType) ?? '';
      const representation = parseRepresentation(record.representation);
      const auth = asObject(record.authDetails) ?? {};
      const path = str(record.resourcePath) ?? '';
      // a client representation carries its clientId and default/optional scopes
      const representedScopes = representation
        ? [...scopeList(representation.defaultClientScopes), ...scopeList(representation.optionalClientScopes), ...(resource === 'CLIENT_SCOPE' ? scopeList(representation.name) : [])]
        : [];
      const draft: DraftEvent = {
        eventId: str(record.id),
        time: record.time,
        type: ADMIN_RESOURCES[resource]?.(operation) ?? 'other',
        rawType: `${operation} ${resource}`.trim(),
        outcome: record.error ? 'failure' : 'success',
        actor: compact({ id: str(auth.userId), type: 'admin', name: str(get(record, 'details.username')) }),
        clientId: str(representation?.clientId),
        scopes: [...new Set(representedScopes)],
        requestedScopes: [],
        grantId: path || undefined,
        request: compact({ method: operation === 'CREATE' ? 'POST' : operation === 'UPDATE' ? 'PUT' : operation === 'DELETE' ? 'DELETE' : undefined, path: path ? `/${path}` : undefined, status: undefined }),
        ip: str(auth.ipAddress),
      };
      return draft;
    }
    const rawType = str(record.type) ?? '';
    const failed = rawType.endsWith('_ERROR') || Boolean(record.error);
    const base = rawType.replace(/_ERROR$/, '');
    let type: AuditEventType = USER_EVENTS[base] ?? 'other';
    if (failed && (type === 'token.issued' || type === 'token.refreshed' || type === 'authorize.granted')) type = 'authorize.denied';
    const details = asObject(record.details) ?? {};
    const scopes = scopeList(details.scope);
    const draft: DraftEvent = {
      eventId: str(record.id),
      time: record.time,
      type,
      rawType,
      outcome: failed ? 'failure' : 'success',
      actor: compact({ id: str(record.userId), type: record.userId ? 'user' : 'client', name: str(details.username) }),
      clientId: str(record.clientId),
      scopes: failed ? [] : scopes,
      requestedScopes: failed ? scopes : [],
      tokenId: str(details.token_id) ?? str(details.refresh_token_id),
      grantId: str(details.code_id) ?? str(record.sessionId),
      ip: str(record.ipAddress),
    };
    return draft;
  },
};
