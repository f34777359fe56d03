import { describe, expect, it } from 'vitest';
import { diffRegistries } from '../../src/diff/diff.ts';
import { loadRegistryFromSources } from '../../src/registry/load.ts';

const SCOPES = `kind: ScopeSet
tenant: acme
scopes:
  read.data: {description: Read data, sensitivity: high, owner: team-data}
  read.orders: {description: Read orders, owner: team-orders}
  write.orders: {description: Write orders, sensitivity: medium, owner: team-orders, implies: [read.orders]}
  old.scope: {description: Old, owner: team-data}
`;
const ACTIONS = `kind: ActionMap
tenant: acme
actions:
  read.data: ["GET /v1/data/**"]
  read.orders: ["GET /v1/orders/*"]
  write.orders: ["POST /v1/orders", "PUT /v1/orders/{id}"]
`;
const CLIENTS = `kind: ClientSet
tenant: acme
clients:
  app: {clientId: c1, owner: team-orders, type: confidential, scopes: [read.orders, old.scope]}
  gone: {clientId: c2, owner: team-data, type: machine, scopes: []}
`;
const EXCEPTIONS = `kind: ExceptionSet
tenant: acme
exceptions:
  - {rule: SG101, subject: "scope:read.orders", reason: later, expires: 2026-12-31}
  - {rule: SG104, subject: "scope:old.scope", reason: later, expires: 2026-12-31}
`;

const load = (files: Record<string, string>) =>
  loadRegistryFromSources('scopes', Object.entries(files).map(([path, content]) => ({ path: `scopes/${path}`, content })));

const BASE = { 'scopes.yaml': SCOPES, 'actions.yaml': ACTIONS, 'clients.yaml': CLIENTS, 'exceptions.yaml': EXCEPTIONS };

describe('diffRegistries', () => {
  it('finds nothing in formatting-only edits: key order, comments, quoting, flow vs block style, file split', () => {
    const reformatted = {
      'a.yaml': `# all in one file now\ntenant: "acme"\nkind: ScopeSet\nscopes:\n  write.orders:\n    owner: team-orders\n    implies:\n      - read.orders\n    sensitivity: 'medium'\n    description: Write orders\n  read.orders: {owner: team-orders, description: "Read orders"}\n  old.scope: {owner: team-data, description: Old}\n  read.data: {sensitivity: high, owner: team-data, description: Read data}\n---\n${ACTIONS.replace('"POST /v1/orders", "PUT /v1/orders/{id}"', '"PUT /v1/orders/{id}", "post /v1/orders"')}`,
      'b/clients.yaml': CLIENTS.replace('[read.orders, old.scope]', '[old.scope, read.orders]'),
      'exceptions.yaml': EXCEPTIONS,
    };
    const diff = diffRegistries(load(BASE), load(reformatted));
    expect(diff.changes).toEqual([]);
    expect(diff.classification).toBe('neutral');
  });

  it('classifies every kind of change and locates it', () => {
    const head = {
      'scopes.yaml': `kind: ScopeSet
tenant: acme
scopes:
  read.data: {description: Read all data, sensitivity: medium, owner: team-platform}
  read.orders: {description: Read orders, owner: team-orders, status: deprecated, deprecatedSince: 2026-01-01}
  write.orders: {description: Write orders, sensitivity: critical, owner: team-orders, implies: []}
  new.scope: {description: New, owner: team-data}
`,
      'actions.yaml': `kind: ActionMap
tenant: acme
actions:
  read.data: ["GET /v1/data/**", "DELETE /v1/data/{id}"]
  read.orders: ["GET /v1/orders/{orderId}"]
  write.orders: ["POST /v1/orders"]
`,
      'clients.yaml': `kind: ClientSet
tenant: acme
clients:
  app: {clientId: c1, owner: team-data, type: public, scopes: [read.orders, read.data]}
  fresh: {clientId: c3, type: machine, scopes: [new.scope]}
`,
      'exceptions.yaml': `kind: ExceptionSet
tenant: acme
exceptions:
  - {rule: SG101, subject: "scope:read.orders", reason: later, expires: 2027-06-30}
  - {rule: SG105, subject: "client:app/scope:read.data", reason: needed, expires: 2026-12-01}
`,
    };
    const diff = diffRegistries(load(BASE), load(head));
    const rows = diff.changes.map((c) => `${c.subject} | ${c.kind} | ${c.classification} | ${c.detail}`);
    expect(rows).toEqual([
      'scope:new.scope | scope.added | neutral | scope added (low)',
      'scope:old.scope | scope.removed | breaking | scope removed',
      'scope:read.data | scope.sensitivity-lowered | neutral | sensitivity high → medium',
      'scope:read.data | scope.owner-changed | neutral | owner team-data → team-platform',
      'scope:read.data | scope.description-changed | neutral | description changed',
      'scope:read.orders | scope.deprecated | neutral | deprecated',
      'scope:write.orders | scope.sensitivity-raised | neutral | sensitivity medium → critical',
      'scope:write.orders | scope.implies-changed | breaking | implies - read.orders',
      'scope:read.data/action:DELETE /v1/data/{id} | action.added | widening | actions widened: + DELETE /v1/data/{id}',
      'scope:read.orders/action:GET /v1/orders/{orderId} | action.added | neutral | actions rewritten: + GET /v1/orders/{orderId}',
      'scope:read.orders/action:GET /v1/orders/* | action.removed | neutral | actions rewritten: - GET /v1/orders/*',
      'scope:write.orders/action:PUT /v1/orders/{id} | action.removed | narrowing | actions narrowed: - PUT /v1/orders/{id}',
      'client:app | client.type-changed | neutral | type confidential → public',
      'client:app | client.owner-changed | neutral | owner team-orders → team-data',
      'client:app/scope:read.data | client.scope-granted | widening | granted read.data',
      'client:app/scope:old.scope | client.scope-revoked | breaking | revoked old.scope',
      'client:fresh | client.added | widening | client added with new.scope',
      'client:gone | client.removed | breaking | client removed',
      'exception:SG101/scope:read.orders | exception.extended | widening | exception expiry 2026-12-31 → 2027-06-30',
      'exception:SG104/scope:old.scope | exception.removed | narrowing | exception for SG104 on scope:old.scope removed',
      'exception:SG105/client:app/scope:read.data | exception.added | widening | exception for SG105 on client:app/scope:read.data until 2026-12-01',
    ]);
    expect(diff.classification).toBe('breaking');
    expect(diff.summary).toEqual({ breaking: 4, widening: 5, narrowing: 2, neutral: 10 });
    const removed = diff.changes.find((c) => c.kind === 'scope.removed');
    expect(removed?.location).toMatchObject({ file: 'scopes/scopes.yaml', line: 7 });
    const granted = diff.changes.find((c) => c.kind === 'client.scope-granted');
    expect(granted?.location?.file).toBe('scopes/clients.yaml');
  });

  it('reports a scope marked removed as removed, and un-deprecation', () => {
    const marked = SCOPES.replace('old.scope: {description: Old, owner: team-data}', 'old.scope: {description: Old, owner: team-data, status: removed}');
    const diff = diffRegistries(load(BASE), load({ ...BASE, 'scopes.yaml': marked }));
    expect(diff.changes.map((c) => [c.kind, c.classification, c.detail])).toEqual([['scope.removed', 'breaking', 'status active → removed']]);
    const deprecated = SCOPES.replace('read.orders: {description: Read orders, owner: team-orders}', 'read.orders: {description: Read orders, owner: team-orders, status: deprecated}');
    const back = diffRegistries(load({ ...BASE, 'scopes.yaml': deprecated }), load(BASE));
    expect(back.changes.map((c) => c.kind)).toEqual(['scope.undeprecated']);
  });

  it('reports the fields a reviewer must see change: deprecation date, replacement, client id, description, justification, exception owner and reason', () => {
    const deprecated = (since: string, replacedBy: string) =>
      SCOPES.replace('old.scope: {description: Old, owner: team-data}', `old.scope: {description: Old, owner: team-data, status: deprecated, deprecatedSince: ${since}, replacedBy: ${replacedBy}}`);
    const clients = (clientId: string, justification: string) =>
      CLIENTS.replace('app: {clientId: c1, owner: team-orders, type: confidential, scopes: [read.orders, old.scope]}', `app: {clientId: ${clientId}, owner: team-orders, type: confidential, description: ${clientId} app, scopes: [read.orders, old.scope], justification: {read.orders: ${justification}}}`);
    const exceptions = (owner: string, reason: string) => EXCEPTIONS.replace('reason: later, expires: 2026-12-31}\n  - {rule: SG104', `reason: ${reason}, owner: ${owner}, expires: 2026-12-31}\n  - {rule: SG104`);
    const before = load({ ...BASE, 'scopes.yaml': deprecated('2099-01-01', 'read.data'), 'clients.yaml': clients('c1', 'lists orders'), 'exceptions.yaml': exceptions('team-orders', 'later') });
    const after = load({ ...BASE, 'scopes.yaml': deprecated('2020-01-01', 'read.orders'), 'clients.yaml': clients('someone-elses-app', 'reads order history'), 'exceptions.yaml': exceptions('team-data', 'because') });
    const rows = diffRegistries(before, after).changes.map((c) => `${c.subject} | ${c.kind} | ${c.classification} | ${c.detail}`);
    expect(rows).toEqual([
      'scope:old.scope | scope.deprecation-date-changed | neutral | deprecated since 2099-01-01 → 2020-01-01',
      'scope:old.scope | scope.replacement-changed | neutral | replaced by read.data → read.orders',
      'client:app | client.id-changed | widening | client id c1 → someone-elses-app',
      'client:app | client.description-changed | neutral | description changed',
      'client:app/scope:read.orders | client.justification-changed | neutral | justification of read.orders changed',
      'exception:SG101/scope:read.orders | exception.owner-changed | neutral | exception owner team-orders → team-data',
      'exception:SG101/scope:read.orders | exception.reason-changed | neutral | exception reason changed',
    ]);
  });

  it('marks the location of what head no longer has (scope, action pattern, client, exception) with the base commit it was read at', () => {
    const head = {
      'scopes.yaml': SCOPES.replace('  old.scope: {description: Old, owner: team-data}\n', '').replace('sensitivity: medium', 'sensitivity: high'),
      'actions.yaml': ACTIONS.replace('["POST /v1/orders", "PUT /v1/orders/{id}"]', '["POST /v1/orders"]'),
      'clients.yaml': CLIENTS.replace(/ {2}gone: .*\n/, '').replace('[read.orders, old.scope]', '[read.orders]'),
      'exceptions.yaml': EXCEPTIONS.replace(/ {2}- \{rule: SG104.*\n/, ''),
    };
    const commit = 'b'.repeat(40);
    const diff = diffRegistries(load(BASE), load(head), { base: { ref: 'main', commit }, head: { ref: 'worktree' } });
    const at = (kind: string) => diff.changes.filter((c) => c.kind === kind).map((c) => c.location?.revision);
    expect(at('scope.removed')).toEqual([commit]);
    expect(at('action.removed')).toEqual([commit]);
    expect(at('client.removed')).toEqual([commit]);
    expect(at('exception.removed')).toEqual([commit]);
    // base's lines: old.scope was on line 7 of scopes.yaml there, the gone client on line 5 of clients.yaml
    expect(diff.changes.find((c) => c.kind === 'scope.removed')?.location).toEqual({ file: 'scopes/scopes.yaml', line: 7, column: 3, revision: commit });
    expect(diff.changes.find((c) => c.kind === 'client.removed')?.location).toMatchObject({ file: 'scopes/clients.yaml', line: 5, revision: commit });
    // located at head: a revocation is the client's head entry, a sensitivity change the scope's
    expect(at('client.scope-revoked')).toEqual([undefined]);
    expect(at('scope.sensitivity-raised')).toEqual([undefined]);
  });

  it('marks base locations with the revision base was loaded at, and nothing when base is no commit', () => {
    const head = load({ ...BASE, 'clients.yaml': CLIENTS.replace(/ {2}gone: .*\n/, '') });
    const broken = diffRegistries(load(BASE), head, { base: { ref: 'main', commit: 'c'.repeat(40), loadedAt: 'd'.repeat(40) } });
    expect(broken.changes.map((c) => [c.kind, c.location?.revision])).toEqual([['client.removed', 'd'.repeat(40)]]);
    const worktree = diffRegistries(load(BASE), head, { base: { ref: 'worktree' } });
    expect(worktree.changes.every((c) => c.location?.revision === undefined)).toBe(true);
    // history compares fragments with no labels: nothing to mark
    expect(diffRegistries(load(BASE), head).changes.every((c) => c.location?.revision === undefined)).toBe(true);
  });

  it('calls adding ** widening even when narrower patterns exist', () => {
    const head = ACTIONS.replace('["GET /v1/orders/*"]', '["GET /v1/orders/*", "GET /v1/orders/**"]');
    const diff = diffRegistries(load(BASE), load({ ...BASE, 'actions.yaml': head }));
    expect(diff.changes.map((c) => [c.subject, c.classification])).toEqual([['scope:read.orders/action:GET /v1/orders/**', 'widening']]);
    expect(diff.classification).toBe('widening');
  });
});

describe('overall classification', () => {
  it('is breaking when an action map only narrows: a mapped request loses access', () => {
    const head = ACTIONS.replace('["POST /v1/orders", "PUT /v1/orders/{id}"]', '["POST /v1/orders"]');
    const diff = diffRegistries(load(BASE), load({ ...BASE, 'actions.yaml': head }));
    expect(diff.changes.map((c) => c.classification)).toEqual(['narrowing']);
    expect(diff.classification).toBe('breaking');
  });

  it('is narrowing when only an exception goes away', () => {
    const head = EXCEPTIONS.replace(/ {2}- \{rule: SG104.*\n/, '');
    const diff = diffRegistries(load(BASE), load({ ...BASE, 'exceptions.yaml': head }));
    expect(diff.classification).toBe('narrowing');
  });
});
