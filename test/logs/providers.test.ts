// Each provider's documented export format, written as realistic fixtures, mapped field by field.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { importAndRead, tempDir } from './helpers.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

describe('okta System Log', () => {
  it('maps a custom-AS access token grant and a consent grant, detecting the provider', async () => {
    const { result, events, notices } = await importAndRead(fixture('okta.json'));
    expect(notices.join()).toContain('detected provider okta');
    expect(result).toMatchObject({ provider: 'okta', imported: 2, rejected: 0 });
    expect(events[0]).toEqual({
      eventId: '5b1e3c7a-9f0d-11ef-8a2b-2d6c4e1f0a11',
      tenant: 'acme',
      provider: 'okta',
      time: '2026-11-03T09:14:27.482Z',
      type: 'token.issued',
      rawType: 'app.oauth2.as.token.grant.access_token',
      outcome: 'success',
      actor: { id: '0oa8f3k2bi1LlNgSr4x7', type: 'PublicClientApp', name: '0oa8f3k2bi1LlNgSr4x7' },
      clientId: '0oa8f3k2bi1LlNgSr4x7',
      scopes: ['read.orders', 'write.invoices'],
      requestedScopes: ['read.orders', 'write.invoices', 'issue.refunds'],
      tokenId: 'AT.q1W2e3R4t5Y6u7I8o9P0',
      grantId: 'ZbQ1f9x@r2Vt3mK7',
      request: { path: '/oauth2/aus1acme9default/v1/token' },
      ip: '203.0.113.41',
      userAgent: 'okhttp/4.12.0',
      source: { file: fixture('okta.json'), line: 2 },
    });
    expect(events[1]).toMatchObject({
      type: 'consent.granted',
      rawType: 'app.oauth2.as.consent.grant',
      actor: { id: '00u1a2b3c4D5e6F7g4x7', type: 'User', name: 'lena.okafor@example.com' },
      clientId: '0oa5rt1xk8WbQ2vYz4x7',
      scopes: ['read.orders'],
      ip: '198.51.100.12',
    });
  });
});

describe('auth0 logs', () => {
  it('maps a client-credentials exchange and a Management API client update', async () => {
    const { result, events } = await importAndRead(fixture('auth0.json'), { tenant: 'globex' });
    expect(result).toMatchObject({ provider: 'auth0', imported: 2 });
    expect(events[0]).toEqual({
      eventId: '90020261104160211517000000000000001223372036854775807',
      tenant: 'globex',
      provider: 'auth0',
      time: '2026-11-04T16:02:11.517Z',
      type: 'token.issued',
      rawType: 'seccft',
      outcome: 'success',
      actor: { type: 'client' },
      clientId: 'Lp8oK5iJ2uH9yG6tF3rD0eS7wA4qZ1xC',
      scopes: ['manage.carriers', 'write.rates'],
      requestedScopes: [],
      ip: '198.51.100.140',
      userAgent: 'node-fetch/1.0',
      source: { file: fixture('auth0.json'), line: 2 },
    });
    expect(events[1]).toMatchObject({
      type: 'client.updated',
      rawType: 'sapi',
      // the client changed, not the Management API client that changed it
      clientId: 'Lp8oK5iJ2uH9yG6tF3rD0eS7wA4qZ1xC',
      actor: { id: 'mgmtApiClient0000000000000000000', type: 'client', name: 'terraform' },
      request: { method: 'PATCH', path: '/api/v2/clients/Lp8oK5iJ2uH9yG6tF3rD0eS7wA4qZ1xC', status: 200 },
    });
  });
});

describe('github audit log', () => {
  it('maps an OAuth authorization and a PAT deletion; epoch-ms @timestamp becomes UTC', async () => {
    const { events } = await importAndRead(fixture('github.json'));
    expect(events[0]).toEqual({
      eventId: 'Xk2mQ9vLr8TzP4wA1bC3dE',
      tenant: 'acme',
      provider: 'github',
      time: '2025-11-04T16:00:00.123Z',
      type: 'consent.granted',
      rawType: 'oauth_authorization.create',
      outcome: 'success',
      actor: { id: '5012345', type: 'user', name: 'priya-nair' },
      clientId: '91234',
      scopes: ['repo', 'read:org'],
      requestedScopes: [],
      source: { file: fixture('github.json'), line: 2 },
    });
    expect(events[1]).toMatchObject({ type: 'token.revoked', rawType: 'personal_access_token.destroy', tokenId: '88123' });
  });
});

describe('google Reports activities', () => {
  it('reads a pretty-printed API page and splits multi-event activities', async () => {
    const { result, events } = await importAndRead(fixture('google.json'));
    expect(result).toMatchObject({ provider: 'google', imported: 3, rejected: 0 });
    expect(events[0]).toEqual({
      eventId: '-4761928374650123456',
      tenant: 'acme',
      provider: 'google',
      time: '2026-11-05T11:22:33.444Z',
      type: 'consent.granted',
      rawType: 'token.authorize',
      outcome: 'success',
      actor: { id: '112233445566778899001', type: 'user', name: 'mei.tanaka@example.com' },
      clientId: '123456789012-abcdefghijklmnop.apps.googleusercontent.com',
      scopes: ['https://www.googleapis.com/auth/drive.readonly', 'https://www.googleapis.com/auth/userinfo.email'],
      requestedScopes: [],
      ip: '2001:db8::17',
      source: { file: fixture('google.json'), line: 5 },
    });
    const byType = Object.fromEntries(events.slice(1).map((e) => [e.type, e]));
    expect(byType['consent.revoked']).toMatchObject({ eventId: '8812736450019283746#0', rawType: 'token.revoke' });
    expect(byType['api.request']).toMatchObject({ eventId: '8812736450019283746#1', request: { method: 'drive.files.list', path: 'drive' } });
  });

  it('reads the scopes of a token event that carries them only in scope_data (a multiMessageValue)', async () => {
    const activity = {
      kind: 'admin#reports#activity',
      id: { time: '2026-11-06T09:00:00.000Z', uniqueQualifier: '-111', applicationName: 'token', customerId: 'C01' },
      actor: { email: 'mei.tanaka@example.com', profileId: '112233445566778899001' },
      events: [
        {
          type: 'auth',
          name: 'authorize',
          parameters: [
            { name: 'client_id', value: '123456789012-abcdefghijklmnop.apps.googleusercontent.com' },
            { name: 'app_name', value: 'Reports exporter' },
            {
              name: 'scope_data',
              multiMessageValue: [
                { parameter: [{ name: 'scope_name', value: 'https://www.googleapis.com/auth/drive.readonly' }, { name: 'product_bucket', multiValue: ['DRIVE'] }] },
                { parameter: [{ name: 'scope_name', value: 'openid' }, { name: 'product_bucket', multiValue: ['IDENTITY'] }] },
              ],
            },
          ],
        },
      ],
    };
    const file = join(tempDir(), 'google-scope-data.json');
    writeFileSync(file, JSON.stringify([activity]));
    const { events } = await importAndRead(file);
    expect(events.map((e) => [e.type, e.scopes])).toEqual([['consent.granted', ['https://www.googleapis.com/auth/drive.readonly', 'openid']]]);
  });
});

describe('entra (Microsoft Graph)', () => {
  it('maps a delegated permission grant, a service-principal sign-in and a failed user sign-in', async () => {
    const { result, events } = await importAndRead(fixture('entra.json'));
    expect(result).toMatchObject({ provider: 'entra', imported: 3 });
    expect(events[0]).toEqual({
      eventId: 'Directory_7c4e1b0a-2f3d-4e5f-9a8b-1c2d3e4f5a6b_ABC12_123456789',
      tenant: 'acme',
      provider: 'entra',
      time: '2026-11-06T08:30:45.123Z',
      type: 'consent.granted',
      rawType: 'Add delegated permission grant',
      outcome: 'success',
      actor: { id: 'a1b2c3d4-0000-4000-8000-000000000001', type: 'user', name: 'sam.ortiz@example.com' },
      // a delegated grant names its app only by the service principal's object id (its AppId detail is Graph's appId)
      clientId: '9a8b7c6d-0000-4000-8000-0000000000ff',
      scopes: ['User.Read', 'Mail.Read'],
      requestedScopes: [],
      grantId: '0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e',
      ip: '198.51.100.33',
      source: { file: fixture('entra.json'), line: 4 },
    });
    // +01:00 offset → 08:05 UTC
    expect(events[2]).toMatchObject({ type: 'authorize.denied', rawType: 'signIn', outcome: 'failure', time: '2026-11-06T08:05:00.000Z', actor: { type: 'user', name: 'nora.hughes@example.com' } });
    expect(events[1]).toMatchObject({ type: 'token.issued', rawType: 'servicePrincipalSignIn', outcome: 'success', clientId: '3f2e1d0c-aaaa-4bbb-8ccc-123456789abc', actor: { id: '9a8b7c6d-0000-4000-8000-0000000000ff', type: 'service-principal' } });
  });
});

describe('keycloak events and admin events', () => {
  it('maps CLIENT_LOGIN, a failed refresh (token scrubbed) and a client update admin event', async () => {
    const { events, result } = await importAndRead(fixture('keycloak.json'), { tenant: 'globex' });
    expect(result).toMatchObject({ provider: 'keycloak', imported: 3 });
    expect(events[0]).toEqual({
      eventId: '3d0c9a1e-5f7b-4a2c-9e8d-1b2c3d4e5f60',
      tenant: 'globex',
      provider: 'keycloak',
      time: '2025-11-06T15:20:00.000Z',
      type: 'token.issued',
      rawType: 'CLIENT_LOGIN',
      outcome: 'success',
      actor: { id: 'e5f6a7b8-0000-4000-8000-service00001', type: 'user', name: 'service-account-rates-admin' },
      clientId: 'Tr5eW2qA9sD6fG3hJ0kL7zX4cV1bN8mP',
      scopes: ['write.rates', 'profile'],
      requestedScopes: [],
      tokenId: 'c1d2e3f4-0000-4000-8000-token0000001',
      grantId: 'a9b8c7d6-0000-4000-8000-session00001',
      ip: '10.20.30.40',
      source: { file: fixture('keycloak.json'), line: 2 },
    });
    expect(events[1]).toMatchObject({ type: 'authorize.denied', rawType: 'REFRESH_TOKEN_ERROR', outcome: 'failure', clientId: '9pQ2wE5rT8yU1iO4aS7dF0gH3jK6lZxC' });
    expect(events[1]!.eventId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(events[2]).toMatchObject({
      type: 'client.updated',
      rawType: 'UPDATE CLIENT',
      clientId: 'Tr5eW2qA9sD6fG3hJ0kL7zX4cV1bN8mP',
      scopes: ['write.rates', 'read.rates', 'offline_access'],
      request: { method: 'PUT', path: '/clients/7a6b5c4d-0000-4000-8000-client000001' },
      actor: { id: 'b1a2c3d4-0000-4000-8000-admin0000001', type: 'admin' },
    });
  });
});

describe('gateway access logs', () => {
  it('uses the default field names and keeps only the path', async () => {
    const { events, result } = await importAndRead(fixture('gateway.ndjson'));
    expect(result).toMatchObject({ provider: 'gateway', imported: 2 });
    expect(events[0]).toEqual({
      eventId: 'r-1',
      tenant: 'acme',
      provider: 'gateway',
      time: '2026-11-07T09:00:00.250Z',
      type: 'api.request',
      rawType: 'request',
      outcome: 'success',
      clientId: '0oa8f3k2bi1LlNgSr4x7',
      scopes: ['read.orders', 'write.invoices'],
      requestedScopes: [],
      tokenId: 'AT.abc123',
      request: { method: 'GET', path: '/v1/orders/o-77', status: 200 },
      ip: '203.0.113.5',
      userAgent: 'acme-sdk/3.4.1',
      source: { file: fixture('gateway.ndjson'), line: 1 },
    });
    expect(events[1]).toMatchObject({ time: '2025-11-07T10:00:00.000Z', outcome: 'failure', request: { method: 'DELETE', path: '/v1/users/u-9', status: 403 }, scopes: ['read.orders'] });
  });

  it('follows the configured field mapping', async () => {
    const dir = (await import('./helpers.ts')).tempDir();
    const file = join(dir, 'gw.ndjson');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, `${JSON.stringify({ when: '2026-11-07 10:00:00.500', rid: 'x1', auth: { cid: 'svc-1', scp: 'a b' }, req: { m: 'POST', u: '/v1/orders' }, res: { code: 201 } })}\n`);
    const fields = { time: 'when', eventId: 'rid', clientId: 'auth.cid', scopes: 'auth.scp', method: 'req.m', path: 'req.u', status: 'res.code' };
    const { events } = await importAndRead(file, { provider: 'gateway', gateway: { fields } });
    expect(events[0]).toMatchObject({ eventId: 'x1', time: '2026-11-07T10:00:00.500Z', clientId: 'svc-1', scopes: ['a', 'b'], request: { method: 'POST', path: '/v1/orders', status: 201 }, outcome: 'success' });
  });
});
