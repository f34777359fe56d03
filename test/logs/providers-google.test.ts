// Google Workspace Reports activities as the Admin SDK returns them, checked for what a user sees in the normalized event.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importAndRead, tempDir } from './helpers.ts';

/** An `activities.list` page. */
function page(items: object[]): string {
  const file = join(tempDir(), 'google.json');
  writeFileSync(file, JSON.stringify({ kind: 'admin#reports#activities', etag: '"Kq2pZ7rT1v"', items }, null, 2));
  return file;
}

const admin = { callerType: 'USER', email: 'priya.raman@example.com', profileId: '104857362910475839201' };
// a service account's OAuth client ID, the number an admin enters under Security > API controls > Domain-wide delegation
const exporterClientId = '110293847561029384756';

/** An admin console event of type DOMAIN_SETTINGS (Reports API, applicationName=admin). */
function domainSetting(uniqueQualifier: string, name: string, parameters: object[]): object {
  return {
    kind: 'admin#reports#activity',
    id: { time: '2026-11-08T14:02:11.517Z', uniqueQualifier, applicationName: 'admin', customerId: 'C03az79cb' },
    etag: '"Kq2pZ7rT1v/abc"',
    actor: admin,
    ipAddress: '203.0.113.40',
    events: [{ type: 'DOMAIN_SETTINGS', name, parameters }],
  };
}

// Parameters as the Reports API documents them for these events (admin activity, Domain settings): DOMAIN_NAME,
// API_CLIENT_NAME and, when access is authorized, API_SCOPES as a multiValue.
describe('google: domain-wide delegation granted to and removed from an API client', () => {
  it('is filed under the client (API_CLIENT_NAME) with the scopes granted (API_SCOPES)', async () => {
    const file = page([
      domainSetting('-7391826450192837465', 'AUTHORIZE_API_CLIENT_ACCESS', [
        { name: 'DOMAIN_NAME', value: 'example.com' },
        { name: 'API_CLIENT_NAME', value: exporterClientId },
        { name: 'API_SCOPES', multiValue: ['https://www.googleapis.com/auth/admin.reports.audit.readonly', 'https://www.googleapis.com/auth/gmail.readonly'] },
      ]),
      domainSetting('-7391826450192837466', 'REMOVE_API_CLIENT_ACCESS', [
        { name: 'DOMAIN_NAME', value: 'example.com' },
        { name: 'API_CLIENT_NAME', value: exporterClientId },
      ]),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => ({ rawType: e.rawType, type: e.type, clientId: e.clientId, scopes: e.scopes, actor: e.actor?.name }))).toEqual([
      {
        rawType: 'admin.AUTHORIZE_API_CLIENT_ACCESS',
        type: 'grant.changed',
        clientId: exporterClientId,
        scopes: ['https://www.googleapis.com/auth/admin.reports.audit.readonly', 'https://www.googleapis.com/auth/gmail.readonly'],
        actor: 'priya.raman@example.com',
      },
      { rawType: 'admin.REMOVE_API_CLIENT_ACCESS', type: 'grant.changed', clientId: exporterClientId, scopes: [], actor: 'priya.raman@example.com' },
    ]);
  });
});
