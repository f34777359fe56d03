// The bundled Action in pull-request mode, end to end: real git repository, real Wasm policies, the committed
// dist/index.js spawned with the runner's environment, a fake GitHub REST API on 127.0.0.1.
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './fake-github.ts';
import { ACTIONS, HOSTILE, ROOT, SCOPES, TempRepo, baseRegistry, clients, pullRequestEvent, runAction } from './harness.ts';

const MARKER = '<!-- scopeguard:scopes -->';

/** A public client holding a high scope: SG103, severity high, a new finding that fails at fail-on high. */
const PUBLIC_CLIENT_WITH_HIGH_SCOPE = `  mobile-app:
    clientId: 0oa8mobile
    owner: team-mobile
    type: public
    scopes: [read.data]
    justification:
      read.data: shows customers their own records
`;

/** Only a low scope for a confidential client: a scope change, no new finding. */
const HARMLESS_CLIENT = `  profile-service:
    clientId: 0oa8profile
    owner: team-identity
    type: confidential
    scopes: [read.profile]
`;

/** A custom rule (compiled with opa at run time): every client needs an owner. */
const CUSTOM_RULE = `# METADATA
# title: Client without owner
# custom:
#   id: ACME001
#   severity: high
package scopeguard.registry.rules.ACME001

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, client in tenant.clients
	not client.owner
	finding := {"tenant": tenant_name, "subject": concat("", ["client:", name]), "message": concat(" ", ["client", name, "has no owner"])}
}
`;

const UNOWNED_CLIENT = `  orphan:
    clientId: 0oa8orphan
    type: machine
`;

let github: FakeGitHub;
let repo: TempRepo;
let baseSha: string;

beforeEach(async () => {
  github = await startFakeGitHub();
  repo = new TempRepo();
  baseSha = repo.commit(baseRegistry(), 'Initial registry');
  repo.git('switch', '-q', '-c', 'feature');
});

afterEach(async () => {
  await github.close();
});

function stickyComments(): string[] {
  return (github.comments.get(7) ?? []).map((c) => c.body).filter((b) => b.includes(MARKER));
}

describe('pull-request mode', () => {
  it('judges only what the pull request changes when the base branch moved on after it branched', async () => {
    // main: a public client holding a high scope (debt), then the feature branches off
    repo.git('switch', '-q', 'main');
    repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    repo.git('switch', '-q', '-c', 'more-clients');
    const more = `kind: ClientSet\ntenant: acme\nclients:\n${HARMLESS_CLIENT}`;
    const headSha = repo.commit({ 'scopes/acme/more-clients.yaml': more }, 'Add the profile service');
    // meanwhile main removes the mobile app: the pull request, which never touched clients.yaml, must not be blamed
    // for "granting" it back, nor fail on the SG103 that main just fixed
    repo.git('switch', '-q', 'main');
    const mainTip = repo.commit({ 'scopes/acme/clients.yaml': clients() }, 'Remove the mobile app');
    repo.git('switch', '-q', 'more-clients');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha: mainTip, headSha }) });

    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.outputs['new-findings']).toBe('0');
    const [comment] = stickyComments();
    expect(comment).toContain('profile-service');
    expect(comment).not.toContain('granted read.data');
    expect(comment).toContain(`The base branch has moved on to ${mainTip.slice(0, 12)} since this change left it`);
  });

  it('creates exactly one comment, then updates that same comment after a new commit', async () => {
    const firstHead = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    const first = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: firstHead }) });

    expect(first.stdout + first.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(first.code).toBe(1);
    expect(first.outputs.verdict).toBe('fail');
    expect(first.outputs['new-findings']).toBe('2'); // SG103 (registry rule) and SG203 (change rule)
    const posts = github.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(github.requests.every((r) => r.authorization === 'token ghs_testtoken')).toBe(true);

    const [created] = github.comments.get(7) ?? [];
    expect(created).toBeDefined();
    const body = created!.body;
    expect(body.startsWith(MARKER)).toBe(true);
    // verdict line first, then the new findings with a link to the line at the head sha
    expect(body.split('\n\n')[1]).toMatch(/^### ❌ scopeguard: fail — 2 new findings: 1 high, 1 medium \(fail-on `high`\)$/);
    expect(body).toContain('`SG103`');
    expect(body).toContain('`SG203`');
    expect(body).toContain(`https://github.example/acme/scopes/blob/${firstHead}/scopes/acme/clients.yaml#L`);
    // the scope diff table and the pre-existing finding (legacy.export has no owner) folded away
    expect(body).toMatch(/\| acme \| `client:mobile-app` \| .*\| .*widening \|/);
    expect(body).toMatch(/<details><summary>Pre-existing findings \(\d+\)/);
    expect(body).toContain(`base \`${baseSha.slice(0, 12)}\``);
    expect(body).toContain(`head \`${firstHead.slice(0, 12)}\``);
    expect(body).toMatch(/policy bundle `[^`]+`/);
    expect(first.outputs['comment-url']).toBe(created!.html_url);

    // annotations on the new finding, the job summary, the failure message
    expect(first.stdout).toMatch(/^::error .*file=scopes\/acme\/clients\.yaml,.*line=\d+/m);
    expect(first.summary).toContain('scopeguard: fail');
    expect(first.stdout).toMatch(/::error::scopeguard: 1 new finding at or above high/);

    // a second commit on the pull request: the same comment is updated, no second one appears
    const secondHead = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE + HARMLESS_CLIENT) }, 'Add the profile service');
    const second = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('synchronize', { baseSha, headSha: secondHead }) });
    expect(second.code).toBe(1);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const patches = github.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.path).toBe(`/repos/acme/scopes/issues/comments/${created!.id}`);
    expect(stickyComments()).toHaveLength(1);
    expect(stickyComments()[0]).toContain(`head \`${secondHead.slice(0, 12)}\``);
    expect(stickyComments()[0]).toContain('`client:profile-service`');
    expect(second.outputs['comment-url']).toBe(created!.html_url);
  });

  it('folds duplicate sticky comments (from racing runs) back into one and leaves other comments alone', async () => {
    const someone = { user: { login: 'reviewer', type: 'User' }, html_url: 'https://github.example/c' };
    const bot = { user: { login: 'github-actions[bot]', type: 'Bot' }, html_url: 'https://github.example/c' };
    github.comments.set(7, [
      { id: 1, body: `> ${MARKER}\n> quoting the bot: LGTM`, ...someone },
      { id: 2, body: `${MARKER}\nold run A`, ...bot },
      { id: 3, body: `${MARKER}\nold run B`, ...bot },
    ]);
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('synchronize', { baseSha, headSha: head }) });

    expect(run.code).toBe(0);
    expect((github.comments.get(7) ?? []).map((c) => c.id)).toEqual([1, 2]);
    expect(github.comments.get(7)?.[0]?.body).toBe(`> ${MARKER}\n> quoting the bot: LGTM`);
    expect(github.comments.get(7)?.[1]?.body).toMatch(/✅ scopeguard: pass/);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('reviews a repository checked out into a folder of the workspace (actions/checkout with path:)', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    const workspace = dirname(repo.dir);
    const run = await runAction({
      repo,
      workspace,
      apiUrl: github.url,
      event: pullRequestEvent('opened', { baseSha, headSha: head }),
      inputs: { registry: `${basename(repo.dir)}/scopes`, 'sarif-file': `${basename(repo.dir)}-scopeguard.sarif` },
    });
    expect(run.stdout + run.stderr).not.toMatch(/not inside a git repository|unexpected error/);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.stdout).toMatch(/^::error file=scopes\/acme\/clients\.yaml,line=\d+/m);
    expect(existsSync(join(workspace, `${basename(repo.dir)}-scopeguard.sarif`))).toBe(true);
    expect(stickyComments()[0]).toContain('client:mobile-app');
  });

  it('keeps one sticky comment however the registry input is written (scopes, ./scopes, scopes/)', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    for (const registry of ['scopes', './scopes', 'scopes/']) {
      const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('synchronize', { baseSha, headSha: head }), inputs: { registry } });
      expect(run.stdout).toContain('scopeguard: reviewing scopes at ');
    }
    expect(stickyComments()).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('takes only its own comment as the sticky one: a person’s comment that starts with the marker is left alone', async () => {
    const spoof = { id: 1, body: `${MARKER}\n### ✅ scopeguard: pass`, user: { login: 'mallory', type: 'User' }, html_url: 'https://github.example/c1' };
    github.comments.set(7, [spoof]);
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });
    expect(run.outputs.verdict).toBe('fail');
    expect(github.requests.filter((r) => r.method === 'PATCH' || r.method === 'DELETE')).toEqual([]);
    const comments = github.comments.get(7) ?? [];
    expect(comments.map((c) => [c.id, c.user.login])).toEqual([[1, 'mallory'], [1000, 'github-actions[bot]']]);
    expect(comments[0]!.body).toBe(spoof.body);
    expect(comments[1]!.body).toContain('❌');
  });

  it('runs from a copy of dist/ alone: no node_modules, no package around it', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'scopeguard-dist-alone-'));
    cpSync(join(ROOT, 'dist'), alone, { recursive: true });
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), entry: join(alone, 'index.js') });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.outputs['new-findings']).toBe('2');
    expect(stickyComments()).toHaveLength(1);
  });

  it('passes a clean pull request and says so in the comment, the summary and the outputs', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), inputs: { 'sarif-file': 'out/scopeguard.sarif' } });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.outputs['new-findings']).toBe('0');
    expect(stickyComments()).toHaveLength(1);
    expect(stickyComments()[0]).toMatch(/### ✅ scopeguard: pass — no new findings/);
    expect(stickyComments()[0]).toContain('`client:profile-service`');
    expect(run.summary).toMatch(/✅ scopeguard: pass/);
    expect(run.stdout).not.toMatch(/^::error/m);
    // the token is masked in the log and never written anywhere else
    expect(run.stdout).toContain('::add-mask::ghs_testtoken');
    expect(run.stdout.replace('::add-mask::ghs_testtoken', '')).not.toContain('ghs_testtoken');
    expect(run.summary + (stickyComments()[0] ?? '')).not.toContain('ghs_testtoken');
    // SARIF written where asked, with the pre-existing finding in it
    const sarif = JSON.parse(readFileSync(join(repo.dir, 'out', 'scopeguard.sarif'), 'utf8')) as { version: string; runs: Array<{ results: unknown[] }> };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
  });

  it('turns the sticky comment into an all-clear once the findings are fixed, or deletes it with comment: on-findings', async () => {
    const bad = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: bad }) });
    expect(stickyComments()).toHaveLength(1);

    const fixed = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Use a backend client instead');
    const allClear = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('synchronize', { baseSha, headSha: fixed }) });
    expect(allClear.code).toBe(0);
    expect(stickyComments()).toHaveLength(1);
    expect(stickyComments()[0]).toMatch(/✅ scopeguard: pass — no new findings/);
    expect(stickyComments()[0]).not.toContain('New findings');

    const again = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Mobile app again');
    await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('synchronize', { baseSha, headSha: again }), inputs: { comment: 'on-findings' } });
    expect(stickyComments()).toHaveLength(1);
    const fixedAgain = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Fixed again');
    const deleted = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('synchronize', { baseSha, headSha: fixedAgain }), inputs: { comment: 'on-findings' } });
    expect(deleted.code).toBe(0);
    expect(stickyComments()).toHaveLength(0);
    expect(github.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('degrades to summary, annotations and SARIF on a fork (403 on comments) and still fails correctly', async () => {
    github.fail('GET', /\/issues\/7\/comments$/, 403, { times: 10 });
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    const run = await runAction({
      repo,
      apiUrl: github.url,
      event: pullRequestEvent('opened', { baseSha, headSha: head, fork: true }),
      inputs: { 'sarif-file': 'scopeguard.sarif' },
    });

    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs['comment-url']).toBe('');
    expect(github.comments.get(7) ?? []).toHaveLength(0);
    expect(run.stdout).toMatch(/^::notice::scopeguard: could not list the pull request comments: HTTP 403 .*fork/m);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(run.summary).toContain('scopeguard: fail');
    expect(run.summary).toContain('could not be written');
    expect(run.summary).toContain('`SG103`');
    expect(run.stdout).toMatch(/^::error .*file=scopes\/acme\/clients\.yaml/m);
    expect(existsSync(join(repo.dir, 'scopeguard.sarif'))).toBe(true);
  });

  it('retries a 5xx with back-off and then writes the comment', async () => {
    github.fail('GET', /\/issues\/7\/comments$/, 502, { times: 1, message: 'Bad Gateway' });
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });

    expect(run.code).toBe(0);
    expect(github.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/7/comments'))).toHaveLength(2);
    expect(stickyComments()).toHaveLength(1);
  });

  it('waits out a secondary rate limit and carries on', async () => {
    github.fail('POST', /\/issues\/7\/comments$/, 403, { times: 1, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': '1' } });
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('secondary rate limit');
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(stickyComments()).toHaveLength(1);
  });

  it('names an exhausted rate limit as such, as a warning, not as a fork or permission problem', async () => {
    github.fail('POST', /\/issues\/7\/comments$/, 403, { times: 10, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': '1' } });
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^::warning::scopeguard: could not create the pull request comment: HTTP 403 \(You have exceeded a secondary rate limit.*\): GitHub's API rate limit was reached/m);
    expect(run.stdout).not.toContain('fork');
  }, 60_000);

  it('does not wait out an hourly quota that resets much later: the verdict, summary and SARIF still come out', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    github.fail('GET', /\/issues\/7\/comments$/, 403, {
      times: 10,
      message: 'API rate limit exceeded for installation ID 4242.',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '1000', 'x-ratelimit-reset': reset },
    });
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    // waiting for the reset would sleep for the hour, past the test's time limit
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), inputs: { 'sarif-file': 'scopeguard.sarif' } });
    expect(run.stdout).toMatch(/it lifts in \d+s, not waiting/);
    expect(run.stdout).toMatch(/^::warning::scopeguard: could not list the pull request comments: HTTP 403 \(API rate limit exceeded/m);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.summary).toContain('scopeguard');
    expect(existsSync(join(repo.dir, 'scopeguard.sarif'))).toBe(true);
    expect(github.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/7/comments'))).toHaveLength(1);
  }, 60_000);

  it('an API it cannot reach is named as such, not as GitHub having trouble', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    // a port that was free a moment ago: nothing answers there
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((done) => probe.close(() => done()));
    const run = await runAction({ repo, apiUrl: `http://127.0.0.1:${port}`, event: pullRequestEvent('opened', { baseSha, headSha: head }) });
    expect(run.stdout).toMatch(/could not list the pull request comments: GitHub's API did not answer \(ECONNREFUSED\): check GITHUB_API_URL/);
    expect(run.stdout).not.toContain('GitHub is having trouble');
    expect(run.outputs.verdict).toBe('pass');
  }, 60_000);

  it('a sarif-file that cannot be written is one clear line, after the comment and the outputs are out', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), inputs: { 'sarif-file': 'README.md/scopeguard.sarif' } });

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::scopeguard: cannot create the folder .*README\.md: a file is in the way of a folder on that path — hint: check the `sarif-file` and `report-dir` inputs/m);
    expect(run.stdout).not.toContain('this is a bug');
    expect(stickyComments()).toHaveLength(1);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.summary).toContain('scopeguard: pass');
  });

  it('reviews a pull request that deletes the whole registry as removing every scope and client', async () => {
    repo.git('rm', '-r', '-q', 'scopes');
    repo.git('commit', '-q', '-m', 'Drop the registry');
    const head = repo.git('rev-parse', 'HEAD');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });

    expect(run.stdout).not.toContain('no *.yaml');
    expect(run.outputs.verdict).toMatch(/^(pass|fail)$/);
    expect(run.outputs['new-findings']).toMatch(/^\d+$/);
    const [comment] = stickyComments();
    expect(comment).toContain('scope removed');
    expect(comment).toContain('billing-service');
    expect(run.summary).toContain('scope removed');
  });

  it('links a finding about a removed scope to the line where it was at base, and annotates no head line with it', async () => {
    const head = repo.commit(
      {
        'scopes/acme/scopes.yaml': SCOPES.replace("  read.profile:\n    description: Read the signed-in user's profile\n    sensitivity: low\n    owner: team-identity\n", ''),
        'scopes/acme/actions.yaml': ACTIONS.replace('  read.profile: [GET /v1/profile]\n', ''),
        'scopes/acme/clients.yaml': clients().replace(/read\.profile, |, read\.profile|read\.profile/g, ''),
      },
      'Remove read.profile',
    );
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), inputs: { 'fail-on': 'never' } });

    const [comment] = stickyComments();
    const row = (comment ?? '').split('\n').find((l) => l.includes('`SG204`'));
    const line = SCOPES.split('\n').indexOf('  read.profile:') + 1;
    expect(row).toContain(`/blob/${baseSha}/scopes/acme/scopes.yaml#L${line})`);
    expect(row).not.toContain(head);
    const annotation = run.stdout.split('\n').find((l) => l.includes('SG204'));
    expect(annotation).toBeDefined();
    expect(annotation).not.toContain('line=');
  });

  it('a registry input that names no registry at base or head says to check that input', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), inputs: { registry: 'scope' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::scopeguard: no \*\.yaml or \*\.yml files under "scope" .* — hint: check the `registry` input of the step/m);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('says to fetch more history when the base commit is missing (shallow checkout)', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const shallow = new TempRepo({ repo, branch: 'feature', depth: 1 });
    const run = await runAction({ repo: shallow, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^::error::scopeguard: .*${baseSha.slice(0, 12)}`, 'm'));
    expect(run.stdout).toContain('fetch-depth: 0');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(github.requests).toHaveLength(0);
  });

  it('writes a new comment when the sticky one vanished between listing and updating (404)', async () => {
    const first = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: first }) });
    github.fail('PATCH', /\/issues\/comments\/\d+$/, 404, { message: 'Not Found' });
    const second = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT + PUBLIC_CLIENT_WITH_HIGH_SCOPE) }, 'Add the mobile app');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('synchronize', { baseSha, headSha: second }) });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the earlier comment is gone; writing a new one');
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(stickyComments().at(-1)).toContain('`SG103`');
  });

  it('gives one clear line, no stack trace, when GitHub keeps failing', async () => {
    github.fail('GET', /\/issues\/7\/comments$/, 503, { times: 10, message: 'Service Unavailable' });
    github.fail('POST', /\/issues\/7\/comments$/, 422, { times: 10, message: 'Validation Failed' });
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(HARMLESS_CLIENT) }, 'Add the profile service');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });

    expect(run.code).toBe(0); // the verdict does not depend on the comment
    expect(run.stdout).toMatch(/^::warning::scopeguard: could not list the pull request comments: HTTP 503 \(Service Unavailable\)/m);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(run.summary).toContain('✅ scopeguard: pass');
  }, 90_000);

  it('escapes hostile strings from YAML: no HTML, no links, no mentions', async () => {
    const hostileClient = `  ${JSON.stringify(HOSTILE)}:
    clientId: 0oa8hostile
    owner: team-mobile
    type: public
    description: ${JSON.stringify(HOSTILE)}
    scopes: [read.data]
`;
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(hostileClient) }, 'Hostile client');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });
    expect(run.code).toBe(1);
    const body = stickyComments()[0] ?? '';
    expect(body).toContain('onerror'); // it is there, as text
    for (const rendered of [body, run.summary]) {
      // code spans show their content literally (no HTML, links or mentions inside them); check the rest
      const text = rendered.replace(/(`+)[^`]*?\1/g, '');
      expect(text).toContain('onerror');
      expect(text).not.toContain('<img');
      expect(text).not.toMatch(/@everyone/); // a zero-width joiner after @ keeps it from pinging
      expect(text).not.toContain('](javascript:');
      // the hostile pipe cannot add a cell: every table row has as many cells as its header
      for (const table of rendered.split('\n\n').filter((block) => block.startsWith('| '))) {
        const rows = table.split('\n');
        const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length;
        for (const row of rows) expect(cells(row)).toBe(cells(rows[0]!));
      }
    }
  });

  it('tells the author where the registry broke, in the same sticky comment', async () => {
    const head = repo.commit(
      { 'scopes/acme/clients.yaml': clients(`  broken:\n    clientId: 0oa8broken\n    type: ${JSON.stringify(HOSTILE)}\n`) },
      'Break the registry',
    );
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), inputs: { 'sarif-file': 'scopeguard.sarif' } });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    // no finding was judged: the counts are empty, not a reassuring 0
    expect([run.outputs.findings ?? '', run.outputs['new-findings'] ?? '']).toEqual(['', '']);
    expect(run.stdout).toMatch(/^::error file=scopes\/acme\/clients\.yaml,line=\d+/m);
    // code scanning shows the broken line too: the SARIF holds the problem instead of no file at all
    const sarif = JSON.parse(readFileSync(join(repo.dir, 'scopeguard.sarif'), 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}`)).toEqual(['registry/schema scopes/acme/clients.yaml']);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const body = stickyComments()[0] ?? '';
    expect(body).toContain('the registry does not load');
    expect(body).toContain(`https://github.example/acme/scopes/blob/${head}/scopes/acme/clients.yaml#L`);
    expect(body).not.toContain('<img');
    expect(run.summary).toContain('the registry does not load');
  });

  it('judges with the rules of the base revision and reports a change to them', async () => {
    const head = repo.commit(
      { 'scopes/scopeguard.yaml': 'kind: Config\nfailOn: never\n', 'scopes/acme/clients.yaml': clients(PUBLIC_CLIENT_WITH_HIGH_SCOPE) },
      'Relax the rules and add the mobile app',
    );
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }) });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    const body = stickyComments()[0] ?? '';
    expect(body).toContain('changes the rules that judge it');
    expect(body).toContain('scopes/scopeguard\\.yaml');
  });

  it('reviews the pull request that introduces the registry: base has none, so everything is added', async () => {
    const adopting = new TempRepo();
    const before = adopting.commit({ 'README.md': 'an application\n' }, 'Before scopeguard');
    adopting.git('switch', '-q', '-c', 'feature');
    const head = adopting.commit(baseRegistry(), 'Adopt scopeguard');
    const run = await runAction({ repo: adopting, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha: before, headSha: head }) });

    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/^::error::.*no \*\.yaml/m);
    expect(stickyComments()).toHaveLength(1);
    const body = stickyComments()[0] ?? '';
    expect(body).toContain('#### Scope changes (7)');
    expect(body).toContain('| acme | `client:billing-service` | client added with read\\.data | ⬆️ widening |');
    // judged by the default rules (base has no scopeguard.yaml), and the new one is named as taking effect after merge
    expect(body).toContain('This pull request changes the rules that judge it');
    expect(run.code).toBe(1);
  });

  it('passes the pull request that repairs a broken main: compared with the last revision where the registry loads, and says so', async () => {
    repo.git('switch', '-q', 'main');
    const broken = repo.commit({ 'scopes/acme/scopes.yaml': `${SCOPES}  read.data: {description: again}\n` }, 'Direct push that broke main');
    repo.git('switch', '-q', '-c', 'repair');
    const head = repo.commit({ 'scopes/acme/scopes.yaml': SCOPES }, 'Repair the registry');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha: broken, headSha: head }) });
    expect(run.stderr).toBe('');
    expect(run.outputs.verdict).toBe('pass');
    expect(run.code).toBe(0);
    const body = stickyComments()[0] ?? '';
    expect(body).toContain(`> The registry does not load at base ${broken.slice(0, 12)}; findings are compared with ${baseSha.slice(0, 12)}, the newest earlier revision where it does`);
    expect(body).not.toContain('the registry does not load\n');
  });

  const opa = [join(ROOT, '.tools', 'bin', 'opa'), ...(process.env.PATH ?? '').split(':').map((dir) => join(dir, 'opa'))].find((path) => existsSync(path));
  if (!opa) process.stderr.write('pull-request.test: opa not installed (npm run opa:install); skipping the custom-policy test\n');
  it.skipIf(!opa)('compiles custom policies as they were at base, so a pull request cannot delete the rule that flags it', async () => {
    const withPolicy = repo.commit(
      { 'scopes/scopeguard.yaml': 'kind: Config\nfailOn: high\npolicies: [policies/custom]\n', 'policies/custom/owner.rego': CUSTOM_RULE },
      'Custom rule: clients need an owner',
    );
    const head = repo.commit({ 'policies/custom/owner.rego': '', 'scopes/acme/clients.yaml': clients(UNOWNED_CLIENT) }, 'Drop the rule, add an unowned client');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha: withPolicy, headSha: head }) });

    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(run.code).toBe(1);
    const body = stickyComments()[0] ?? '';
    expect(body).toContain('`ACME001`');
    expect(body).toContain('client orphan has no owner');
    expect(body).toContain('changes the rules that judge it');
    expect(body).toContain('policies/custom/owner\\.rego');
  });

  it.skipIf(!opa)('reviews a pull request that adds a custom rule with its exceptions, in a folder with a non-ASCII name, and cleans up', async () => {
    const withPolicy = repo.commit(
      { 'scopes/scopeguard.yaml': 'kind: Config\nfailOn: high\npolicies: [policies/règles]\n', 'policies/règles/clients/règle.rego': CUSTOM_RULE },
      'Custom rule: clients need an owner',
    );
    const secondRule = CUSTOM_RULE.replace(/ACME001/g, 'ACME002').replace('has no owner', 'has no reviewer');
    const exceptions = 'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - {rule: ACME002, subject: "client:orphan", reason: reviewed by hand, expires: 2099-01-01}\n';
    const head = repo.commit(
      { 'policies/règles/clients/reviewer.rego': secondRule, 'scopes/acme/exceptions.yaml': exceptions, 'scopes/acme/clients.yaml': clients(UNOWNED_CLIENT) },
      'Second custom rule, waived for the orphan',
    );
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha: withPolicy, headSha: head }) });
    expect(run.stdout + run.stderr).not.toMatch(/unexpected error|\n\s+at .+:\d+:\d+/);
    // judged by base's rules: ACME001 flags the orphan, ACME002 is not a rule yet, and its exception is said to wait for it
    expect(run.outputs.verdict).toBe('fail');
    const body = stickyComments()[0] ?? '';
    expect(body).toContain('client orphan has no owner');
    expect(body).not.toContain('has no reviewer');
    expect(body).toContain('> The exception at scopes/acme/exceptions\\.yaml:4:5 names ACME002, a rule the base branch does not have \\(did you mean &quot;ACME001&quot;?\\): it waives nothing until such a rule is merged\\.');
    expect(body).toContain('policies/règles/clients/reviewer\\.rego');
    expect(run.leftInTemp).toEqual([]);
  });

  it('a policy folder that exists nowhere is an input error, not a review without the custom rules', async () => {
    const head = repo.commit({ 'scopes/acme/clients.yaml': clients(UNOWNED_CLIENT) }, 'Add an unowned client');
    const run = await runAction({ repo, apiUrl: github.url, event: pullRequestEvent('opened', { baseSha, headSha: head }), inputs: { policy: 'policies/cutsom' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::scopeguard: policy folder "policies\/cutsom" does not exist, at base or in the checkout — hint: check the `policy` input/m);
    expect(run.outputs.verdict ?? '').toBe('');
  });
});
