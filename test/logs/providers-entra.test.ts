// Microsoft Entra audit records as Graph returns them, checked for what a user sees in the normalized event.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importAndRead, tempDir } from './helpers.ts';

/** A Graph `auditLogs/directoryAudits` page. */
function page(records: object[]): string {
  const file = join(tempDir(), 'entra.json');
  writeFileSync(file, JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits', value: records }, null, 2));
  return file;
}

// Entra writes modified property values as JSON text: `"\"User.Read.All\""`
const property = (displayName: string, oldValue: string | null, newValue: string | null): object => ({
  displayName,
  oldValue: oldValue === null ? null : JSON.stringify(oldValue),
  newValue: newValue === null ? null : JSON.stringify(newValue),
});
const sam = { user: { id: 'a1b2c3d4-0000-4000-8000-000000000001', userPrincipalName: 'sam.ortiz@example.com', ipAddress: '198.51.100.33' } };
// the API the permission is on comes first among the targets: Microsoft Graph's service principal (its object id)
const graph = { id: '77777777-0000-4000-8000-00000000gr01', displayName: 'Microsoft Graph', type: 'ServicePrincipal' };
const daemonAppId = '9a8b7c6d-1111-4000-8000-0000000000aa';
const audit = (id: string, activityDisplayName: string, targetResources: object[], additionalDetails: object[] = []): object => ({
  id,
  category: 'ApplicationManagement',
  correlationId: `c-${id}`,
  result: 'success',
  activityDisplayName,
  activityDateTime: '2026-11-07T08:00:00.000Z',
  loggedByService: 'Core Directory',
  initiatedBy: sam,
  targetResources,
  additionalDetails,
});

describe('entra: permissions granted to and removed from an app', () => {
  it('are filed under the app (ServicePrincipal.AppId), not the API it was granted on, and a removal names what it removed', async () => {
    const file = page([
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000001', 'Add app role assignment to service principal', [
        {
          ...graph,
          modifiedProperties: [
            property('AppRole.Id', null, 'df021288-bdef-4463-88db-98f22de89214'),
            property('AppRole.Value', null, 'User.Read.All'),
            property('AppRole.DisplayName', null, "Read all users' full profiles"),
            property('ServicePrincipal.ObjectID', null, '9a8b7c6d-0000-4000-8000-0000000000ff'),
            property('ServicePrincipal.DisplayName', null, 'reporting-daemon'),
            property('ServicePrincipal.AppId', null, daemonAppId),
            property('ServicePrincipal.Name', null, daemonAppId),
            property('TargetId.ServicePrincipalNames', null, '00000003-0000-0000-c000-000000000000;https://graph.microsoft.com'),
          ],
        },
      ], [{ key: 'User-Agent', value: 'Mozilla/5.0' }]),
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000002', 'Remove app role assignment from service principal', [
        { ...graph, modifiedProperties: [property('AppRole.Value', 'User.Read.All', null), property('ServicePrincipal.AppId', daemonAppId, null)] },
      ]),
      // a delegated grant without the AppId detail: the app is the second target (its object id is all it shows)
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000003', 'Add delegated permission grant', [
        { ...graph, modifiedProperties: [property('DelegatedPermissionGrant.Scope', '', 'Mail.Read'), property('DelegatedPermissionGrant.ConsentType', '', 'AllPrincipals')] },
        { id: '5d6e7f80-0000-4000-8000-0000000000c1', displayName: 'mail-sync', type: 'ServicePrincipal', modifiedProperties: [] },
      ]),
      // the AppId detail of a delegated grant is the API's (Microsoft Graph's), not the app's: the app is only named by
      // the ServicePrincipal.ObjectID property
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000004', 'Remove delegated permission grant', [
        { ...graph, modifiedProperties: [property('DelegatedPermissionGrant.Scope', 'User.Read Mail.Read', ''), property('ServicePrincipal.ObjectID', null, '3f2e1d0c-0000-4000-8000-0000000000b2')] },
      ], [{ key: 'AppId', value: '00000003-0000-0000-c000-000000000000' }]),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => ({ rawType: e.rawType, type: e.type, clientId: e.clientId, scopes: e.scopes, actor: e.actor?.name, outcome: e.outcome }))).toEqual([
      { rawType: 'Add app role assignment to service principal', type: 'consent.granted', clientId: daemonAppId, scopes: ['User.Read.All'], actor: 'sam.ortiz@example.com', outcome: 'success' },
      { rawType: 'Remove app role assignment from service principal', type: 'consent.revoked', clientId: daemonAppId, scopes: ['User.Read.All'], actor: 'sam.ortiz@example.com', outcome: 'success' },
      { rawType: 'Add delegated permission grant', type: 'consent.granted', clientId: '5d6e7f80-0000-4000-8000-0000000000c1', scopes: ['Mail.Read'], actor: 'sam.ortiz@example.com', outcome: 'success' },
      { rawType: 'Remove delegated permission grant', type: 'consent.revoked', clientId: '3f2e1d0c-0000-4000-8000-0000000000b2', scopes: ['User.Read', 'Mail.Read'], actor: 'sam.ortiz@example.com', outcome: 'success' },
    ]);
  });

  // Shaped like a real Graph export of an admin consenting a grant for all users (lab records published in public
  // repositories): the API's service principal first, with every ServicePrincipal.* property but the object id null,
  // Microsoft Graph's own service principal names, the app as a bare second target and Graph's appId as the AppId detail.
  it('are not filed under the API when the AppId detail names the API', async () => {
    const mailSyncObjectId = '5d6e7f80-0000-4000-8000-0000000000c1';
    const file = page([
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000005', 'Add delegated permission grant', [
        {
          ...graph,
          modifiedProperties: [
            property('DelegatedPermissionGrant.Scope', ' offline_access openid profile User.Read', ' offline_access openid profile User.Read Mail.ReadWrite'),
            property('DelegatedPermissionGrant.ConsentType', 'AllPrincipals', 'AllPrincipals'),
            property('ServicePrincipal.ObjectID', null, mailSyncObjectId),
            { displayName: 'ServicePrincipal.DisplayName', oldValue: null, newValue: null },
            { displayName: 'ServicePrincipal.AppId', oldValue: null, newValue: null },
            { displayName: 'ServicePrincipal.Name', oldValue: null, newValue: null },
            property('TargetId.ServicePrincipalNames', null, '00000003-0000-0000-c000-000000000000/ags.windows.net;00000003-0000-0000-c000-000000000000;https://graph.microsoft.com'),
          ],
        },
        { id: mailSyncObjectId, displayName: null, type: 'ServicePrincipal', userPrincipalName: null, groupType: null, modifiedProperties: [] },
      ], [
        { key: 'User-Agent', value: 'EvoSTS' },
        { key: 'AppId', value: '00000003-0000-0000-c000-000000000000' },
        { key: 'ServicePrincipalProvisioningType', value: 'Other' },
      ]),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.type, e.clientId])).toEqual([['consent.granted', mailSyncObjectId]]);
  });

  // When an existing delegated grant is amended Entra logs a Remove beside the Add, both with the grant before and
  // after the change (same correlation id, operationType Unassign): the grant grew, nothing was removed.
  it('a removal names only what is no longer granted', async () => {
    const file = page([
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000006', 'Remove delegated permission grant', [
        {
          ...graph,
          modifiedProperties: [
            property('DelegatedPermissionGrant.Scope', ' User.Read', ' User.Read User.ReadBasic.All'),
            property('DelegatedPermissionGrant.ConsentType', 'Principal', 'Principal'),
            property('DelegatedPermissionGrant.PrincipalId', sam.user.id, sam.user.id),
            property('ServicePrincipal.ObjectID', null, '4c43a528-0000-4000-8000-0000000000d4'),
          ],
        },
      ], [{ key: 'AppId', value: '00000003-0000-0000-c000-000000000000' }]),
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000007', 'Remove delegated permission grant', [
        { ...graph, modifiedProperties: [property('DelegatedPermissionGrant.Scope', ' User.Read Mail.Read Files.Read', ' User.Read'), property('ServicePrincipal.ObjectID', null, '4c43a528-0000-4000-8000-0000000000d4')] },
      ]),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.type, e.clientId, e.scopes])).toEqual([
      ['consent.revoked', '4c43a528-0000-4000-8000-0000000000d4', []],
      ['consent.revoked', '4c43a528-0000-4000-8000-0000000000d4', ['Mail.Read', 'Files.Read']],
    ]);
  });
});

// A user (or an admin for everyone) consenting: the client's own service principal is the target, its id the object
// id (ConsentAction.Permissions' ClientId is that object id too); the appId is among its service principal names.
// Shaped like real "Consent to application" records published in public write-ups and lab evidence.
describe('entra: consent to an application', () => {
  const reportsObjectId = '05e6c6b7-0000-4000-8000-0000000000e5';
  const reportsAppId = '7d1e9a3f-2b88-4c10-9f55-c0aa41e2b6d1';
  const consent = (id: string, names: string, additionalDetails: object[]): object =>
    audit(id, 'Consent to application', [
      {
        id: reportsObjectId,
        displayName: 'Quarterly Reports',
        type: 'ServicePrincipal',
        userPrincipalName: null,
        groupType: null,
        modifiedProperties: [
          property('ConsentContext.IsAdminConsent', null, 'False'),
          property('ConsentContext.IsAppOnly', null, 'False'),
          property('ConsentContext.OnBehalfOfAll', null, 'False'),
          property('ConsentContext.Tags', null, 'WindowsAzureActiveDirectoryIntegratedApp'),
          property(
            'ConsentAction.Permissions',
            null,
            `[] => [[Id: KKVDTDO6sECIIchkNYfzUb47HpG_M1xKif_yoJNjuqo, ClientId: ${reportsObjectId}, PrincipalId: ${sam.user.id}, ResourceId: ${graph.id}, ConsentType: Principal, Scope:  User.Read Mail.Read offline_access, CreatedDateTime: , LastModifiedDateTime ]]; `,
          ),
          property('TargetId.ServicePrincipalNames', null, names),
        ],
      },
    ], additionalDetails);

  it('is filed under the app id (client id) from the service principal names, not the object id', async () => {
    const file = page([
      // no AppId detail: only the service principal names carry the appId
      consent('Directory_11111111-2222-4333-8444-555555555555_AB1CD_200000001', reportsAppId, [{ key: 'User-Agent', value: 'EvoSTS' }]),
      // the appId among URIs, in either order
      consent('Directory_11111111-2222-4333-8444-555555555555_AB1CD_200000002', `https://reports.example.com/app;${reportsAppId}`, []),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => ({ type: e.type, clientId: e.clientId, scopes: e.scopes }))).toEqual([
      { type: 'consent.granted', clientId: reportsAppId, scopes: ['User.Read', 'Mail.Read', 'offline_access'] },
      { type: 'consent.granted', clientId: reportsAppId, scopes: ['User.Read', 'Mail.Read', 'offline_access'] },
    ]);
  });

  it('falls back to the AppId detail, then to the object id', async () => {
    const file = page([
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_200000003', 'Consent to application', [
        { id: reportsObjectId, displayName: 'Quarterly Reports', type: 'ServicePrincipal', modifiedProperties: [property('ConsentAction.Permissions', null, '[] => [[Scope:  User.Read, CreatedDateTime: ]]; ')] },
      ], [{ key: 'User-Agent', value: 'EvoSTS' }, { key: 'AppId', value: reportsAppId }]),
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_200000004', 'Consent to application', [
        { id: reportsObjectId, displayName: 'Quarterly Reports', type: 'ServicePrincipal', modifiedProperties: [property('ConsentAction.Permissions', null, '[] => [[Scope:  User.Read, CreatedDateTime: ]]; ')] },
      ]),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => e.clientId)).toEqual([reportsAppId, reportsObjectId]);
  });
});

describe('entra: activity names as exports spell them', () => {
  it('a secret added to an app is client.updated with or without the trailing space and en dash Entra writes', async () => {
    const app = { id: '5d0c2b1a-3333-4000-8000-0000000000cc', displayName: 'Billing Service', type: 'Application' };
    const file = page([
      audit('Directory_secret_1', 'Update application – Certificates and secrets management ', [app]),
      audit('Directory_secret_2', 'Update application – Certificates and secrets management', [app]),
      audit('Directory_secret_3', 'Update application - Certificates and secrets management', [app]),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.type, e.rawType])).toEqual([
      ['client.updated', 'Update application – Certificates and secrets management '],
      ['client.updated', 'Update application – Certificates and secrets management'],
      ['client.updated', 'Update application - Certificates and secrets management'],
    ]);
  });
});
