// Secrets in records of every shape the scrubber must know: imported with --keep-raw, rejected and --strict, and
// looked for in the bytes of the store and the rejects files, so a secret kept anywhere fails the test.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile, type FileImportResult, type ImportOptions } from '../../src/logs/import.ts';
import { Store } from '../../src/store/store.ts';
import { tempDir } from './helpers.ts';

interface Imported {
  result: FileImportResult;
  raw: string[];
  rejects: Array<{ line: number; reason: string; text: string }>;
  /** every byte of the store and the rejects files */
  bytes: Buffer;
}

async function importLines(lines: string[], options: Partial<ImportOptions>): Promise<Imported> {
  const dir = tempDir('sg-secrets-');
  const file = join(dir, 'input.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const storePath = join(dir, 'audit.duckdb');
  const store = await Store.open(storePath);
  let result: FileImportResult;
  let raw: string[];
  try {
    result = await importFile(store, file, { tenant: 'globex', keepRaw: true, rejectsDir: join(dir, 'rejects'), ...options });
    const reader = await store.connection.runAndReadAll('SELECT raw::VARCHAR AS raw FROM events ORDER BY source_line');
    raw = (reader.getRowObjectsJS() as Array<{ raw: string }>).map((row) => row.raw);
    await store.checkpoint();
  } finally {
    store.close();
  }
  const rejectsFiles = result.rejectsFile ? [result.rejectsFile] : [];
  const rejects = rejectsFiles.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((text) => JSON.parse(text) as Imported['rejects'][number]));
  const bytes = Buffer.concat([...readdirSync(dir).filter((name) => name.startsWith('audit.duckdb')).map((name) => readFileSync(join(dir, name))), ...rejectsFiles.map((f) => readFileSync(f))]);
  return { result, raw, rejects, bytes };
}

function expectNowhere(imported: Imported, secrets: string[]): void {
  const everything = JSON.stringify([imported.raw, imported.rejects]);
  for (const secret of secrets) {
    expect(everything.includes(secret), `${secret} in raw or rejects`).toBe(false);
    expect(imported.bytes.includes(Buffer.from(secret)), `${secret} in the store or rejects bytes`).toBe(false);
  }
}

describe('keycloak credential representations', () => {
  /** A Keycloak admin event on a user of realm globex, as the admin-events API returns it. */
  const userEvent = (id: string, time: number, operationType: string, resourcePath: string, representation: object) => ({
    id,
    time,
    realmId: 'globex',
    authDetails: { userId: 'u1' },
    operationType,
    resourceType: 'USER',
    resourcePath,
    representation: JSON.stringify(representation),
  });
  const resetPassword = userEvent('a2', 1791885600001, 'ACTION', 'users/123/reset-password', { type: 'password', value: 'ResetPass99', temporary: true });
  const createUser = userEvent('a3', 1791885600002, 'CREATE', 'users/124', {
    username: 'ana',
    enabled: true,
    credentials: [{ type: 'password', value: 'CreatePass77', temporary: false }],
  });
  const storedCredential = userEvent('a4', 1791885600003, 'UPDATE', 'users/125/credentials/c9', {
    id: 'c9',
    type: 'otp',
    userLabel: 'phone',
    secretData: '{"value":"OTPSEEDSECRET1"}',
    credentialData: '{"subType":"totp","digits":6}',
  });

  it('keeps no password of a reset-password action or a created user in the raw record (--keep-raw)', async () => {
    const imported = await importLines([resetPassword, createUser, storedCredential].map((r) => JSON.stringify(r)), { provider: 'keycloak' });
    expect(imported.result).toMatchObject({ imported: 3, rejected: 0 });
    expectNowhere(imported, ['ResetPass99', 'CreatePass77', 'OTPSEEDSECRET1']);
    // what is no secret stays readable
    expect(JSON.parse(JSON.parse(imported.raw[0]!).representation)).toEqual({ type: 'password', value: '[REDACTED]', temporary: true });
    expect(JSON.parse(JSON.parse(imported.raw[1]!).representation)).toEqual({ username: 'ana', enabled: true, credentials: '[REDACTED]' });
    expect(JSON.parse(JSON.parse(imported.raw[2]!).representation)).toEqual({ id: 'c9', type: 'otp', userLabel: 'phone', secretData: '[REDACTED]', credentialData: '[REDACTED]' });
  });

  it('keeps no password out of the rejects file when the record cannot be stored (an unreadable time)', async () => {
    const lines = [{ ...resetPassword, time: 'yesterday' }, { ...createUser, time: 'soon' }].map((r) => JSON.stringify(r));
    // and a record cut short, whose representation is escaped JSON text inside a string
    lines.push(JSON.stringify(resetPassword).slice(0, -30));
    const imported = await importLines(lines, { provider: 'keycloak' });
    expect(imported.result).toMatchObject({ imported: 0, rejected: 3 });
    expect(imported.rejects.map((r) => r.reason)).toEqual(['unreadable time "yesterday"', 'unreadable time "soon"', expect.stringMatching(/^invalid JSON/)]);
    expectNowhere(imported, ['ResetPass99', 'CreatePass77']);
  });
});

describe('secret header, field and parameter names', () => {
  it('redacts x-auth-token, x-vault-token, private-token and keys ending in secret, password or passphrase; keeps token ids, types and key ids', async () => {
    const gatewayRecord = {
      time: '2026-11-10T10:00:00Z',
      request_id: 'g1',
      method: 'GET',
      path: '/cas/validate?service=https%3A%2F%2Fapp&ticket=ST-1-CASTICKET123',
      status: 200,
      client_id: 'c1',
      request: { headers: { 'x-auth-token': 'XAUTHTOKEN1', 'x-vault-token': 'hvs.VAULTTOKEN2', 'private-token': 'glpat-PRIVATETOKEN3', 'user-agent': 'curl/8' } },
      config: { secretKey: 'SECRETKEY4', api_secret: 'APISECRET5', db_password: 'DBPASSWORD6', passphrase: 'PASSPHRASE7' },
      token: { tokenId: 'tid-1', token_type: 'Bearer', tokenType: 'access', grantType: 'client_credentials', keyId: 'kid-1', clientId: 'c1', scope: 'read.orders' },
    };
    const imported = await importLines([JSON.stringify(gatewayRecord)], { provider: 'gateway' });
    expectNowhere(imported, ['XAUTHTOKEN1', 'VAULTTOKEN2', 'PRIVATETOKEN3', 'SECRETKEY4', 'APISECRET5', 'DBPASSWORD6', 'PASSPHRASE7', 'CASTICKET123']);
    const raw = JSON.parse(imported.raw[0]!) as typeof gatewayRecord;
    expect(raw.request.headers['user-agent']).toBe('curl/8');
    expect(raw.token).toEqual(gatewayRecord.token);
  });

  it("redacts Okta's stateToken, recoveryToken and activationToken in the stored request path", async () => {
    const okta = (uuid: string, requestUri: string): string =>
      JSON.stringify({ uuid, published: '2026-11-10T10:02:00Z', eventType: 'user.authentication.sso', actor: { id: 'u1', type: 'User' }, outcome: { result: 'SUCCESS' }, debugContext: { debugData: { requestUri } } });
    const imported = await importLines(
      [
        okta('o1', '/api/v1/authn/factors/abc/verify?stateToken=00STATETOKEN1&rememberDevice=false'),
        okta('o2', '/signin/reset-password/x?recoveryToken=RECOVERYTOKEN2'),
        okta('o3', '/welcome/activate?activationToken=ACTIVATIONTOKEN3&page=1'),
      ],
      { provider: 'okta' },
    );
    expect(imported.result).toMatchObject({ imported: 3 });
    expectNowhere(imported, ['STATETOKEN1', 'RECOVERYTOKEN2', 'ACTIVATIONTOKEN3']);
  });
});

describe('rejects of lines that are not JSON', () => {
  // a first line that is a record, so the file reads as NDJSON (a lone broken line could be a pretty-printed page)
  const valid = JSON.stringify({ time: '2026-11-10T10:00:00Z', request_id: 'ok', method: 'GET', path: '/v1/x', status: 200 });
  it('redacts secret keys in Python repr, with numbers, lists and bare words as values', async () => {
    const lines = [
      "{'client_secret': 'PYREPRSECRET42', 'refresh_token': 'RTOKENPYREPR99', 'user': 'ana'}",
      '{"time": "2026-11-10", "password" : 123456789, "user": "bo"',
      '{"time": "2026-11-10", "otp": 424242,',
      '{"time": "2026-11-10", "token": ["ARRTOKEN77"],',
    ];
    const imported = await importLines([valid, ...lines], { provider: 'gateway', keepRaw: false });
    expect(imported.result).toMatchObject({ imported: 1, rejected: 4 });
    expectNowhere(imported, ['PYREPRSECRET42', 'RTOKENPYREPR99', '123456789', '424242', 'ARRTOKEN77']);
    // the rest of each line is there to find the problem by
    expect(imported.rejects.map((r) => r.text)).toEqual([
      "{'client_secret': '[REDACTED]', 'refresh_token': '[REDACTED]', 'user': 'ana'}",
      '{"time": "2026-11-10", "password" : [REDACTED], "user": "bo"',
      '{"time": "2026-11-10", "otp": [REDACTED],',
      '{"time": "2026-11-10", "token": [REDACTED],',
    ]);
  });

  it("leaves out the input V8 quotes in JSON.parse's message, in the rejects file and with --strict", async () => {
    const line = '{"password": hunter2SECRET}';
    const imported = await importLines([valid, line], { provider: 'gateway', keepRaw: false });
    expectNowhere(imported, ['hunter2', 'SECRET']);
    expect(imported.rejects).toEqual([{ line: 2, reason: "invalid JSON: Unexpected token 'h' in JSON at position 13", text: '{"password": [REDACTED]}' }]);

    const longer = '{"user": "ana", "password": hunter2SECRET, "more": 1}';
    const strict = importLines([valid, longer], { provider: 'gateway', keepRaw: false, strict: true });
    await expect(strict).rejects.toThrow(/:2: invalid JSON: Unexpected token 'h' in JSON at position 28$/);
    await strict.catch((error: Error) => expect(error.message).not.toMatch(/hunter|SECRET|assword/));
  });
});
