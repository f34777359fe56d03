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
      audit('Directory_11111111-2222-4333-8444-555555555555_AB1CD_100000004', 'Remove delegated permission grant', [
        { ...graph, modifiedProperties: [property('DelegatedPermissionGrant.Scope', 'User.Read Mail.Read', '')] },
      ], [{ key: 'AppId', value: '3f2e1d0c-aaaa-4bbb-8ccc-123456789abc' }]),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => ({ rawType: e.rawType, type: e.type, clientId: e.clientId, scopes: e.scopes, actor: e.actor?.name, outcome: e.outcome }))).toEqual([
      { rawType: 'Add app role assignment to service principal', type: 'grant.changed', clientId: daemonAppId, scopes: ['User.Read.All'], actor: 'sam.ortiz@example.com', outcome: 'success' },
      { rawType: 'Remove app role assignment from service principal', type: 'grant.changed', clientId: daemonAppId, scopes: ['User.Read.All'], actor: 'sam.ortiz@example.com', outcome: 'success' },
      { rawType: 'Add delegated permission grant', type: 'grant.changed', clientId: '5d6e7f80-0000-4000-8000-0000000000c1', scopes: ['Mail.Read'], actor: 'sam.ortiz@example.com', outcome: 'success' },
      { rawType: 'Remove delegated permission grant', type: 'grant.changed', clientId: '3f2e1d0c-aaaa-4bbb-8ccc-123456789abc', scopes: ['User.Read', 'Mail.Read'], actor: 'sam.ortiz@example.com', outcome: 'success' },
    ]);
  });
});
