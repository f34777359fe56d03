// Entra records one consent at a time: an app role assignment holds one role, a delegated grant one API's scopes.
// They are consents, not the client's whole scope set, so drift (SG309) must not read one role as every grant gone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scopeguard, tempDir } from '../usage/helpers.ts';

const APP_ID = '9a8b7c6d-1111-4000-8000-0000000000aa';
const REGISTRY = `kind: ScopeSet
tenant: acme
scopes:
  User.Read.All: {description: Read all users, owner: team-id, sensitivity: high}
  Mail.Read.All: {description: Read all mail, owner: team-id, sensitivity: high}
---
kind: ActionMap
tenant: acme
actions:
  User.Read.All: [GET /v1.0/users/**]
  Mail.Read.All: [GET /v1.0/users/*/messages/**]
---
kind: ClientSet
tenant: acme
clients:
  reporting-daemon:
    clientId: ${APP_ID}
    owner: team-id
    type: machine
    scopes: [User.Read.All, Mail.Read.All]
    justification: {User.Read.All: directory report, Mail.Read.All: retention report}
`;

const roleAssignment = (id: string, day: string, role: string): object => ({
  id,
  category: 'ApplicationManagement',
  correlationId: `c-${id}`,
  result: 'success',
  activityDisplayName: 'Add app role assignment to service principal',
  activityDateTime: `${day}T08:00:00.000Z`,
  loggedByService: 'Core Directory',
  initiatedBy: { user: { id: 'a1b2c3d4-0000-4000-8000-000000000001', userPrincipalName: 'sam.ortiz@example.com' } },
  targetResources: [
    {
      id: '77777777-0000-4000-8000-00000000gr01',
      displayName: 'Microsoft Graph',
      type: 'ServicePrincipal',
      modifiedProperties: [
        { displayName: 'AppRole.Value', oldValue: null, newValue: JSON.stringify(role) },
        { displayName: 'ServicePrincipal.AppId', oldValue: null, newValue: JSON.stringify(APP_ID) },
      ],
    },
  ],
  additionalDetails: [],
});

describe('entra app role assignments and drift', () => {
  it('two roles assigned one at a time are no drift from a registry that grants both (SG309)', () => {
    const dir = tempDir('sg-usage-entra-');
    mkdirSync(join(dir, 'scopes'));
    writeFileSync(join(dir, 'scopes', 'registry.yaml'), REGISTRY);
    const page = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits', value: [roleAssignment('r1', '2026-11-02', 'User.Read.All'), roleAssignment('r2', '2026-11-03', 'Mail.Read.All')] };
    writeFileSync(join(dir, 'audit.json'), JSON.stringify(page));
    const imported = scopeguard(['logs', 'import', 'audit.json', '--provider', 'entra', '--tenant', 'acme', '--quiet'], dir);
    expect(imported.status, imported.stderr).toBe(0);
    const check = scopeguard(['check', '--usage', '--now', '2026-11-20', '--format', 'json', '--fail-on', 'never'], dir);
    expect(check.status, check.stderr).toBe(0);
    const findings = (JSON.parse(check.stdout) as { findings: Array<{ ruleId: string; message: string }> }).findings;
    expect(findings.filter((f) => f.ruleId === 'SG309')).toEqual([]);
    const query = scopeguard(['logs', 'query', '--tenant', 'acme', '--format', 'json'], dir);
    expect((JSON.parse(query.stdout) as Array<{ type: string; scopes: string[] }>).map((e) => [e.type, e.scopes])).toEqual([
      ['consent.granted', ['Mail.Read.All']],
      ['consent.granted', ['User.Read.All']],
    ]);
  });
});
