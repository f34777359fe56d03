import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretKey, safeTokenId, scrubReason, scrubString, scrubText, scrubValue } from '../../src/logs/scrub.ts';

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

  it("redacts a credential's value by its type and anything under credentials (Keycloak's CredentialRepresentation)", () => {
    expect(scrubValue({ type: 'password', value: 'ResetPass99', temporary: true })).toEqual({ type: 'password', value: REDACTED, temporary: true });
    expect(scrubValue({ Type: 'totp', Value: 123456 })).toEqual({ Type: 'totp', Value: REDACTED });
    expect(scrubValue({ username: 'ana', credentials: [{ type: 'password', value: 'pw', temporary: false }] })).toEqual({ username: 'ana', credentials: REDACTED });
    expect(scrubValue({ id: 'c1', type: 'otp', secretData: '{"value":"seed"}', credentialData: '{"digits":6}', hashedSaltedValue: 'h' })).toEqual({
      id: 'c1',
      type: 'otp',
      secretData: REDACTED,
      credentialData: REDACTED,
      hashedSaltedValue: REDACTED,
    });
    // a header list names the secret by key as well as by name; SCIM's typed values are no credentials
    expect(scrubValue([{ Key: 'X-Auth-Token', Value: 'hdr' }, { type: 'work', value: 'ana@example.com' }])).toEqual([{ Key: 'X-Auth-Token', Value: REDACTED }, { type: 'work', value: 'ana@example.com' }]);
    // a list under a secret key: every item, not only what looks like a token
    expect(scrubValue({ token: ['ARRTOKEN77', { jti: 'j1' }], otp: 424242, password: null, refresh_token: false })).toEqual({ token: [REDACTED, { jti: 'j1' }], otp: REDACTED, password: null, refresh_token: false });
  });

  it('takes a key for a secret by its last word, and leaves what only names something about one', () => {
    const secrets = ['x-auth-token', 'X-Vault-Token', 'private-token', 'secretKey', 'api_secret', 'db_password', 'passphrase', 'stateToken', 'recoveryToken', 'activationToken', 'x-api-key', 'Ocp-Apim-Subscription-Key', 'aws_secret_access_key', 'Proxy-Authorization', 'set-cookie', 'client.secret', 'hub.verify_token', 'saml.signing.private.key', 'secretData'];
    for (const key of secrets) expect(isSecretKey(key), key).toBe(true);
    const plain = ['tokenId', 'token_id', 'token_type', 'tokenType', 'token_type_hint', 'grantType', 'grant_type', 'keyId', 'clientId', 'client_id', 'scope', 'tokenCount', 'expires_in', 'publicKey', 'idempotency-key', 'nextPageToken', 'NextToken', 'hashed_token', 'refresh_token_id', 'client.secret.rotated', 'client_secret_expires_at', 'passwordPolicy', 'key', 'value', 'type'];
    for (const key of plain) expect(isSecretKey(key), key).toBe(false);
    expect(scrubString('/cas/serviceValidate?service=https%3A%2F%2Fapp&ticket=ST-1-abc')).toBe(`/cas/serviceValidate?service=https%3A%2F%2Fapp&ticket=${REDACTED}`);
    expect(scrubString('/login?stateToken=00abc&recoveryToken=r1&activationToken=a1&fromURI=%2Fapp')).toBe(`/login?stateToken=${REDACTED}&recoveryToken=${REDACTED}&activationToken=${REDACTED}&fromURI=%2Fapp`);
    expect(scrubString('/v1/list?pageToken=p2&token_type_hint=refresh_token')).toBe('/v1/list?pageToken=p2&token_type_hint=refresh_token');
  });

  it("redacts the implicit flow's fragment", () => {
    expect(scrubString('/cb#access_token=abc123XYZ&token_type=Bearer&state=s1')).toBe(`/cb#access_token=${REDACTED}&token_type=Bearer&state=s1`);
    expect(scrubString('https://app.example/cb#id_token=opaque-id-1&state=s1')).toBe(`https://app.example/cb#id_token=${REDACTED}&state=s1`);
    expect(scrubString('/docs#section=2')).toBe('/docs#section=2');
  });

  it('redacts by key in text that is not JSON: Python repr, bare numbers and words, lists, JavaScript keys, cut anywhere', () => {
    expect(scrubText("{'client_secret': 'PYREPRSECRET42', 'refresh_token': 'RTOKEN1', 'user': 'ana'}")).toBe(`{'client_secret': '${REDACTED}', 'refresh_token': '${REDACTED}', 'user': 'ana'}`);
    expect(scrubText('{"password" : 123456789, "otp": 424242, "token": ["ARRTOKEN77", "B"], "n": 1}')).toBe(`{"password" : ${REDACTED}, "otp": ${REDACTED}, "token": ${REDACTED}, "n": 1}`);
    expect(scrubText('{"password": hunter2SECRET}')).toBe(`{"password": ${REDACTED}}`);
    expect(scrubText("{password: 'js', user: 'ana', secret: true}")).toBe(`{password: '${REDACTED}', user: 'ana', secret: true}`);
    expect(scrubText('{"credentials": [{"type": "password", "value": "pw"}], "user": "ana"')).toBe(`{"credentials": ${REDACTED}, "user": "ana"`);
    expect(scrubText('{"headers": [{"name": "X-Auth-Token", "value": "hdr"}, {"name": "Accept", "value": "*/*"}')).toBe(
      `{"headers": [{"name": "X-Auth-Token", "value": "${REDACTED}"}, {"name": "Accept", "value": "*/*"}`,
    );
    // a JSON document escaped in a string of a record cut short, and Python's repr in a JSON string
    expect(scrubText('{"representation":"{\\"type\\":\\"password\\",\\"value\\":\\"ResetPass99\\"}","time":"x')).toBe(
      `{"representation":"{\\"type\\":\\"password\\",\\"value\\":\\"${REDACTED}\\"}","time":"x`,
    );
    expect(scrubText(`{"msg": "{'password': 'inner'}", "n": 1`)).toBe(`{"msg": "{'password': '${REDACTED}'}", "n": 1`);
    expect(scrubText('"password" => "ruby"')).toBe(`"password" => "${REDACTED}"`);
    // text without a secret key stays byte for byte: values like times, apostrophes, lists of non-secrets
    for (const text of ['{"time": "10:00:00", "ok": true, "scopes": ["a", "b"]', "it's {'user': 'ana', 'n': 1, 'token_type': 'Bearer'}", '[draft] rotate the key', '{ "clientId": "billing", "password": null ']) {
      expect(scrubText(text)).toBe(text);
    }
  });

  it("leaves out the input that V8 quotes in a JSON.parse error, giving its position instead", () => {
    const reasonFor = (text: string): string => {
      try {
        JSON.parse(text);
      } catch (error) {
        return `invalid JSON: ${(error as Error).message}`;
      }
      throw new Error('parsed');
    };
    const text = '{"user": "ana", "password": hunter2SECRET, "n": 1}';
    expect(reasonFor(text)).toContain('hunter2');
    expect(scrubReason(reasonFor(text), text)).toBe(`invalid JSON: Unexpected token 'h' in JSON at position ${text.indexOf('hunter2')}`);
    expect(scrubReason(reasonFor('hunter2SECRET'), 'hunter2SECRET')).toBe("invalid JSON: Unexpected token 'h'");
    expect(scrubReason(reasonFor(text))).toBe("invalid JSON: Unexpected token 'h'");
    expect(scrubReason('invalid JSON: "{"password": pw1" is not valid JSON')).toBe('invalid JSON: not valid JSON');
    // messages that quote nothing are kept, and scrubbed like text
    expect(scrubReason(reasonFor('{"a": 1} x'), '{"a": 1} x')).toBe(reasonFor('{"a": 1} x'));
    expect(scrubReason('unreadable time {"password":"pw1"}')).toBe(`unreadable time {"password":"${REDACTED}"}`);
  });

  it('replaces a token id that is a bearer value by its sha256 and keeps a plain id', () => {
    expect(safeTokenId(JWT)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(safeTokenId(`Bearer ${'x'.repeat(10)}`)).toMatch(/^sha256:/);
    expect(safeTokenId('AT.q1W2e3R4t5Y6u7I8o9P0')).toBe('AT.q1W2e3R4t5Y6u7I8o9P0');
  });
});
