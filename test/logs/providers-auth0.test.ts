// Auth0 log events as Auth0 writes them, checked for what a user sees in the normalized event.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importAndRead, tempDir } from './helpers.ts';

function ndjson(records: object[]): string {
  const file = join(tempDir(), 'auth0.ndjson');
  writeFileSync(file, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  return file;
}

const carrierSync = 'Lp8oK5iJ2uH9yG6tF3rD0eS7wA4qZ1xC';
const terraform = { client_id: 'mgmt0000000000000000000000000001', client_name: 'terraform', ip: '198.51.100.9' };

describe('auth0: Management API changes to clients and client grants', () => {
  it('are filed under the client changed, with the calling client as the actor', async () => {
    const file = ndjson([
      {
        date: '2026-11-04T18:00:00.000Z', type: 'sapi', description: 'Delete a client', ...terraform, user_agent: 'Go-http-client/2.0',
        details: { request: { method: 'delete', path: `/api/v2/clients/${carrierSync}`, auth: { user: {}, strategy: 'jwt', credentials: { jti: 'be12e58a141405295d11e91ab926c44b' } } }, response: { statusCode: 204, body: {} } },
        log_id: '90020261104180000000000000000001223372036854775901',
      },
      {
        date: '2026-11-04T18:01:00.000Z', type: 'sapi', description: 'Update a client grant', ...terraform,
        details: { request: { method: 'patch', path: '/api/v2/client-grants/cgr_abc', body: { scope: ['read.rates'] } }, response: { statusCode: 200, body: { id: 'cgr_abc', client_id: carrierSync, audience: 'https://api.globex.example', scope: ['read.rates'] } } },
        log_id: '90020261104180100000000000000001223372036854775902',
      },
      {
        date: '2026-11-04T16:07:00.000Z', type: 'sapi', description: 'Create client grant', ...terraform,
        details: { request: { method: 'post', path: '/api/v2/client-grants', body: { client_id: carrierSync, audience: 'https://api.globex.example', scope: ['read.rates', 'write.rates'] } }, response: { statusCode: 201, body: { id: 'cgr_abc', client_id: carrierSync, scope: ['read.rates', 'write.rates'] } } },
        log_id: '90020261104160700000000000000001223372036854775806',
      },
      {
        date: '2026-11-04T18:02:00.000Z', type: 'sapi', description: 'Create a client', ...terraform,
        details: { request: { method: 'post', path: '/api/v2/clients', body: { name: 'rates-exporter', app_type: 'non_interactive' } }, response: { statusCode: 201, body: { client_id: 'Nw4rT7yU0iO3pA6sD9fG2hJ5kL8zX1cV', name: 'rates-exporter' } } },
        log_id: '90020261104180200000000000000001223372036854775903',
      },
      {
        date: '2026-11-04T18:03:00.000Z', type: 'fapi', description: 'Update a client', ...terraform,
        details: { request: { method: 'patch', path: `/api/v2/clients/${carrierSync}`, body: { grant_types: ['password'] } }, response: { statusCode: 400, body: { error: 'Bad Request' } } },
        log_id: '90020261104180300000000000000001223372036854775904',
      },
      {
        // a deleted grant's response says nothing of its client: better no client than the caller
        date: '2026-11-04T18:04:00.000Z', type: 'sapi', description: 'Delete client grant', ...terraform,
        details: { request: { method: 'delete', path: '/api/v2/client-grants/cgr_xyz' }, response: { statusCode: 204, body: {} } },
        log_id: '90020261104180400000000000000001223372036854775905',
      },
    ]);
    const { events } = await importAndRead(file, { tenant: 'globex' });
    const caller = { id: 'mgmt0000000000000000000000000001', type: 'client', name: 'terraform' };
    expect(events.map((e) => ({ type: e.type, outcome: e.outcome, clientId: e.clientId, actor: e.actor, grantId: e.grantId, scopes: e.scopes }))).toEqual([
      { type: 'client.deleted', outcome: 'success', clientId: carrierSync, actor: caller, grantId: undefined, scopes: [] },
      { type: 'grant.changed', outcome: 'success', clientId: carrierSync, actor: caller, grantId: 'cgr_abc', scopes: ['read.rates'] },
      { type: 'grant.changed', outcome: 'success', clientId: carrierSync, actor: caller, grantId: 'cgr_abc', scopes: ['read.rates', 'write.rates'] },
      { type: 'client.created', outcome: 'success', clientId: 'Nw4rT7yU0iO3pA6sD9fG2hJ5kL8zX1cV', actor: caller, grantId: undefined, scopes: [] },
      { type: 'client.updated', outcome: 'failure', clientId: carrierSync, actor: caller, grantId: undefined, scopes: [] },
      { type: 'grant.changed', outcome: 'success', clientId: undefined, actor: caller, grantId: 'cgr_xyz', scopes: [] },
    ]);
  });

  it('are updates when they act on a part of a client (its secret, its credentials)', async () => {
    const call = (logId: string, method: string, path: string, statusCode: number): object => ({
      date: '2026-11-04T18:10:00.000Z', type: 'sapi', ...terraform, details: { request: { method, path }, response: { statusCode, body: {} } }, log_id: logId,
    });
    const file = ndjson([
      call('90020261104181000000000000000001223372036854775911', 'post', `/api/v2/clients/${carrierSync}/rotate-secret`, 200),
      call('90020261104181000000000000000001223372036854775912', 'post', `/api/v2/clients/${carrierSync}/credentials`, 201),
      call('90020261104181000000000000000001223372036854775913', 'delete', `/api/v2/clients/${carrierSync}/credentials/cred_1`, 204),
    ]);
    const { events } = await importAndRead(file, { tenant: 'globex' });
    expect(events.map((e) => [e.type, e.clientId])).toEqual([
      ['client.updated', carrierSync],
      ['client.updated', carrierSync],
      ['client.updated', carrierSync],
    ]);
  });

  it('keeps other Management API calls under the client that made them', async () => {
    const file = ndjson([
      {
        date: '2026-11-04T18:05:00.000Z', type: 'sapi', description: 'Get users', ...terraform,
        details: { request: { method: 'get', path: '/api/v2/users' }, response: { statusCode: 200 } },
        log_id: '90020261104180500000000000000001223372036854775906',
      },
      {
        // reading a client changes nothing
        date: '2026-11-04T18:06:00.000Z', type: 'sapi', description: 'Get a client', ...terraform,
        details: { request: { method: 'get', path: `/api/v2/clients/${carrierSync}` }, response: { statusCode: 200 } },
        log_id: '90020261104180600000000000000001223372036854775907',
      },
    ]);
    const { events } = await importAndRead(file, { tenant: 'globex' });
    expect(events[0]).toMatchObject({ type: 'other', clientId: 'mgmt0000000000000000000000000001', request: { method: 'GET', path: '/api/v2/users', status: 200 } });
    expect(events[1]).toMatchObject({ type: 'other', clientId: 'mgmt0000000000000000000000000001', request: { method: 'GET', path: `/api/v2/clients/${carrierSync}` } });
  });
});

describe('auth0: Log Streams', () => {
  const login = { date: '2026-11-04T17:00:00.000Z', type: 'seacft', client_id: carrierSync, client_name: 'carrier-sync', ip: '198.51.100.140', user_id: 'auth0|64f000000000000000000001', scope: 'openid read.rates', log_id: '90020261104170000000000000000001223372036854775807' };
  const refresh = { date: '2026-11-04T17:01:00.000Z', type: 'sertft', client_id: carrierSync, client_name: 'carrier-sync', ip: '198.51.100.140', user_id: 'auth0|64f000000000000000000001', scope: 'openid read.rates', log_id: '90020261104170100000000000000001223372036854775808' };
  const expected = [
    { eventId: login.log_id, time: '2026-11-04T17:00:00.000Z', type: 'token.issued', clientId: carrierSync, scopes: ['openid', 'read.rates'], actor: { id: 'auth0|64f000000000000000000001', type: 'user' }, outcome: 'success' },
    { eventId: refresh.log_id, time: '2026-11-04T17:01:00.000Z', type: 'token.refreshed', clientId: carrierSync, scopes: ['openid', 'read.rates'], actor: { id: 'auth0|64f000000000000000000001', type: 'user' }, outcome: 'success' },
  ];

  it('reads the custom webhook\'s {log_id, data} records and detects them as auth0', async () => {
    const file = ndjson([login, refresh].map((data) => ({ log_id: data.log_id, data })));
    const { result, events, notices } = await importAndRead(file, { tenant: 'globex' });
    expect(notices.join()).toContain('detected provider auth0');
    expect(result).toMatchObject({ provider: 'auth0', imported: 2, rejected: 0 });
    expect(events).toMatchObject(expected);
  });

  it('reads Amazon EventBridge events, whose detail holds {log_id, data}', async () => {
    const file = ndjson(
      [login, refresh].map((data, index) => ({
        version: '0',
        id: `6a7e8feb-b491-4cf7-a9f1-bf3703467718-${index}`,
        'detail-type': 'Auth0 log',
        source: 'aws.partner/auth0.com/globex-0123abcd/auth0.logs',
        account: '123456789012',
        time: '2026-11-04T17:02:00Z',
        region: 'eu-west-1',
        resources: [],
        detail: { log_id: data.log_id, data },
      })),
    );
    const { result, events, notices } = await importAndRead(file, { tenant: 'globex' });
    expect(notices.join()).toContain('detected provider auth0');
    expect(result).toMatchObject({ provider: 'auth0', imported: 2, rejected: 0 });
    expect(events).toMatchObject(expected);
  });
});

describe('auth0: a failed silent authentication', () => {
  it('carries the scopes asked for, read from the query string of the request', async () => {
    const file = ndjson([
      {
        date: '2026-11-05T08:00:00.000Z', type: 'fsa', description: 'Login required', client_id: carrierSync, client_name: 'carrier-sync', ip: '198.51.100.20',
        details: { body: {}, qs: { client_id: carrierSync, response_type: 'code', scope: 'openid read.rates write.rates', prompt: 'none' }, error: { message: 'Login required', oauthError: 'login_required', type: 'oauth-authorization' } },
        log_id: '90020261105080000000000000000001223372036854776001',
      },
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.type, e.clientId, e.outcome, e.requestedScopes, e.scopes])).toEqual([
      ['authorize.denied', carrierSync, 'failure', ['openid', 'read.rates', 'write.rates'], []],
    ]);
  });
});

