// scopeguard's normalized NDJSON names a tenant per record: it is checked as --tenant is, whichever way a line is read.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAndRead, tempDir } from './helpers.ts';

const line = (id: string, tenant: string | undefined): string =>
  JSON.stringify({ eventId: id, tenant, time: '2026-11-10T10:00:00.000Z', type: 'api.request', outcome: 'success', clientId: 'c1', scopes: [], requestedScopes: [] });

describe("scopeguard records' own tenant", () => {
  for (const directLane of [true, false]) {
    it(`rejects a tenant that is no tenant name, not the file's or not the registry's (direct lane ${directLane ? 'on' : 'off'})`, async () => {
      const file = join(tempDir(), 'normalized.ndjson');
      writeFileSync(file, `${[line('e1', 'acme'), line('e2', '../x'), line('e3', 'globex'), line('e4', undefined), line('e5', 'initech')].join('\n')}\n`);
      const reasons = (result: { rejectsFile?: string }): string[] =>
        result.rejectsFile ? readFileSync(result.rejectsFile, 'utf8').split('\n').filter(Boolean).map((text) => (JSON.parse(text) as { reason: string }).reason) : [];

      // --tenant acme: a record naming another tenant is not filed under either
      const flagged = await importAndRead(file, { provider: 'scopeguard', tenant: 'acme', directLane });
      expect(flagged.events.map((e) => [e.eventId, e.tenant])).toEqual([['e1', 'acme'], ['e4', 'acme']]);
      expect(reasons(flagged.result)).toEqual(['tenant "../x" is not a valid tenant name', 'tenant globex is not acme, the tenant this file is imported for', 'tenant initech is not acme, the tenant this file is imported for']);

      // no --tenant, a registry with acme and globex: each record's tenant must be one of them
      const registry = await importAndRead(file, { provider: 'scopeguard', tenant: undefined, tenants: ['acme', 'globex'], directLane });
      expect(registry.events.map((e) => [e.eventId, e.tenant])).toEqual([['e1', 'acme'], ['e3', 'globex']]);
      expect(reasons(registry.result)).toEqual([
        'tenant "../x" is not a valid tenant name',
        'no tenant: the record names none and no --tenant was given',
        'tenant initech is not a tenant of the registry',
      ]);
    });
  }
});
