// The real bin, spawned on real folders: exit codes and what a user reads.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function scopeguard(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/scopeguard.js', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function registryWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-validate-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const VALID = {
  'scopes.yaml': 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.orders: {description: Read orders, owner: team-orders}\n',
  'clients.yaml': 'kind: ClientSet\ntenant: acme\nclients:\n  shop: {clientId: 0oa1, type: public, scopes: [read.orders]}\n',
};

describe('scopeguard validate', () => {
  it('exits 0 on the example registry with a one-line summary', () => {
    const result = scopeguard('validate');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('valid: 2 tenants, 32 scopes, 21 clients, 6 files\n');
    expect(result.stderr).toBe('');
  });

  it('exits 0 on a small registry, and gives the summary as JSON', () => {
    const dir = registryWith(VALID);
    expect(scopeguard('validate', '--registry', dir).stdout).toBe('valid: 1 tenant, 1 scope, 1 client, 2 files\n');
    const json = scopeguard('validate', '--registry', dir, '--format', 'json');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ valid: true, summary: { tenants: 1, scopes: 1, clients: 1, files: 2 } });
  });

  it('exits 2 listing every problem as file:line:column  message  (hint)', () => {
    const dir = registryWith({
      ...VALID,
      'clients.yaml': 'kind: ClientSet\ntenant: acme\nclients:\n  shop: {clientId: 0oa1, type: pubic, scopes: [read.ordrs]}\n',
      'extra.yaml': 'kind: ScopeSet\ntenant: acme\nscopes:\n  write.orders:\n    descriptio: Write orders\n',
    });
    const result = scopeguard('validate', '--registry', dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      `${dir}/clients.yaml:4:32  clients.shop.type has the invalid value "pubic"  (did you mean "public"? one of: confidential, public, machine)`,
      `${dir}/extra.yaml:5:5  unknown key "descriptio" in scopes."write.orders"  (did you mean "description"? allowed: description, sensitivity, owner, status, deprecatedSince, replacedBy, implies)`,
      `2 problems in ${dir}`,
    ]);
  });

  it('refuses a list or mapping used as a key, at its position, without a warning from Node', () => {
    const dir = registryWith({
      ...VALID,
      'extra.yaml': 'kind: ScopeSet\ntenant: acme\nscopes:\n  ? [read.a, read.b]\n  : description: Both at once\n',
    });
    const result = scopeguard('validate', '--registry', dir);
    expect(result.status).toBe(2);
    // the yaml library would have named the scope "[ read.a, read.b ]" and printed a process warning
    expect(result.stderr).toBe('');
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${dir}/extra.yaml:4:5  a key must be text, not a list  (write each name as its own key (e.g. \`read.data:\`); \`? [a, b]\` and \`? {a: b}\` keys are not supported)`,
      `1 problem in ${dir}`,
    ]);
  });

  it('an unclosed quote is one problem where it opens, not two past the end of the file', () => {
    const dir = registryWith({ ...VALID, 'extra.yaml': 'kind: ScopeSet\ntenant: acme\nscopes:\n  x: {description: "unterminated}\n' });
    const result = scopeguard('validate', '--registry', dir);
    expect(result.status).toBe(2);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${dir}/extra.yaml:4:20  malformed YAML: a " quote is never closed  (close the quote: add the closing " where the text should end; as written, it takes in the } meant for the { at line 4)`,
      `1 problem in ${dir}`,
    ]);
  });

  it('names a file that is not UTF-8 (UTF-16 from an editor, Latin-1) instead of misreading its content', () => {
    const dir = registryWith(VALID);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kind: ScopeSet\ntenant: acme\nscopes: {}\n', 'utf16le')]);
    writeFileSync(join(dir, 'utf16.yaml'), utf16);
    writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('kind: ScopeSet\ntenant: acme\nscopes:\n  read.caf\u00e9: {description: Coffee}\n', 'latin1'));
    const result = scopeguard('validate', '--registry', dir);
    expect(result.status).toBe(2);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${dir}/latin1.yaml:4:11  the file is not valid UTF-8 here (saved as Latin-1 or another encoding?)  (save the file as UTF-8)`,
      `${dir}/utf16.yaml:1:1  the file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8  (save the file as UTF-8)`,
      `2 problems in ${dir}`,
    ]);
  });

  it('refuses a tenant name that is not a plain name, before a report could write outside its folder', () => {
    const dir = registryWith({
      'scopes.yaml': 'kind: ScopeSet\ntenant: ../escaped\nscopes:\n  read.orders: {description: Read orders, owner: team-orders}\n',
    });
    const out = join(dir, 'reports');
    const result = scopeguard('report', '--registry', dir, '--out', out, '--format', 'md,json', '--now', '2026-11-25');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `${dir}/scopes.yaml:2:9  tenant "../escaped" is not a valid tenant name  (a tenant is named with letters, digits, ".", "_" and "-", starting with a letter or digit, e.g. acme-eu: it names a folder of reports, beside their index.md (so not index.md itself))\nscopeguard: 1 problem in the registry\n`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'escaped'))).toBe(false);
  });

  it('reports cross-reference problems once the schema is satisfied', () => {
    const dir = registryWith({
      ...VALID,
      'clients.yaml': 'kind: ClientSet\ntenant: acme\nclients:\n  shop: {clientId: 0oa1, type: public, scopes: [read.ordrs]}\n',
    });
    const result = scopeguard('validate', '--registry', dir);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain(`${dir}/clients.yaml:4:49  client "shop" is granted the unknown scope "read.ordrs"  (did you mean "read.orders"?)`);
  });

  it('shows what YAML escapes smuggle into a problem line as U+FFFD: no colour, no reordering, no forged problem line', () => {
    // written as a user would, with YAML's own escapes: an ANSI colour, a right-to-left override, a newline followed by
    // a line that a CI problem matcher would read as a problem of another file; beside them names in é and 日本
    const dir = registryWith({
      ...VALID,
      'clients.yaml': [
        'kind: ClientSet',
        'tenant: acme',
        'clients:',
        '  shop:',
        '    clientId: 0oa1',
        '    type: public',
        '    scopes: ["read.\\u001b[31mred\\u202eevil", "read.x\\nscopes/evil.yaml:1:1  forged problem", "read.caf\\u00e9.\\u65e5\\u672c"]',
        '',
      ].join('\n'),
    });
    const result = scopeguard('validate', '--registry', dir);
    expect(result.status).toBe(2);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${dir}/clients.yaml:7:14  client "shop" is granted the unknown scope "read.\uFFFD[31mred\uFFFDevil"  (define it in a ScopeSet of tenant "acme")`,
      `${dir}/clients.yaml:7:46  client "shop" is granted the unknown scope "read.x\uFFFDscopes/evil.yaml:1:1  forged problem"  (define it in a ScopeSet of tenant "acme")`,
      `${dir}/clients.yaml:7:94  client "shop" is granted the unknown scope "read.café.日本"  (define it in a ScopeSet of tenant "acme")`,
      `3 problems in ${dir}`,
    ]);
  });

  it('gives the same problems as JSON with --format json', () => {
    const dir = registryWith({ ...VALID, 'bad.yaml': 'kind: ScopeSet\ntenant: acme\nscopes:\n  a: {}\n  a: {}\n' });
    const result = scopeguard('validate', '--registry', dir, '--format', 'json');
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      problems: [
        {
          file: `${dir}/bad.yaml`,
          line: 5,
          column: 3,
          code: 'duplicate-key',
          message: 'duplicate key "a"',
          hint: 'a key may appear once per mapping; merge the two entries',
        },
      ],
    });
  });

  it('prints paths relative to the working directory when the registry is inside it', () => {
    const result = scopeguard('validate', '--registry', 'test/fixtures/registry/unknown-kind');
    expect(result.status).toBe(2);
    expect(result.stdout.split('\n')[0]).toBe(
      'test/fixtures/registry/unknown-kind/registry.yaml:6:7  unknown kind "ClientSets"  (did you mean "ClientSet"? kinds: Config, ScopeSet, ActionMap, ClientSet, ExceptionSet)',
    );
  });

  it('refuses hostile YAML with a clear message and no stack trace', () => {
    for (const fixture of ['hostile-aliases', 'hostile-nesting', 'hostile-documents']) {
      const result = scopeguard('validate', '--registry', `test/fixtures/registry/${fixture}`);
      expect(result.status, fixture).toBe(2);
      expect(result.stdout.split('\n')).toHaveLength(3); // one problem, the count, the final newline
      expect(result.stdout).toMatch(/alias|nesting deeper than 64|more than 10000 YAML documents/);
      expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+\)/);
    }
  });

  it('an unknown --format is a usage error (exit 2)', () => {
    const result = scopeguard('validate', '--format', 'xml');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown --format "xml"');
    expect(result.stdout).toBe('');
  });

  it('a registry folder that does not exist is a clear error (exit 2), in text and in JSON', () => {
    const missing = join(tmpdir(), 'sg-no-such-registry');
    const text = scopeguard('validate', '--registry', missing);
    expect(text.status).toBe(2);
    expect(text.stderr).toBe(
      `scopeguard: registry folder "${missing}" does not exist\n  hint: pass --registry DIR with the folder holding your scope YAML files (default: scopes)\n`,
    );
    const json = scopeguard('validate', '--registry', missing, '--format', 'json');
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, error: `registry folder "${missing}" does not exist` });
  });

  it('checks a copy of the example registry with one planted typo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-example-'));
    cpSync('scopes', dir, { recursive: true });
    writeFileSync(join(dir, 'acme', 'exceptions.yaml'), 'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - {rule: SG301, subject: "client:checkout-servce", reason: r, expires: 2027-01-01}\n');
    const result = scopeguard('validate', '--registry', dir);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain(`${dir}/acme/exceptions.yaml:4:28  exception for SG301 names the unknown client "checkout-servce"  (did you mean "checkout-service"?)`);
  });
});
