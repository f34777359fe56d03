/** Okta System Log (`GET /api/v1/logs`) LogEvent objects. */
import { asObject, compact, get, scopeList, str, type AuditEventType, type DraftEvent, type Outcome, type Provider } from '../provider.ts';

// Okta eventType → vocabulary; the custom authorization server variants (`app.oauth2.as.*`) map like the org ones.
const EXACT: Record<string, AuditEventType> = {
  'app.oauth2.token.revoke': 'token.revoked',
  // Refresh token reuse detected (app.oauth2.token.detect_reuse on the org authorization server,
  // app.oauth2.as.token.detect_reuse on a custom one): a rotated refresh token was presented again, Okta refused it and
  // invalidated the most recently issued refresh token and every access token issued since the user authenticated
  // (developer.okta.com, guides/refresh-tokens, "Refresh token reuse detection"). Nothing was issued, so it is no
  // token.refreshed, which the usage facts count as an issue and a use of the token's scopes and whose token they
  // watch for idleness (SG303). It is token.revoked: a token it names is revoked from then on, so a later use of it is a
  // use after revocation (SG302) and no idle token. Not authorize.denied either: that would only add one denial to the
  // client's count (SG308) and say nothing about its tokens being gone.
  'app.oauth2.token.detect_reuse': 'token.revoked',
  'app.oauth2.authorize.code': 'authorize.granted',
  'app.oauth2.authorize.scope_denied': 'authorize.denied',
  'app.oauth2.consent.grant': 'consent.granted',
  'app.oauth2.admin.consent.grant': 'grant.changed',
  'app.oauth2.admin.consent.revoke': 'grant.changed',
  'application.lifecycle.create': 'client.created',
  'application.lifecycle.update': 'client.updated',
  'application.lifecycle.activate': 'client.updated',
  'application.lifecycle.deactivate': 'client.updated',
  'application.lifecycle.delete': 'client.deleted',
  'app.oauth2.as.scope.create': 'scope.changed',
  'app.oauth2.as.scope.update': 'scope.changed',
  'app.oauth2.as.scope.delete': 'scope.changed',
};

/**
 * `grantType` is the grant the token request used (debugContext.debugData.grantType). A token grant event names the
 * token it handed out, not how: a refresh token is granted at login (grantType authorization_code) and an access
 * token by a refresh (grantType refresh_token), so only the grant type tells an issue from a refresh.
 */
export function oktaType(eventType: string, grantType?: string): AuditEventType {
  if (/^app\.oauth2\.(as\.)?token\.grant(\.|$)/.test(eventType)) return grantType === 'refresh_token' ? 'token.refreshed' : 'token.issued';
  const orgForm = eventType.replace(/^app\.oauth2\.as\./, 'app.oauth2.');
  const exact = EXACT[eventType] ?? EXACT[orgForm];
  if (exact) return exact;
  if (/^app\.oauth2\.(as\.)?consent\.revoke/.test(eventType)) return 'consent.revoked';
  if (/^app\.oauth2\.(as\.)?authorize/.test(eventType)) return eventType.includes('denied') ? 'authorize.denied' : 'authorize.granted';
  if (/^app\.oauth2\.(as\.)?(scope|claim)\./.test(eventType)) return 'scope.changed';
  return 'other';
}

function outcome(result: unknown): Outcome {
  switch (str(result)) {
    case 'SUCCESS':
    case 'ALLOW':
      return 'success';
    case 'FAILURE':
    case 'DENY':
      return 'failure';
    default:
      return 'unknown';
  }
}

function isReuseDetection(eventType: string): boolean {
  return /^app\.oauth2\.(as\.)?token\.detect_reuse$/.test(eventType);
}

const CLIENT_TYPES = new Set(['PublicClientApp', 'AppInstance', 'OAuth2Client', 'Application']);

export const okta: Provider = {
  name: 'okta',
  detect(record) {
    if (typeof record.eventType === 'string' && 'published' in record) return 'uuid' in record || 'actor' in record ? 1 : 0.8;
    return 0;
  },
  normalize(record) {
    const eventType = str(record.eventType) ?? '';
    const debug = asObject(get(record, 'debugContext.debugData')) ?? {};
    const type = oktaType(eventType, str(debug.grantType));
    const actor = asObject(record.actor) ?? {};
    const targets = Array.isArray(record.target) ? record.target.map(asObject).filter((t) => t !== undefined) : [];
    const clientTarget = targets.find((t) => CLIENT_TYPES.has(String(t.type)));
    const tokenTarget = targets.find((t) => /token/i.test(String(t.type)));
    const actorIsClient = CLIENT_TYPES.has(String(actor.type));
    // An app's OAuth client_id is its Okta id (0oa…); a target AppInstance's alternateId is only the app's label
    const clientId = str(debug.clientId) ?? (actorIsClient ? str(actor.id) : undefined) ?? str(clientTarget?.id);
    // consent events name the granted scope as a target of type "Scope" rather than in debugData
    const scopeTargets = targets.filter((t) => String(t.type).toLowerCase().includes('scope')).map((t) => str(t.displayName) ?? str(t.alternateId)).filter((s) => s !== undefined);
    const requestUri = str(debug.requestUri);
    const draft: DraftEvent = {
      eventId: str(record.uuid),
      time: record.published,
      type,
      rawType: eventType,
      // a reuse detection is logged once Okta has revoked the token family: the revocation happened, whatever result
      // the refused token request is logged with
      outcome: isReuseDetection(eventType) ? 'success' : outcome(get(record, 'outcome.result')),
      actor: compact({ id: str(actor.id), type: str(actor.type), name: str(actor.alternateId) ?? str(actor.displayName) }),
      clientId,
      scopes: debug.grantedScopes !== undefined ? scopeList(debug.grantedScopes) : scopeTargets,
      requestedScopes: scopeList(debug.requestedScopes),
      tokenId: str(tokenTarget?.id) ?? str(debug.tokenId),
      grantId: str(debug.grantId) ?? str(get(record, 'transaction.id')),
      request: requestUri ? compact({ method: str(debug.requestMethod), path: requestUri, status: undefined }) : undefined,
      ip: str(get(record, 'client.ipAddress')),
      userAgent: str(get(record, 'client.userAgent.rawUserAgent')),
    };
    return draft;
  },
};
