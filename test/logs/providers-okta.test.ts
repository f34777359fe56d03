// Okta System Log records as Okta writes them, checked for what a user sees in the normalized event.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importAndRead, tempDir } from './helpers.ts';

function ndjson(records: object[]): string {
  const file = join(tempDir(), 'okta.ndjson');
  writeFileSync(file, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  return file;
}

const lena = { id: '00u1a2b3c4D5e6F7g4x7', type: 'User', alternateId: 'lena.okafor@example.com', displayName: 'Lena Okafor' };
// Okta's AppInstance target: `id` is the app's OAuth client_id, `alternateId` its label, `displayName` the app type
const storefront = { id: '0oa5rt1xk8WbQ2vYz4x7', type: 'AppInstance', alternateId: 'Web Storefront', displayName: 'OpenID Connect Client' };

/** A successful System Log event, with the parts that differ per event. */
function oktaEvent(uuid: string, published: string, eventType: string, actor: object, rest: object): object {
  return { uuid, published, eventType, actor, outcome: { result: 'SUCCESS' }, ...rest };
}

/** An event Lena caused from her browser. */
function byLena(uuid: string, published: string, eventType: string, rest: object): object {
  return oktaEvent(uuid, published, eventType, lena, { client: { ipAddress: '198.51.100.12' }, ...rest });
}

describe('okta: the client of user-initiated events', () => {
  it('is the target app instance id (its client_id), not its label', async () => {
    const file = ndjson([
      byLena('e1000002-aaaa-11ef-8a2b-000000000002', '2026-11-03T09:20:00.001Z', 'app.oauth2.as.consent.grant', {
        target: [storefront, { id: 'scp1ordersread', type: 'Scope', alternateId: 'read.orders', displayName: 'read.orders' }],
        transaction: { type: 'WEB', id: 'Yc2g0ys3Wu4nL8' },
        debugContext: { debugData: { requestUri: '/oauth2/aus1acme9default/v1/authorize' } },
      }),
      byLena('e1000003-aaaa-11ef-8a2b-000000000003', '2026-11-03T10:00:00.000+01:00', 'app.oauth2.as.authorize.code', {
        target: [storefront],
        transaction: { type: 'WEB', id: 'Tx3' },
        debugContext: { debugData: { grantedScopes: 'openid profile read.orders', requestedScopes: 'openid profile read.orders', responseType: 'code', requestUri: '/oauth2/aus1acme9default/v1/authorize' } },
      }),
      oktaEvent('e1000009-aaaa-11ef-8a2b-000000000009', '2026-11-03T11:00:00.000Z', 'application.lifecycle.create', { id: '00u1admin', type: 'User', alternateId: 'jonas.weber@example.com', displayName: 'Jonas Weber' }, {
        target: [{ id: '0oaNEWshadow0001x7', type: 'AppInstance', alternateId: 'shadow-report-tool', displayName: 'OpenID Connect Client' }],
      }),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.type, e.clientId, e.actor?.name, e.scopes])).toEqual([
      ['consent.granted', '0oa5rt1xk8WbQ2vYz4x7', 'lena.okafor@example.com', ['read.orders']],
      ['authorize.granted', '0oa5rt1xk8WbQ2vYz4x7', 'lena.okafor@example.com', ['openid', 'profile', 'read.orders']],
      ['client.created', '0oaNEWshadow0001x7', 'jonas.weber@example.com', []],
    ]);
  });

  it('is still the acting client when a client is the actor', async () => {
    const file = ndjson([
      oktaEvent('e1000001-aaaa-11ef-8a2b-000000000001', '2026-11-03T09:14:27.482Z', 'app.oauth2.as.token.grant.access_token', { id: '0oa8f3k2bi1LlNgSr4x7', type: 'PublicClientApp', alternateId: '0oa8f3k2bi1LlNgSr4x7', displayName: 'billing-service' }, {
        target: [{ id: 'AT.q1W2e3R4t5Y6u7I8o9P0', type: 'access_token', alternateId: 'xxx', displayName: 'Access Token' }],
        debugContext: { debugData: { grantType: 'client_credentials', grantedScopes: 'read.orders write.invoices' } },
      }),
    ]);
    const { events } = await importAndRead(file);
    expect(events[0]).toMatchObject({ type: 'token.issued', clientId: '0oa8f3k2bi1LlNgSr4x7', actor: { type: 'PublicClientApp' }, scopes: ['read.orders', 'write.invoices'] });
  });
});

describe('okta: token grants', () => {
  const storefrontClient = { id: '0oa5rt1xk8WbQ2vYz4x7', type: 'PublicClientApp', alternateId: '0oa5rt1xk8WbQ2vYz4x7', displayName: 'Web Storefront' };
  const grant = (uuid: string, eventType: string, grantType: string, result = 'SUCCESS'): object => ({
    uuid,
    published: '2026-11-03T10:05:00.000Z',
    eventType,
    actor: storefrontClient,
    outcome: { result },
    target: [],
    debugContext: { debugData: { grantType, grantedScopes: 'openid offline_access read.orders', requestUri: '/oauth2/aus1acme9default/v1/token' } },
  });

  it('are refreshes when the grant type is refresh_token, whatever token the event names', async () => {
    const file = ndjson([
      // a refresh token handed out at login is issued, not refreshed
      grant('e1000004-aaaa-11ef-8a2b-000000000004', 'app.oauth2.as.token.grant.refresh_token', 'authorization_code'),
      // an access token obtained with a refresh token is a refresh, failed or not
      grant('e1000005-aaaa-11ef-8a2b-000000000005', 'app.oauth2.as.token.grant.access_token', 'refresh_token', 'FAILURE'),
      grant('e1000006-aaaa-11ef-8a2b-000000000006', 'app.oauth2.as.token.grant.id_token', 'refresh_token'),
      grant('e1000007-aaaa-11ef-8a2b-000000000007', 'app.oauth2.as.token.grant.refresh_token', 'refresh_token'),
      // the org authorization server's events read the same
      grant('e1000008-aaaa-11ef-8a2b-000000000008', 'app.oauth2.token.grant.refresh_token', 'authorization_code'),
      grant('e1000009-aaaa-11ef-8a2b-000000000009', 'app.oauth2.token.grant.access_token', 'refresh_token'),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.rawType, e.type, e.outcome, e.clientId])).toEqual([
      ['app.oauth2.as.token.grant.refresh_token', 'token.issued', 'success', '0oa5rt1xk8WbQ2vYz4x7'],
      ['app.oauth2.as.token.grant.access_token', 'token.refreshed', 'failure', '0oa5rt1xk8WbQ2vYz4x7'],
      ['app.oauth2.as.token.grant.id_token', 'token.refreshed', 'success', '0oa5rt1xk8WbQ2vYz4x7'],
      ['app.oauth2.as.token.grant.refresh_token', 'token.refreshed', 'success', '0oa5rt1xk8WbQ2vYz4x7'],
      ['app.oauth2.token.grant.refresh_token', 'token.issued', 'success', '0oa5rt1xk8WbQ2vYz4x7'],
      ['app.oauth2.token.grant.access_token', 'token.refreshed', 'success', '0oa5rt1xk8WbQ2vYz4x7'],
    ]);
  });
});

// Okta's documented refresh token reuse detection (developer.okta.com, guides/refresh-tokens): a rotated refresh token
// presented again is refused and Okta invalidates the token family, logging app.oauth2.as.token.detect_reuse (custom
// authorization server) or app.oauth2.token.detect_reuse (org authorization server). Shaped like a System Log
// LogEvent: the user whose session the token belongs to as actor, the app instance as target, the token request in
// debugData (threatSuspected is the flag Okta's own detection content keys on).
describe('okta: refresh token reuse detected', () => {
  const reuse = (uuid: string, eventType: string, result: string): object =>
    byLena(uuid, '2026-11-04T07:30:00.000Z', eventType, {
      outcome: { result },
      displayMessage: 'Token Reuse',
      target: [storefront, { id: 'rt.0b9a3f1e4c', type: 'refresh_token', alternateId: 'unknown', displayName: 'Refresh Token' }],
      transaction: { type: 'WEB', id: 'Yd4h1zt4Xv5oM9' },
      debugContext: { debugData: { grantType: 'refresh_token', threatSuspected: 'false', requestUri: '/oauth2/aus1acme9default/v1/token', requestId: 'Yd4h1zt4Xv5oM9' } },
    });

  it('is a revocation of the token, not a refresh (nothing was issued)', async () => {
    const file = ndjson([
      reuse('e1000010-aaaa-11ef-8a2b-000000000010', 'app.oauth2.as.token.detect_reuse', 'FAILURE'),
      reuse('e1000011-aaaa-11ef-8a2b-000000000011', 'app.oauth2.token.detect_reuse', 'SUCCESS'),
    ]);
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.rawType, e.type, e.outcome, e.clientId, e.tokenId])).toEqual([
      ['app.oauth2.as.token.detect_reuse', 'token.revoked', 'success', '0oa5rt1xk8WbQ2vYz4x7', 'rt.0b9a3f1e4c'],
      ['app.oauth2.token.detect_reuse', 'token.revoked', 'success', '0oa5rt1xk8WbQ2vYz4x7', 'rt.0b9a3f1e4c'],
    ]);
  });
});
