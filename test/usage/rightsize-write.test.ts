/**
 * `rightsize --write` edits ClientSet YAML as text: these cases are the forms where an edit in the obvious place would
 * change more (or less) than the plan, and the check that makes any such write roll back.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { loadRegistry } from '../../src/registry/load.ts';
import type { Registry } from '../../src/registry/model.ts';
import { unplannedGrantChanges, writeRightsize, type Removal } from '../../src/usage/rightsize.ts';

const SCOPES = `kind: ScopeSet
tenant: acme
scopes:
  read.catalog: {description: Browse the catalog, owner: team-shop}
  read.orders: {description: Read orders, owner: team-shop}
  read.users: {description: Read user profiles, owner: team-users}
  read.data: {description: Read customer data, owner: team-data}
  read.reports: {description: Read reports, owner: team-data}
`;

/** A registry folder holding the scopes above and `clients` as the tenant's ClientSet. */
function registryWith(clients: string): { root: string; clientsFile: string } {
  const root = join(mkdtempSync(join(tmpdir(), 'sg-rightsize-')), 'scopes');
  mkdirSync(root);
  writeFileSync(join(root, 'scopes.yaml'), SCOPES);
  const clientsFile = join(root, 'clients.yaml');
  writeFileSync(clientsFile, `kind: ClientSet\ntenant: acme\nclients:\n${clients}`);
  return { root, clientsFile };
}

function removal(registry: Registry, client: string, scope: string): Removal {
  const grant = registry.tenants.acme!.clients[client]!.grants.find((g) => g.scope === scope)!;
  return { tenant: 'acme', client, scope, sensitivity: 'low', issued: 0, usedBy: 'requests', location: grant.location };
}

/** Each client's scopes after the write, as the loader reads them. */
async function grantsOf(root: string): Promise<Record<string, string[]>> {
  const registry = await loadRegistry(root);
  return Object.fromEntries(Object.values(registry.tenants.acme!.clients).map((c) => [c.name, c.grants.map((g) => g.scope)]));
}

describe('rightsize --write', () => {
  it('takes a scope from a list shared through an anchor from the planned client only', async () => {
    const { root, clientsFile } = registryWith(`  web:
    clientId: web1
    type: public
    scopes: &shop [read.catalog, read.orders, read.data]
  ios:
    clientId: ios1
    type: public
    scopes: *shop
  android:
    clientId: android1
    type: public
    scopes: *shop
`);
    const registry = await loadRegistry(root);
    // web loses read.data (the anchored list), ios loses read.orders (an alias); android keeps all three
    await writeRightsize(root, registry, [removal(registry, 'web', 'read.data'), removal(registry, 'ios', 'read.orders')]);
    expect(await grantsOf(root)).toEqual({
      web: ['read.catalog', 'read.orders'],
      ios: ['read.catalog', 'read.data'],
      android: ['read.catalog', 'read.orders', 'read.data'],
    });
    const text = readFileSync(clientsFile, 'utf8');
    expect(text).toContain('    scopes: [read.catalog, read.orders]\n  ios:');
    expect(text).not.toContain('&shop');
    expect(text).not.toContain('*shop');
  });

  it('writes out an alias whose anchored block list keeps its scopes', async () => {
    const { root, clientsFile } = registryWith(`  web:
    clientId: web1
    type: public
    scopes: &shop
      - read.catalog  # the storefront
      - read.orders
  ios:
    clientId: ios1
    type: public
    scopes: *shop
`);
    const registry = await loadRegistry(root);
    await writeRightsize(root, registry, [removal(registry, 'ios', 'read.orders')]);
    expect(await grantsOf(root)).toEqual({ web: ['read.catalog', 'read.orders'], ios: ['read.catalog'] });
    expect(readFileSync(clientsFile, 'utf8')).toContain('    scopes:\n      - read.catalog  # the storefront\n      - read.orders\n  ios:\n    clientId: ios1\n    type: public\n    scopes: [read.catalog]\n');
  });

  it('removes an item of a flow list written over several lines and keeps its line breaks and comments', async () => {
    const { root, clientsFile } = registryWith(`  web:
    clientId: web1
    type: public
    scopes: [read.catalog,  # browsing
             "read.orders", 'read.reports',
             read.users]    # profile page
`);
    const registry = await loadRegistry(root);
    await writeRightsize(root, registry, [removal(registry, 'web', 'read.reports'), removal(registry, 'web', 'read.catalog')]);
    expect(await grantsOf(root)).toEqual({ web: ['read.orders', 'read.users'] });
    expect(readFileSync(clientsFile, 'utf8')).toContain(`    scopes: ["read.orders", read.users]    # profile page\n`);
  });

  it('keeps the comments between the kept items of a flow list', async () => {
    const { root, clientsFile } = registryWith(`  web:
    clientId: web1
    type: public
    scopes: [read.catalog,  # browsing
             read.orders,   # order history
             read.reports]
`);
    const registry = await loadRegistry(root);
    await writeRightsize(root, registry, [removal(registry, 'web', 'read.reports')]);
    expect(await grantsOf(root)).toEqual({ web: ['read.catalog', 'read.orders'] });
    expect(readFileSync(clientsFile, 'utf8')).toContain('    scopes: [read.catalog,  # browsing\n             read.orders   # order history\n             ]\n');
  });

  it('leaves an empty list, not null, when a block list loses every scope', async () => {
    const { root, clientsFile } = registryWith(`  batch:
    clientId: batch1
    type: machine
    scopes:
      - read.reports
      - read.data
    owner: team-data
`);
    const registry = await loadRegistry(root);
    await writeRightsize(root, registry, [removal(registry, 'batch', 'read.reports'), removal(registry, 'batch', 'read.data')]);
    expect(await grantsOf(root)).toEqual({ batch: [] });
    expect(readFileSync(clientsFile, 'utf8')).toContain('    scopes: []\n    owner: team-data\n');
  });

  it('puts the files back and says why when the edit would not match the plan', async () => {
    // the scope is an alias item: the list holds it, but not as text rightsize can cut out
    const clients = `  web:
    clientId: web1
    type: public
    description: &profile read.users
    scopes: [read.catalog, *profile]
`;
    const { root, clientsFile } = registryWith(clients);
    const before = readFileSync(clientsFile, 'utf8');
    const registry = await loadRegistry(root);
    const error = await writeRightsize(root, registry, [removal(registry, 'web', 'read.users')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      'rightsize --write would change more or less than it proposes, nothing was changed: client "web" of tenant "acme" would keep read.users',
    );
    expect((error as InputError).hint).toContain('remove the proposed scopes by hand');
    expect(readFileSync(clientsFile, 'utf8')).toBe(before);
  });

  it('names every grant the edit would add, lose or rejustify', async () => {
    const { root } = registryWith(`  web:
    clientId: web1
    type: public
    scopes: [read.catalog, read.orders]
    justification: {read.orders: order history}
`);
    const before = await loadRegistry(root);
    const after = structuredClone(before);
    const web = after.tenants.acme!.clients.web!;
    web.grants = [{ scope: 'read.orders', justification: 'changed', location: web.location }, { scope: 'read.users', location: web.location }];
    expect(unplannedGrantChanges(before, after, [])).toEqual([
      'client "web" of tenant "acme" would also lose read.catalog',
      'client "web" of tenant "acme" would keep read.users',
      'client "web" of tenant "acme" would change the justification of read.orders',
    ]);
    expect(unplannedGrantChanges(before, before, [])).toEqual([]);
    expect(unplannedGrantChanges(before, after, [removal(before, 'web', 'read.catalog')])).toHaveLength(2);
  });
});
