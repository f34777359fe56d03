/**
 * The story the change-tracking tests tell, as a real repository whose registry lives in `config/oauth/scopes`
 * (not the repository root). Commits by three authors: owners Ana (team-data) and Bob (team-orders), and
 * Mallory, who owns nothing.
 */
import { ANA, BOB, MALLORY, TestRepo } from './repo-fixture.ts';

export const ROOT = 'config/oauth/scopes';

export const CONFIG = `kind: Config
thresholds: {minDeprecationDays: 30, maxExceptionDays: 180}
owners:
  team-data: {emails: [ana@example.com], logins: [ana-gh]}
  team-orders: {emails: [bob@example.com], logins: [bob-gh]}
`;

const scopes = (parts: { adminSensitivity?: string; legacy?: boolean; legacyDeprecated?: string; deleteOrders?: boolean; ordersDescription?: string }) => `kind: ScopeSet
tenant: acme
scopes:
  read.data:
    description: Read customer data records
    sensitivity: high
    owner: team-data
  write.orders:
    description: ${parts.ordersDescription ?? 'Create or modify orders'}
    sensitivity: medium
    owner: team-orders
  admin.all:
    description: Administer everything
    sensitivity: ${parts.adminSensitivity ?? 'critical'}
    owner: team-data
${parts.legacy === false ? '' : `  read.legacy:
    description: Old read scope
    owner: team-data
    status: deprecated
    deprecatedSince: ${parts.legacyDeprecated ?? '2026-05-01'}
    replacedBy: read.data
`}${parts.deleteOrders === false ? '' : `  delete.orders:
    description: Delete orders
    sensitivity: medium
    owner: team-orders
`}`;

const actions = (parts: { orders?: string[]; data?: string[]; deleteOrders?: boolean; legacy?: boolean }) => `kind: ActionMap
tenant: acme
actions:
  read.data: [${(parts.data ?? ['GET /v1/data/**']).map((p) => JSON.stringify(p)).join(', ')}]
  write.orders: [${(parts.orders ?? ['POST /v1/orders', 'GET /v1/orders/*']).map((p) => JSON.stringify(p)).join(', ')}]
  admin.all: ['* /admin/**']
${parts.legacy === false ? '' : '  read.legacy: [GET /v0/data/**]\n'}${parts.deleteOrders === false ? '' : '  delete.orders: ["DELETE /v1/orders/{id}"]\n'}`;

const CLIENTS_V1 = `kind: ClientSet
tenant: acme
clients:
  billing-service:
    clientId: 0oa1billing
    owner: team-orders
    type: confidential
    scopes: [write.orders]
  reporting-app:
    clientId: 0oa2reporting
    owner: team-data
    type: machine
    scopes: []
  legacy-app:
    clientId: 0oa3legacy
    owner: team-data
    type: confidential
    scopes: [read.legacy]
`;

// the same clients, keys reordered, quoted and commented: no semantic change
const CLIENTS_V2 = `# clients of the acme tenant
tenant: "acme"
kind: ClientSet
clients:
  legacy-app:
    type: confidential
    scopes: ["read.legacy"]
    owner: team-data
    clientId: '0oa3legacy'
  billing-service:   # invoices
    type: confidential
    clientId: "0oa1billing"
    owner: team-orders
    scopes: [ write.orders ]
  reporting-app:
    owner: team-data
    type: machine
    clientId: 0oa2reporting
    scopes: []
`;

const clientsWith = (reporting: string[]) =>
  CLIENTS_V2.replace(/reporting-app:\n(.*\n)*?    scopes: \[\]/, `reporting-app:\n    owner: team-data\n    type: machine\n    clientId: 0oa2reporting\n    scopes: [${reporting.join(', ')}]`);

const EXCEPTIONS_V1 = `kind: ExceptionSet
tenant: acme
exceptions:
  - rule: SG101
    subject: scope:read.legacy
    reason: being retired
    owner: team-data
    expires: 2026-06-30
`;

const EXCEPTIONS_V2 = `kind: ExceptionSet
tenant: acme
exceptions:
  - rule: SG105
    subject: client:reporting-app/scope:read.data
    reason: reporting backfill
    owner: team-data
    expires: 2027-12-31
`;

export interface Scenario {
  repo: TestRepo;
  commits: {
    initial: string;
    reformat: string;
    orders: string;
    move: string;
    mallory: string;
    reporting: string;
    merge: string;
    tidy: string;
  };
}

export function buildScenario(): Scenario {
  const repo = new TestRepo();
  const at = (file: string) => `${ROOT}/${file}`;
  repo.write('README.md', '# app\n');
  repo.write(at('scopeguard.yaml'), CONFIG);
  repo.write(at('acme/scopes.yaml'), scopes({}));
  repo.write(at('acme/actions.yaml'), actions({}));
  repo.write(at('acme/clients.yaml'), CLIENTS_V1);
  repo.write(at('acme/exceptions.yaml'), EXCEPTIONS_V1);
  const initial = repo.commit('Initial registry', ANA, '2026-01-10T10:00:00Z');

  repo.write(at('acme/clients.yaml'), CLIENTS_V2);
  const reformat = repo.commit('Reformat clients', BOB, '2026-02-10T10:00:00Z');

  repo.write(at('acme/actions.yaml'), actions({ orders: ['POST /v1/orders', 'GET /v1/orders/{id}', 'DELETE /v1/orders/{id}'] }));
  repo.write(at('acme/clients.yaml'), clientsWith(['write.orders']));
  const orders = repo.commit('Orders: delete endpoint (#7)', BOB, '2026-03-10T10:00:00Z');

  repo.move(at('acme/scopes.yaml'), at('tenants/acme/scope-definitions.yaml'));
  const move = repo.commit('Move scope definitions', ANA, '2026-04-10T10:00:00Z');

  repo.git(['checkout', '-q', '-b', 'feature'], ANA, '2026-05-01T00:00:00Z');
  repo.write(at('tenants/acme/scope-definitions.yaml'), scopes({ adminSensitivity: 'high' }));
  const mallory = repo.commit('Loosen admin', MALLORY, '2026-05-05T10:00:00Z');

  repo.write(at('tenants/acme/scope-definitions.yaml'), scopes({ adminSensitivity: 'high', legacy: false, deleteOrders: false }));
  repo.write(at('acme/actions.yaml'), actions({ orders: ['POST /v1/orders', 'GET /v1/orders/{id}', 'DELETE /v1/orders/{id}'], data: ['GET /v1/data/**', 'GET /v2/data/**'], legacy: false, deleteOrders: false }));
  repo.write(at('acme/clients.yaml'), clientsWith(['write.orders', 'read.data']).replace('scopes: ["read.legacy"]', 'scopes: []'));
  repo.write(at('acme/exceptions.yaml'), EXCEPTIONS_V2);
  const reporting = repo.commit('Reporting needs data', ANA, '2026-05-06T10:00:00Z');

  repo.git(['checkout', '-q', 'main'], ANA, '2026-05-10T10:00:00Z');
  repo.git(['merge', '-q', '--no-ff', 'feature', '-m', 'Merge pull request #12 from acme/feature'], ANA, '2026-05-10T10:00:00Z');
  const merge = repo.git(['rev-parse', 'HEAD']).trim();

  repo.write(at('tenants/acme/scope-definitions.yaml'), scopes({ adminSensitivity: 'high', legacy: false, deleteOrders: false, ordersDescription: 'Create, modify or cancel orders' }));
  const tidy = repo.commit('Tidy descriptions', BOB, '2026-06-15T10:00:00Z');

  return { repo, commits: { initial, reformat, orders, move, mallory, reporting, merge, tidy } };
}
