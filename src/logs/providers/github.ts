/** GitHub organization/enterprise audit log entries (REST `GET /orgs/{org}/audit-log`, streaming). */
import { compact, str, scopeList, type AuditEventType, type DraftEvent, type Provider } from '../provider.ts';

const ACTIONS: Record<string, AuditEventType> = {
  'oauth_authorization.create': 'consent.granted',
  'oauth_authorization.update': 'consent.granted',
  'oauth_authorization.destroy': 'consent.revoked',
  'oauth_access.create': 'token.issued',
  'oauth_access.regenerate': 'token.refreshed',
  'oauth_access.destroy': 'token.revoked',
  'oauth_application.create': 'client.created',
  'oauth_application.generate_client_secret': 'client.updated',
  'oauth_application.reset_secret': 'client.updated',
  'oauth_application.revoke_tokens': 'token.revoked',
  'oauth_application.transfer': 'client.updated',
  'oauth_application.destroy': 'client.deleted',
  'org.oauth_app_access_approved': 'grant.changed',
  'org.oauth_app_access_denied': 'grant.changed',
  'org.oauth_app_access_requested': 'other',
  'integration_installation.create': 'grant.changed',
  'integration_installation.repositories_added': 'grant.changed',
  'integration_installation.repositories_removed': 'grant.changed',
  'integration_installation.version_updated': 'grant.changed',
  'integration_installation.destroy': 'grant.changed',
  'integration.create': 'client.created',
  'integration.destroy': 'client.deleted',
  'personal_access_token.create': 'token.issued',
  'personal_access_token.request_created': 'authorize.granted',
  'personal_access_token.request_denied': 'authorize.denied',
  'personal_access_token.update': 'grant.changed',
  'personal_access_token.destroy': 'token.revoked',
  'personal_access_token.access_revoked': 'token.revoked',
  'personal_access_token.delete': 'token.revoked',
};

/** GitHub's REST API and streams write actor_is_bot as a JSON boolean; some exports and SIEMs turn it into text. */
function isBot(value: unknown): boolean {
  return value === true || value === 'true';
}

export const github: Provider = {
  name: 'github',
  detect(record) {
    if (typeof record.action === 'string' && ('@timestamp' in record || '_document_id' in record) && /^[a-z_]+\.[a-z_]+/.test(record.action)) return 1;
    return 0;
  },
  normalize(record) {
    const action = str(record.action) ?? '';
    // API requests appear in the enterprise audit log stream with the token's scopes
    const isRequest = action === 'api.request' || (typeof record.request_method === 'string' && typeof record.url_path === 'string');
    const type: AuditEventType = ACTIONS[action] ?? (isRequest ? 'api.request' : 'other');
    const status = typeof record.status_code === 'number' ? record.status_code : undefined;
    const draft: DraftEvent = {
      eventId: str(record._document_id),
      time: record['@timestamp'] ?? record.created_at,
      type,
      rawType: action,
      outcome: action.endsWith('_denied') || action.endsWith('.request_denied') ? 'failure' : status !== undefined && status >= 400 ? 'failure' : 'success',
      actor: compact({ id: str(record.actor_id), type: isBot(record.actor_is_bot) ? 'bot' : 'user', name: str(record.actor) }),
      // OAuth apps are known by client id; GitHub Apps by their integration id
      clientId: str(record.oauth_application_client_id) ?? str(record.application_client_id) ?? str(record.oauth_application_id) ?? str(record.integration_id) ?? str(record.programmatic_access_client_id),
      scopes: scopeList(record.token_scopes ?? record.scopes),
      requestedScopes: [],
      tokenId: str(record.token_id) ?? str(record.hashed_token),
      grantId: str(record.installation_id) ?? str(record.oauth_authorization_id),
      request: isRequest ? compact({ method: str(record.request_method)?.toUpperCase(), path: str(record.url_path), status }) : undefined,
      ip: str(record.actor_ip),
      userAgent: str(record.user_agent),
    };
    return draft;
  },
};
