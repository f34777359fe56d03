import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { registryAt } from '../../src/git/registry-at.ts';
import { parseDateSpec, openRepo, resolveRevision } from '../../src/git/repo.ts';
import { pullRequestNumber, walkRegistryCommits } from '../../src/git/history.ts';
import { BlobReader } from '../../src/git/blobs.ts';
import { InputError, ValidationError } from '../../src/errors.ts';
import { buildScenario, ROOT, type Scenario } from './scenario.ts';
import { ANA, shallowCloneOf } from './repo-fixture.ts';

let scenario: Scenario;
let shallow: string;
beforeAll(() => {
  scenario = buildScenario();
  shallow = shallowCloneOf(scenario.repo.dir);
});
afterAll(() => {
  scenario.repo.remove();
  rmSync(shallow, { recursive: true, force: true });
});

describe('registryAt', () => {
  it('loads a registry that is not at the repository root, from a sub-folder, without touching the work tree', async () => {
    scenario.repo.write(`${ROOT}/acme/clients.yaml`, 'this: [is not, valid');
    try {
      const cwd = join(scenario.repo.dir, 'config');
      const { registry, revision } = await registryAt(scenario.commits.initial, 'oauth/scopes', { cwd });
      expect(revision.commit).toBe(scenario.commits.initial);
      expect(Object.keys(registry.tenants.acme?.scopes ?? {}).sort()).toEqual(['admin.all', 'delete.orders', 'read.data', 'read.legacy', 'write.orders']);
      expect(registry.config.owners['team-data']?.emails).toEqual(['ana@example.com']);
      expect(scenario.repo.git(['status', '--porcelain'])).toBe(` M ${ROOT}/acme/clients.yaml\n`);
    } finally {
      scenario.repo.git(['checkout', '--', `${ROOT}/acme/clients.yaml`]);
    }
  });

  it('finds moved files at their new path', async () => {
    const { registry } = await registryAt(scenario.commits.move, ROOT, { cwd: scenario.repo.dir });
    expect(registry.tenants.acme?.scopes['read.data']?.location.file).toBe(`${ROOT}/tenants/acme/scope-definitions.yaml`);
  });

  it('resolves a date to the last first-parent commit before that instant', async () => {
    const repo = await openRepo(scenario.repo.dir);
    expect((await resolveRevision(repo, '2026-03-10')).commit).toBe(scenario.commits.reformat);
    expect((await resolveRevision(repo, '2026-03-10T10:00:01Z')).commit).toBe(scenario.commits.orders);
    // the side branch's commits (May 5 and 6) are not on main's first-parent line: before the merge, main was at the move
    expect((await resolveRevision(repo, '2026-05-07')).commit).toBe(scenario.commits.move);
    expect((await resolveRevision(repo, '2026-05-11')).commit).toBe(scenario.commits.merge);
  });

  it('explains unknown refs and shallow clones', async () => {
    const repo = await openRepo(scenario.repo.dir);
    await expect(resolveRevision(repo, 'v9.9.9')).rejects.toThrow('unknown revision "v9.9.9"');
    await expect(resolveRevision(repo, '--upload-pack=evil')).rejects.toBeInstanceOf(InputError);
    const clone = await openRepo(shallow);
    await expect(resolveRevision(clone, scenario.commits.initial)).rejects.toMatchObject({ hint: expect.stringContaining('fetch-depth: 0') });
  });

  it('names the revision when the registry there is invalid', async () => {
    const repo = scenario.repo;
    repo.git(['checkout', '-q', '-b', 'broken']);
    repo.write(`${ROOT}/acme/clients.yaml`, 'kind: ClientSet\ntenant: acme\nclients:\n  x: {clientId: x, type: confidential, scopes: [no.such]}\n');
    repo.commit('Broken', ANA, '2026-07-01T00:00:00Z');
    try {
      const error = await registryAt('broken', ROOT, { cwd: repo.dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/^\d+ problems? in the registry at broken \([0-9a-f]{12}\)$/);
    } finally {
      repo.git(['checkout', '-q', 'main']);
    }
  });
});

describe('history helpers', () => {
  it.each([
    ['Merge pull request #12 from acme/feature', 12],
    ['Orders: delete endpoint (#7)', 7],
    ['Fix #3 in the middle', undefined],
    ['Plain commit', undefined],
  ])('pull request number of "%s"', (subject, expected) => {
    expect(pullRequestNumber(subject)).toBe(expected);
  });

  it.each([
    ['2026-06-01', '2026-06-01T00:00:00.000Z'],
    ['2026-06-01T12:30:00Z', '2026-06-01T12:30:00.000Z'],
    ['2026-06-01T12:30:00+02:00', '2026-06-01T10:30:00.000Z'],
    ['main', undefined],
    ['2026-13-45', undefined],
  ])('date spec %s', (spec, iso) => {
    expect(parseDateSpec(spec)?.toISOString()).toBe(iso);
  });

  it('walks a range, one entry per commit with what it touched', async () => {
    const repo = await openRepo(scenario.repo.dir);
    const commits = await walkRegistryCommits(repo, { root: ROOT, range: `${scenario.commits.move}..${scenario.commits.merge}` });
    expect(commits.map((c) => [c.subject, c.author, c.pr ?? null])).toEqual([
      ['Reporting needs data', 'Ana Owner', 12],
      ['Loosen admin', 'Mallory', 12],
    ]);
    expect(commits[1]?.changes.map((c) => c.detail)).toEqual(['sensitivity critical → high']);
  });

  it('reads blobs through one cat-file process and says when one is missing', async () => {
    const reader = new BlobReader(scenario.repo.dir);
    try {
      const id = scenario.repo.git(['rev-parse', `${scenario.commits.initial}:${ROOT}/scopeguard.yaml`]).trim();
      const [first, again, missing] = await Promise.all([reader.read(id), reader.read(id), reader.read('0'.repeat(40))]);
      expect(first?.toString('utf8')).toContain('kind: Config');
      expect(again).toBe(first);
      expect(missing).toBeUndefined();
    } finally {
      reader.close();
    }
  });
});
