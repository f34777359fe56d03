/**
 * Microsoft Entra ID: Graph `auditLogs/signIns` (user and service-principal sign-ins) and
 * `auditLogs/directoryAudits`, plain or wrapped in an Azure Monitor diagnostic export (`{time, category, properties}`).
 */
import { asObject, compact, get, scopeList, str, type AuditEventType, type DraftEvent, type Provider } from '../provider.ts';

/**
 * An activity name as it is looked up: Entra writes some with a trailing space and an en dash ("Update application –
 * Certificates and secrets management "), and exports through other tools trim or re-dash them.
 */
function activityKey(name: string): string {
  return name.replace(/[\u2012-\u2015-]/g, '-').replace(/\s+/g, ' ').trim();
}

// A delegated permission grant (oauth2PermissionGrant) and an app role assignment are what consent creates, one API
// (resource) and, for a role, one role at a time: consents, not the client's whole scope set that grant.changed
// carries (SG309 compares that set with the registry, and one role would read as every other grant gone).
const AUDIT_ACTIVITY_NAMES: Record<string, AuditEventType> = {
  'Consent to application': 'consent.granted',
  'Revoke consent': 'consent.revoked',
  'Add delegated permission grant': 'consent.granted',
  'Remove delegated permission grant': 'consent.revoked',
  'Update delegated permission grant': 'consent.granted',
  'Add app role assignment to service principal': 'consent.granted',
  'Remove app role assignment from service principal': 'consent.revoked',
  'Add application': 'client.created',
  'Update application': 'client.updated',
  'Delete application': 'client.deleted',
  'Add service principal': 'client.created',
  'Update service principal': 'client.updated',
  'Remove service principal': 'client.deleted',
  'Delete service principal': 'client.deleted',
  'Add service principal credentials': 'client.updated',
  'Update application – Certificates and secrets management ': 'client.updated',
};
const AUDIT_ACTIVITIES = new Map(Object.entries(AUDIT_ACTIVITY_NAMES).map(([name, type]) => [activityKey(name), type]));

function unwrap(record: Record<string, unknown>): { body: Record<string, unknown>; category?: string } {
  const properties = asObject(record.properties);
  if (properties && typeof record.category === 'string') return { body: { ...properties, time: properties.createdDateTime ?? properties.activityDateTime ?? record.time }, category: record.category };
  return { body: record };
}

/**
 * Activities whose first target is the API a permission is on (Microsoft Graph's service principal, say), not the app
 * that gets or loses the permission. Their AppId detail is the first target's appId, so the API's
 * (00000003-0000-0000-c000-000000000000 for Microsoft Graph in real exports), never the client's; the app is named by
 * the ServicePrincipal.AppId property (app role assignments fill it; delegated grants leave it null), else only by its
 * object id: a later target's id or the ServicePrincipal.ObjectID property.
 */
const PERMISSION_ACTIVITIES = new Set([
  'Add app role assignment to service principal',
  'Remove app role assignment from service principal',
  'Add delegated permission grant',
  'Remove delegated permission grant',
  'Update delegated permission grant',
]);

/**
 * A removal's modified properties hold the grant before it in oldValue and after it in newValue (empty when the whole
 * grant went). "Revoke consent" is not one of them: no public record of it shows where it writes what was revoked.
 */
function isRemoval(activity: string): boolean {
  return /^Remove\b/.test(activity);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The appId among a target's service principal names (TargetId.ServicePrincipalNames, `;`-separated: the appId itself
 * and URIs such as `https://graph.microsoft.com` or `<appId>/ags.windows.net`): the one name that is a bare GUID.
 */
function appIdOfNames(target: Record<string, unknown> | undefined): string | undefined {
  const names = target ? modifiedValue([target], 'TargetId.ServicePrincipalNames') : undefined;
  return names?.split(';').map((name) => name.trim()).find((name) => GUID.test(name));
}

function isAppTarget(target: Record<string, unknown> | undefined): target is Record<string, unknown> {
  return target !== undefined && /ServicePrincipal|Application/i.test(String(target.type));
}

/** A modified property's value, either side, without the JSON quoting Entra writes it with (`"\"…\""`). */
function modifiedValue(targets: unknown[], displayName: string): string | undefined {
  for (const target of targets) {
    const modified = get(target, 'modifiedProperties');
    if (!Array.isArray(modified)) continue;
    const property = modified.find((p) => str(get(p, 'displayName')) === displayName);
    const value = str(get(property, 'newValue'))?.replace(/"/g, '') || str(get(property, 'oldValue'))?.replace(/"/g, '');
    if (value) return value;
  }
  return undefined;
}

/**
 * Scopes written in modified properties: `"User.Read Mail.Read"` or `[[..., Scope: User.Read Mail.Read, ...]]`, read
 * from `side`: newValue for the grant after the change, oldValue for the grant before it.
 */
function scopesFromModified(targets: unknown, side: 'newValue' | 'oldValue'): string[] {
  const found: string[] = [];
  if (!Array.isArray(targets)) return found;
  for (const target of targets) {
    const modified = get(target, 'modifiedProperties');
    if (!Array.isArray(modified)) continue;
    for (const property of modified) {
      const name = str(get(property, 'displayName')) ?? '';
      const value = (str(get(property, side)) ?? '').replace(/\\?"/g, '');
      if (/DelegatedPermissionGrant\.Scope$/i.test(name)) found.push(...scopeList(value));
      for (const match of value.matchAll(/Scope:\s*([^,\]]+)/g)) found.push(...scopeList(match[1]));
      if (/AppRole\.Value$/i.test(name)) found.push(...scopeList(value));
    }
  }
  return [...new Set(found)];
}

/**
 * What a removal took away: the scopes before it that are not after it. Entra also logs a Remove beside the Add when an
 * existing delegated grant is amended, with the same oldValue and newValue as the Add (the grant grew); nothing was
 * removed then, and reading oldValue alone would report the scopes still granted as removed.
 */
function removedScopes(targets: unknown): string[] {
  const after = new Set(scopesFromModified(targets, 'newValue'));
  return scopesFromModified(targets, 'oldValue').filter((scope) => !after.has(scope));
}

export const entra: Provider = {
  name: 'entra',
  detect(record) {
    const { body } = unwrap(record);
    if ('activityDisplayName' in body && ('activityDateTime' in body || 'initiatedBy' in body)) return 1;
    if ('createdDateTime' in body && ('appId' in body || 'servicePrincipalId' in body) && 'status' in body) return 1;
    return 0;
  },
  normalize(record) {
    const { body, category } = unwrap(record);
    if ('activityDisplayName' in body) {
      const activity = str(body.activityDisplayName) ?? '';
      const user = asObject(get(body, 'initiatedBy.user'));
      const app = asObject(get(body, 'initiatedBy.app'));
      const targets = Array.isArray(body.targetResources) ? body.targetResources : [];
      const permissionChange = PERMISSION_ACTIVITIES.has(activityKey(activity));
      // for a permission change the first target is the API the permission is on, never the client
      const servicePrincipal = (permissionChange ? targets.slice(1) : targets).map(asObject).find(isAppTarget);
      // the appId of the first target (see PERMISSION_ACTIVITIES): the client's only when that target is the client
      const appIdDetail = Array.isArray(body.additionalDetails)
        ? str(asObject(body.additionalDetails.find((d) => /^AppId$/i.test(String(get(d, 'key')))))?.value)
        : undefined;
      // Registry clients are joined by appId (the client id), so every id the record has for the app is tried before
      // the service principal's object id, which is the last resort. "Consent to application" targets the client's
      // service principal (its id is the object id, as is ConsentAction.Permissions' ClientId); its appId is among
      // that target's service principal names and in the AppId detail.
      const clientId = permissionChange
        ? (modifiedValue(targets, 'ServicePrincipal.AppId') ?? str(servicePrincipal?.appId) ?? str(get(servicePrincipal, 'id')) ?? modifiedValue(targets, 'ServicePrincipal.ObjectID'))
        : (appIdOfNames(servicePrincipal) ?? appIdDetail ?? str(servicePrincipal?.appId) ?? str(get(servicePrincipal, 'id')));
      const draft: DraftEvent = {
        eventId: str(body.id),
        time: body.activityDateTime ?? body.time,
        type: AUDIT_ACTIVITIES.get(activityKey(activity)) ?? 'other',
        rawType: activity,
        outcome: str(body.result) === 'success' ? 'success' : str(body.result) === 'failure' ? 'failure' : 'unknown',
        actor: user ? compact({ id: str(user.id), type: 'user', name: str(user.userPrincipalName) ?? str(user.displayName) }) : compact({ id: str(app?.servicePrincipalId) ?? str(app?.appId), type: app ? 'service-principal' : undefined, name: str(app?.displayName) }),
        clientId,
        scopes: isRemoval(activity) ? removedScopes(targets) : scopesFromModified(targets, 'newValue'),
        requestedScopes: [],
        grantId: str(body.correlationId),
        ip: str(user?.ipAddress),
      };
      return draft;
    }
    // sign-in: servicePrincipal sign-ins (client credentials) carry no user
    const errorCode = get(body, 'status.errorCode');
    const isServicePrincipal = category === 'ServicePrincipalSignInLogs' || (Array.isArray(body.signInEventTypes) && body.signInEventTypes.includes('servicePrincipal')) || (!body.userId && body.servicePrincipalId);
    const failed = typeof errorCode === 'number' && errorCode !== 0;
    const draft: DraftEvent = {
      eventId: str(body.id),
      time: body.createdDateTime ?? body.time,
      type: failed ? 'authorize.denied' : 'token.issued',
      rawType: isServicePrincipal ? 'servicePrincipalSignIn' : 'signIn',
      outcome: errorCode === undefined ? 'unknown' : failed ? 'failure' : 'success',
      actor: isServicePrincipal
        ? compact({ id: str(body.servicePrincipalId), type: 'service-principal', name: str(body.servicePrincipalName) ?? str(body.appDisplayName) })
        : compact({ id: str(body.userId), type: 'user', name: str(body.userPrincipalName) ?? str(body.userDisplayName) }),
      clientId: str(body.appId),
      // Graph sign-ins do not list scopes; some exports add them from the token's `scp`/`roles` claims
      scopes: scopeList(body.scopes ?? body.scp ?? body.roles),
      requestedScopes: [],
      tokenId: str(body.uniqueTokenIdentifier) ?? str(body.sessionId),
      grantId: str(body.correlationId),
      ip: str(body.ipAddress),
      userAgent: str(body.userAgent),
    };
    return draft;
  },
};
