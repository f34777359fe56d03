/** Google Workspace Admin SDK Reports API activities (`activities.list` for token, admin and login). */
import { asObject, compact, get, scopeList, str, type AuditEventType, type DraftEvent, type Provider } from '../provider.ts';

const TOKEN_EVENTS: Record<string, AuditEventType> = {
  authorize: 'consent.granted',
  revoke: 'consent.revoked',
  activity: 'api.request',
  request: 'authorize.granted',
  deny: 'authorize.denied',
};

// Admin console events that change a third-party app's access
const ADMIN_EVENTS: Record<string, AuditEventType> = {
  AUTHORIZE_API_CLIENT_ACCESS: 'grant.changed',
  REMOVE_API_CLIENT_ACCESS: 'grant.changed',
  CHANGE_APPLICATION_SETTING: 'client.updated',
  ADD_APPLICATION: 'client.created',
  REMOVE_APPLICATION: 'client.deleted',
  TOGGLE_OAUTH_ACCESS_TO_ALL_APIS: 'grant.changed',
  CHANGE_THIRD_PARTY_APP_ACCESS: 'grant.changed',
};

/** Reports parameters are `[{name, value | multiValue | intValue | boolValue}]`; flatten to name → value. */
function parameters(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(event.parameters)) return out;
  for (const raw of event.parameters) {
    const p = asObject(raw);
    const name = str(p?.name);
    if (!p || !name) continue;
    // multiMessageValue: a list of nested parameter sets (token events' scope_data: [{scope_name, product_bucket}])
    const messages = Array.isArray(p.multiMessageValue) ? p.multiMessageValue.map((m) => parameters({ parameters: asObject(m)?.parameter })) : undefined;
    out[name] = p.multiValue ?? p.value ?? p.intValue ?? p.boolValue ?? p.multiIntValue ?? messages;
  }
  return out;
}

/** The scope names of a scope_data parameter, for token events that carry their scopes only there. */
function scopeDataNames(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const names = value.map((entry) => str(asObject(entry)?.scope_name)).filter((name) => name !== undefined);
  return names.length > 0 ? names : undefined;
}

export const google: Provider = {
  name: 'google',
  detect(record) {
    if (asObject(record.id) && Array.isArray(record.events) && (record.kind === 'admin#reports#activity' || 'applicationName' in (asObject(record.id) ?? {}))) return 1;
    return 0;
  },
  normalize(record) {
    const id = asObject(record.id) ?? {};
    const application = str(id.applicationName) ?? '';
    const actor = asObject(record.actor) ?? {};
    const events = Array.isArray(record.events) ? record.events.map(asObject).filter((e) => e !== undefined) : [];
    const drafts = events.map((event, index): DraftEvent => {
      const name = str(event.name) ?? '';
      const params = parameters(event);
      const type = (application === 'token' ? TOKEN_EVENTS[name] : undefined) ?? (application === 'admin' ? ADMIN_EVENTS[name] : undefined) ?? 'other';
      const scopes = scopeList(params.scope ?? params.scopes ?? params.API_SCOPES ?? scopeDataNames(params.scope_data));
      return {
        // one activity can hold several events; the index keeps their ids apart and stable
        eventId: str(id.uniqueQualifier) ? `${str(id.uniqueQualifier)}${events.length > 1 ? `#${index}` : ''}` : undefined,
        time: id.time,
        type,
        rawType: `${application}.${name}`,
        outcome: type === 'authorize.denied' ? 'failure' : 'success',
        actor: compact({ id: str(actor.profileId), type: str(actor.callerType)?.toLowerCase() ?? 'user', name: str(actor.email) }),
        // domain-wide delegation (admin DOMAIN_SETTINGS events AUTHORIZE_API_CLIENT_ACCESS and REMOVE_API_CLIENT_ACCESS)
        // names the client in API_CLIENT_NAME, the Client ID the admin entered, and its scopes in API_SCOPES
        clientId: str(params.client_id) ?? str(params.OAUTH_CLIENT_ID) ?? str(params.API_CLIENT_NAME) ?? str(params.APP_ID),
        scopes: type === 'authorize.denied' ? [] : scopes,
        requestedScopes: type === 'authorize.denied' || name === 'request' ? scopes : [],
        request: name === 'activity' ? compact({ method: str(params.method_name), path: str(params.api_name), status: undefined }) : undefined,
        ip: str(record.ipAddress),
        userAgent: str(get(params, 'user_agent')),
      };
    });
    return drafts;
  },
};
