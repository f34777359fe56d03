import { describe, expect, it } from 'vitest';
import { REDACTED, safeTokenId, scrubString, scrubText, scrubValue } from '../../src/logs/scrub.ts';

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhYmMiLCJzY3AiOlsicmVhZCJdfQ.c2lnbmF0dXJlLWJ5dGVz';

describe('scrub', () => {
  it('redacts secret-named keys whatever their value looks like', () => {
    const scrubbed = scrubValue({ client_secret: 'hunter2', nested: { refreshToken: 'r-123', Password: 'pw' }, code: 'abc', headers: [{ name: 'Authorization', value: 'xyz' }] });
    expect(scrubbed).toEqual({ client_secret: REDACTED, nested: { refreshToken: REDACTED, Password: REDACTED }, code: REDACTED, headers: [{ name: 'Authorization', value: REDACTED }] });
  });

  it('redacts secret values under any key', () => {
    expect(scrubString(`token ${JWT} issued`)).toBe(`token ${REDACTED} issued`);
    expect(scrubString('Bearer abcdef123456')).toBe(`Bearer ${REDACTED}`);
    expect(scrubString('/cb?code=AUTHCODE123&state=s1&access_token=tok')).toBe(`/cb?code=${REDACTED}&state=s1&access_token=${REDACTED}`);
    expect(scrubString('https://user:pa55@host/x')).toBe(`https://user:${REDACTED}@host/x`);
    expect(scrubString('ghp_0123456789abcdefghijABCDEFGHIJ012345')).toBe(REDACTED);
    expect(scrubString('OAuth2 access token is granted')).toBe('OAuth2 access token is granted');
  });

  it('redacts query and form parameters that carry a secret, in any spelling of their name', () => {
    const path = '/zz?accessToken=A1&client-secret=B2&api-key=C3&access-token=D4&sessionToken=E5&X-Amz-Signature=F6&page=2&scope=read.data';
    expect(scrubString(path)).toBe(
      `/zz?accessToken=${REDACTED}&client-secret=${REDACTED}&api-key=${REDACTED}&access-token=${REDACTED}&sessionToken=${REDACTED}&X-Amz-Signature=${REDACTED}&page=2&scope=read.data`,
    );
    expect(scrubString('grant_type=refresh_token&refresh_token=R9&client_id=app1')).toBe(`grant_type=refresh_token&refresh_token=${REDACTED}&client_id=app1`);
    // names that only contain a secret word are not secrets: a count of tokens, an expiry
    expect(scrubString('/v1/tokens?tokenCount=3&expires_in=3600')).toBe('/v1/tokens?tokenCount=3&expires_in=3600');
  });

  it('redacts by key inside a JSON document held in a string (Keycloak admin events carry the client as JSON text)', () => {
    const representation = JSON.stringify({ clientId: 'billing', secret: 'kc-client-secret-value', attributes: { 'client.secret.rotated': 'x' } });
    const scrubbed = scrubValue({ operationType: 'CREATE', representation }) as { representation: string };
    expect(scrubbed.representation).not.toContain('kc-client-secret-value');
    expect(JSON.parse(scrubbed.representation)).toEqual({ clientId: 'billing', secret: REDACTED, attributes: { 'client.secret.rotated': 'x' } });
    // cut off: redacted by key in the text
    expect(scrubValue('{"clientId": "billing", "secret": "kc-cut')).toBe(`{"clientId": "billing", "secret": "${REDACTED}`);
    // without a secret, the text stays byte for byte (spacing included)
    expect(scrubValue('{ "clientId": "billing" }')).toBe('{ "clientId": "billing" }');
    // text that only starts like JSON is left as text
    expect(scrubValue('[draft] rotate the key')).toBe('[draft] rotate the key');
  });

  it('redacts by key inside unparseable JSON text, in any spelling of the key', () => {
    expect(scrubText('{"password": "pw1", "access_token":"abc')).toBe(`{"password": "${REDACTED}", "access_token":"${REDACTED}`);
    expect(scrubText('{"clientSecret": "s1", "Refresh-Token": "r1", "user": "ana", "sessionToken":"t')).toBe(
      `{"clientSecret": "${REDACTED}", "Refresh-Token": "${REDACTED}", "user": "ana", "sessionToken":"${REDACTED}`,
    );
  });

  it('replaces a token id that is a bearer value by its sha256 and keeps a plain id', () => {
    expect(safeTokenId(JWT)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(safeTokenId(`Bearer ${'x'.repeat(10)}`)).toMatch(/^sha256:/);
    expect(safeTokenId('AT.q1W2e3R4t5Y6u7I8o9P0')).toBe('AT.q1W2e3R4t5Y6u7I8o9P0');
  });
});
