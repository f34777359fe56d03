import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError, InputError, type Problem } from '../../src/errors.ts';
import { collectRegistryProblems, loadRegistry, loadRegistryFromSources, resolveConfig } from '../../src/registry/load.ts';

const FIXTURES = 'test/fixtures/registry';

async function problemsOf(dir: string): Promise<Problem[]> {
  try {
    await loadRegistry(dir);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${dir} to be invalid`);
}

/** `file:line:column code` for compact, exact comparison. */
const at = (p: Problem) => `${p.file.split('/').pop()}:${p.line}:${p.column} ${p.code}`;

describe('loadRegistry: each error class from a real file, with its position', () => {
  it('malformed YAML, with a hint for {param} inside a flow list', async () => {
    const problems = await problemsOf(`${FIXTURES}/malformed-yaml`);
    // the unclosed quote where it opens, not past the end of the file where the parser gave up
    expect(problems.map(at)).toEqual(['actions.yaml:4:50 yaml', 'scopes.yaml:5:18 yaml']);
    expect(problems[0]!.file).toBe(`${FIXTURES}/malformed-yaml/actions.yaml`);
    expect(problems[0]!.hint).toContain('quote patterns with {param}');
    expect(`${problems[1]!.message} (${problems[1]!.hint})`).toBe(
      'malformed YAML: a " quote is never closed (close the quote: add the closing " where the text should end; as written, it takes in everything to the end of the file)',
    );
  });

  describe('an unclosed bracket or quote: one problem where it opens, with how to close it', () => {
    const scopeSet = (line: string) => `kind: ScopeSet\ntenant: acme\nscopes:\n${line}\n`;
    it.each([
      [
        'a quote inside a flow mapping, on the last line',
        '  x: {description: "unterminated}',
        '4:20 malformed YAML: a " quote is never closed (close the quote: add the closing " where the text should end; as written, it takes in the } meant for the { at line 4)',
      ],
      [
        'a flow mapping',
        '  x: {description: d',
        '4:6 malformed YAML: a { is never closed with } (close the { opened at line 4 with a }; a { } spread over several lines needs every line after the first indented more than its key)',
      ],
      [
        'a flow list closed by the wrong bracket, inside a flow mapping',
        '  x: {description: d, implies: [read.a}\n  y: {}',
        '4:32 malformed YAML: a [ is never closed with ] (close the [ opened at line 4 with a ]; a [ ] spread over several lines needs every line after the first indented more than its key)',
      ],
      [
        'a flow mapping whose next line is not indented enough',
        '  x: {description: d,\n  owner: o}',
        '4:6 malformed YAML: a { is never closed with } (close the { opened at line 4 with a }; a { } spread over several lines needs every line after the first indented more than its key)',
      ],
    ])('%s', async (_, line, expected) => {
      const dir = mkdtempSync(join(tmpdir(), 'sg-unclosed-'));
      writeFileSync(join(dir, 'scopes.yaml'), scopeSet(line));
      expect((await problemsOf(dir)).map((p) => `${p.line}:${p.column} ${p.message} (${p.hint})`)).toEqual([expected]);
    });
  });

  it('duplicate keys', async () => {
    const problems = await problemsOf(`${FIXTURES}/duplicate-key`);
    expect(problems.map(at)).toEqual(['scopes.yaml:9:3 duplicate-key']);
    expect(problems[0]!.message).toBe('duplicate key "read.orders"');
  });

  it('a tab used for indentation, with a hint', () => {
    const text = 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.orders:\n\tdescription: Read orders\n';
    const { problems } = collectRegistryProblems('scopes', [{ path: 'scopes/tabs.yaml', content: text }]);
    expect(problems.map((p) => `${at(p)} ${p.message} (${p.hint})`)).toEqual([
      'tabs.yaml:5:1 yaml malformed YAML: Tabs are not allowed as indentation (indent with spaces: YAML does not allow tabs for indentation)',
    ]);
  });

  it('a list or mapping as a key, also through an alias', () => {
    const text = [
      'kind: ScopeSet',
      'tenant: acme',
      'scopes:',
      '  ? {read: orders}',
      '  : description: Read orders',
      '---',
      'kind: ClientSet',
      'tenant: acme',
      'clients:',
      '  web: {clientId: 0oa1, type: public, scopes: &held [read.orders]}',
      '  *held : {clientId: 0oa2, type: public, scopes: []}',
      '',
    ].join('\n');
    const { registry, problems } = collectRegistryProblems('scopes', [{ path: 'scopes/odd-keys.yaml', content: text }]);
    expect(registry).toBeUndefined();
    expect(problems.map((p) => `${at(p)} ${p.message}`)).toEqual([
      'odd-keys.yaml:4:5 yaml a key must be text, not a mapping',
      'odd-keys.yaml:11:3 yaml a key must be text, not a list',
    ]);
  });

  it('tenant names: in documents and as keys of the config\'s sources', () => {
    const text = [
      'kind: ScopeSet',
      'tenant: acme/eu',
      'scopes: {}',
      '---',
      'kind: Config',
      'sources:',
      '  acme: []',
      '  "globex corp": []',
      `  ${'x'.repeat(70)}: []`,
      '  INDEX.md: []',
      '---',
      'kind: ClientSet',
      'tenant: index.md',
      'clients: {}',
      '',
    ].join('\n');
    const { problems } = collectRegistryProblems('scopes', [{ path: 'scopes/tenants.yaml', content: text }]);
    expect(problems.map((p) => `${at(p)} ${p.message}`)).toEqual([
      'tenants.yaml:2:9 schema tenant "acme/eu" is not a valid tenant name',
      'tenants.yaml:8:3 schema the key "globex corp" in sources is not a valid tenant name',
      `tenants.yaml:9:3 schema the key "${'x'.repeat(40)}…" in sources is longer than 64 characters`,
      // the reports' own index: a tenant folder of that name would take its place
      'tenants.yaml:10:3 schema the key "INDEX.md" in sources is not a valid tenant name',
      'tenants.yaml:13:9 schema tenant "index.md" is not a valid tenant name',
    ]);
    expect(problems[0]!.hint).toMatch(/^a tenant is named with letters, digits/);
  });

  it('a second exception for the same rule and subject in a tenant is a problem at it, pointing at the first', () => {
    const text = [
      'kind: ScopeSet', 'tenant: acme', 'scopes:', '  read.a: {description: A, owner: t}', '---',
      'kind: ExceptionSet', 'tenant: acme', 'exceptions:',
      '  - {rule: SG104, subject: "scope:read.a", reason: x, expires: 2026-12-31}',
      '  - {rule: SG104, subject: " scope:read.a", reason: y, expires: 2099-12-31}',
      '  - {rule: SG101, subject: "scope:read.a", reason: z, expires: 2026-12-31}',
      '',
    ].join('\n');
    const { problems } = collectRegistryProblems('scopes', [{ path: 'scopes/x.yaml', content: text }]);
    expect(problems.map((p) => `${at(p)} ${p.message} (${p.hint})`)).toEqual([
      'x.yaml:10:5 duplicate-key a second exception for SG104 on scope:read.a in tenant "acme" (the first is at scopes/x.yaml:9:5; keep one)',
    ]);
  });

  it('rules.SG107.maxHolders is checked like the threshold it overrides (a quoted number or null turned the check off)', () => {
    const { problems } = collectRegistryProblems('scopes', [{ path: 'scopes/scopeguard.yaml', content: 'kind: Config\nrules:\n  SG107: {maxHolders: "2"}\n' }]);
    expect(problems.map((p) => `${at(p)} ${p.message}`)).toEqual(['scopeguard.yaml:3:23 schema rules.SG107.maxHolders must be a whole number, not the text "2"']);
  });

  it('wrong types, enum values, unknown keys, bad dates and missing required keys', async () => {
    const problems = await problemsOf(`${FIXTURES}/schema-errors`);
    expect(problems.map((p) => `${at(p)} ${p.message}${p.hint ? ` (${p.hint})` : ''}`)).toEqual([
      'registry.yaml:6:18 schema scopes."read.orders".sensitivity has the invalid value "hgih" (did you mean "high"? one of: low, medium, high, critical)',
      'registry.yaml:8:14 schema scopes."read.orders".implies must be a list, not the text "read.data" (write a list: [read.data], or one "- item" per line)',
      'registry.yaml:10:5 unknown-key unknown key "descripton" in scopes."read.data" (did you mean "description"? allowed: description, sensitivity, owner, status, deprecatedSince, replacedBy, implies)',
      'registry.yaml:11:22 schema scopes."read.data".deprecatedSince must be a date, not the text "15.01.2026" (write a calendar date as YYYY-MM-DD, e.g. 2027-01-31)',
      'registry.yaml:16:3 schema clients.web-shop is missing the required key "clientId" (add "clientId:")',
      'registry.yaml:21:1 schema ExceptionSet is missing the required key "tenant" (add "tenant:")',
      'registry.yaml:25:13 schema exceptions[0].reason must be text, not the number 42 (put the value in quotes, so YAML keeps it as text as written)',
    ]);
  });

  it('a value of the wrong type comes with how to write the expected one', () => {
    const text = 'kind: ClientSet\ntenant: t\nclients:\n  x:\n    clientId: 0042\n    type: machine\n    scopes: read.a, read.b\n    justification: needed\n  y:\n    clientId: y1\n    type: machine\n    scopes:\n    justification:\n';
    const { problems } = collectRegistryProblems('scopes', [{ path: 'c.yaml', content: text }]);
    expect(problems.map((p) => `${at(p)} ${p.message} (${p.hint})`)).toEqual([
      'c.yaml:5:15 schema clients.x.clientId must be text, not the number 42 (put the value in quotes, so YAML keeps it as text as written)',
      'c.yaml:7:13 schema clients.x.scopes must be a list, not the text "read.a, read.b" (write a list: [read.a, read.b], or one "- item" per line)',
      'c.yaml:8:20 schema clients.x.justification must be a mapping, not the text "needed" (indent "key: value" lines under it)',
      'c.yaml:12:12 schema clients.y.scopes must be a list, not null (empty) (write [] for none, or the items as [a, b])',
      'c.yaml:13:19 schema clients.y.justification must be a mapping, not null (empty) (write {} for none, or indent "key: value" lines under it)',
    ]);
  });

  it('the usual slips of hand-written YAML come with what to do', () => {
    const scopes = (body: string) => `kind: ScopeSet\ntenant: acme\nscopes:\n${body}`;
    const { problems } = collectRegistryProblems('scopes', [
      { path: 'a.yaml', content: scopes('  read.data: description: Read data\n') },
      { path: 'b.yaml', content: scopes('  read.x: {description: x, owner: @team}\n') },
      { path: 'c.yaml', content: scopes('  read.y:\n    description: y\n   owner: t\n') },
      { path: 'd.yaml', content: scopes('  read.z: "z" more\n') },
      { path: 'e.yaml', content: 'kind: ClientSet\ntenant: acme\nclients:\n  spa: {clientId: s, type: public, scopes: *web}\n' },
    ]);
    expect(problems.map((p) => `${p.file}:${p.line} ${p.hint}`)).toEqual([
      'a.yaml:4 put text holding ": " in quotes (description: "Note: reads data"); a mapping as a value goes on the next lines, indented',
      'b.yaml:4 put a value starting with @, `, %, | or > in quotes, e.g. owner: "@team-data"',
      'c.yaml:6 indent the keys of one mapping by the same number of spaces, in line with the key above',
      'd.yaml:4 put the whole value in quotes: text after a closing quote or bracket is not part of it',
      'e.yaml:4 define &web on the value it stands for, above this line, or write the values out',
    ]);
    expect(problems.at(-1)).toMatchObject({ column: 44, message: 'malformed YAML: the alias *web names no anchor before it' });
  });

  it('a webhook URL without its scheme is named as such, and its secret path is not repeated', () => {
    const { problems } = collectRegistryProblems('scopes', [{ path: 'scopeguard.yaml', content: 'kind: Config\nalerts:\n  - {url: hooks.slack.com/services/T000/SECRETPATH, format: slack}\n' }]);
    expect(problems.map((p) => `${at(p)} ${p.message} (${p.hint})`)).toEqual([
      'scopeguard.yaml:3:11 schema alerts[0].url must be an http:// or https:// URL (write the whole URL with its scheme, e.g. https://hooks.slack.com/services/…)',
    ]);
  });

  it('a rule switched off as other linters write it gets the form scopeguard.yaml takes', () => {
    const { problems } = collectRegistryProblems('scopes', [{ path: 'scopeguard.yaml', content: 'kind: Config\nrules:\n  SG103: off\n  SG106: Info\n' }]);
    expect(problems.map((p) => `${at(p)} ${p.message} (${p.hint})`)).toEqual([
      'scopeguard.yaml:3:10 schema rules.SG103 must be a mapping, not the text "off" (write SG103: {severity: off})',
      'scopeguard.yaml:4:10 schema rules.SG106 must be a mapping, not the text "Info" (write SG106: {severity: info})',
    ]);
  });

  describe('every problem of a value comes with a hint that, followed, makes a valid file', () => {
    const actionMap = (actions: string) => `kind: ActionMap\ntenant: acme\nactions:\n${actions}\n`;
    const scopes = 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.orders: {description: Read orders}\n  write.orders: {description: Write orders}\n';
    const problemsWith = async (files: Record<string, string>) => {
      const dir = mkdtempSync(join(tmpdir(), 'sg-hints-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return { dir, problems: (await problemsOf(dir)).map((p) => `${at(p)} ${p.message} (${p.hint})`) };
    };

    it('action patterns written as text: each pattern one item, quoted where a [ ] list needs it', async () => {
      const actions = ['  read.orders: GET /v1/orders/{id}', '  write.orders: POST /v1/orders, PUT /v1/orders/{id}, * /v1/orders/**'].join('\n');
      const { problems } = await problemsWith({ 'scopes.yaml': scopes, 'actions.yaml': actionMap(actions) });
      expect(problems).toEqual([
        'actions.yaml:4:16 schema actions."read.orders" must be a list, not the text "GET /v1/orders/{id}" (write a list: ["GET /v1/orders/{id}"], or one "- item" per line)',
        'actions.yaml:5:17 schema actions."write.orders" must be a list, not the text "POST /v1/orders, PUT /v1/orders/{id}, * …" (write a list: [POST /v1/orders, "PUT /v1/orders/{id}", "* /v1/orders/**"], or one "- item" per line)',
      ]);
      // the lists the hints write, in place of the text
      const fixed = problems.map((problem) => /write a list: (\[.*\]), or/.exec(problem)![1]);
      const dir = mkdtempSync(join(tmpdir(), 'sg-hints-'));
      writeFileSync(join(dir, 'scopes.yaml'), scopes);
      writeFileSync(join(dir, 'actions.yaml'), actionMap(`  read.orders: ${fixed[0]}\n  write.orders: ${fixed[1]}`));
      const registry = await loadRegistry(dir);
      expect(Object.fromEntries(Object.entries(registry.tenants.acme!.actions).map(([scope, patterns]) => [scope, patterns.map((p) => p.pattern)]))).toEqual({
        'read.orders': ['GET /v1/orders/{id}'],
        'write.orders': ['POST /v1/orders', 'PUT /v1/orders/{id}', '* /v1/orders/**'],
      });
    });

    it('empty text, a list for one value, and null: written as nothing, or as a word YAML reads as null', async () => {
      const files = {
        'scopes.yaml': [
          'kind: ScopeSet',
          'tenant: acme',
          'scopes:',
          '  read.orders:',
          '    description: Read orders',
          '    owner: ""',
          '  read.legacy:',
          '    description: Old orders',
          '    status: deprecated',
          '    replacedBy: [read.orders]',
          '',
        ].join('\n'),
        'clients.yaml': [
          'kind: ClientSet',
          'tenant: acme',
          'clients:',
          '  a: {clientId: ~, type: public}',
          '  b:',
          '    clientId: Null',
          '    type: public',
          '  c:',
          '    clientId:',
          '    type: public',
          '  d: {clientId: d1, type: public, description: ~}',
          '---',
          'kind: ExceptionSet',
          'tenant: acme',
          'exceptions:',
          "  - {rule: SG301, subject: 'scope:read.orders', reason: '', expires: 2027-01-31}",
          '',
        ].join('\n'),
      };
      expect((await problemsWith(files)).problems).toEqual([
        'clients.yaml:4:17 schema clients.a.clientId must be text, not null: YAML reads ~ as null (put it in quotes to keep it as text: clientId: "~")',
        'clients.yaml:6:15 schema clients.b.clientId must be text, not null: YAML reads Null as null (put it in quotes to keep it as text: clientId: "Null")',
        'clients.yaml:9:14 schema clients.c.clientId must be text, not null (empty) (write the value after "clientId:")',
        'clients.yaml:11:48 schema clients.d.description must be text, not null: YAML reads ~ as null (put it in quotes to keep it as text: description: "~")',
        'clients.yaml:16:57 schema exceptions[0].reason must not be empty (write the reason between the quotes)',
        'scopes.yaml:6:12 schema scopes."read.orders".owner must not be empty (write the owner between the quotes, or leave out the "owner:" line)',
        'scopes.yaml:10:17 schema scopes."read.legacy".replacedBy must be text, not a list (write it as text, without [ ] or "- ", e.g. replacedBy: read.orders)',
      ]);
    });
    it('numbers out of range or in quotes, and text that is too long', async () => {
      const config = `kind: Config\nthresholds: {unusedScopeDays: 0, spikeFactor: 1, idleTokenDays: "30", denialBurst: many}\n`;
      const { problems } = await problemsWith({ 'scopeguard.yaml': config, 'scopes.yaml': scopes.replace('tenant: acme', `tenant: ${'a'.repeat(65)}`) });
      expect(problems).toEqual([
        'scopeguard.yaml:2:31 schema thresholds.unusedScopeDays must be at least 1, not the number 0 (write a number at least 1)',
        'scopeguard.yaml:2:47 schema thresholds.spikeFactor must be more than 1, not the number 1 (write a number more than 1)',
        'scopeguard.yaml:2:65 schema thresholds.idleTokenDays must be a whole number, not the text "30" (remove the quotes: a number in quotes is text)',
        'scopeguard.yaml:2:84 schema thresholds.denialBurst must be a whole number, not the text "many" (write a whole number, e.g. 30)',
        'scopes.yaml:2:9 schema tenant is longer than 64 characters (shorten it to 64 characters or fewer)',
      ]);
    });
  });

  it('a YAML 1.1 merge key is named as one, once, wherever it stands', () => {
    const text = [
      'kind: ScopeSet',
      'tenant: acme',
      'scopes:',
      '  <<: {read.z: {description: z, owner: t}}',
      '  read.a: &base',
      '    description: Read a',
      '    owner: team-a',
      '  read.b:',
      '    <<: *base',
      '    description: Read b',
      '',
    ].join('\n');
    const { problems } = collectRegistryProblems('scopes', [{ path: 'scopes/merge.yaml', content: text }]);
    expect(problems.map((p) => `${at(p)} ${p.message} (${p.hint})`)).toEqual([
      'merge.yaml:4:3 unknown-key "<<" in scopes is a YAML 1.1 merge key, which registry files (YAML 1.2) do not have (write the keys out; an anchor can still stand for a whole value, as in `scopes: *common`)',
      'merge.yaml:9:5 unknown-key "<<" in scopes."read.b" is a YAML 1.1 merge key, which registry files (YAML 1.2) do not have (write the keys out; an anchor can still stand for a whole value, as in `scopes: *common`)',
    ]);
  });

  it('unknown and missing kind, with a did-you-mean', async () => {
    const problems = await problemsOf(`${FIXTURES}/unknown-kind`);
    expect(problems.map(at)).toEqual(['registry.yaml:6:7 unknown-kind', 'registry.yaml:10:1 unknown-kind']);
    expect(problems[0]!.message).toBe('unknown kind "ClientSets"');
    expect(problems[0]!.hint).toMatch(/^did you mean "ClientSet"\?/);
    expect(problems[1]!.message).toBe('document has no "kind"');
  });

  it('a second Config document', async () => {
    const problems = await problemsOf(`${FIXTURES}/config-twice`);
    expect(problems.map(at)).toEqual(['a.yaml:4:1 duplicate-key']);
    expect(problems[0]!.hint).toContain('a.yaml:1:1');
  });

  it('cross-references: unknown scopes and clients, duplicates, malformed patterns and subjects', async () => {
    const problems = await problemsOf(`${FIXTURES}/cross-references`);
    expect(problems.map((p) => `${at(p)} ${p.message} (${p.hint})`)).toEqual([
      'actions.yaml:6:7 schema action pattern "FETCH /v1/orders/{id}" has the unknown method "FETCH" (write "METHOD /path" with METHOD one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, e.g. "GET /v1/orders/{id}")',
      'actions.yaml:7:3 reference action map names the unknown scope "write.ordrs" (did you mean "write.orders"?)',
      'actions.yaml:10:7 schema action pattern "PUT /v1/orders/*.json" has the malformed segment "*.json" (a segment is a literal, *, ** or {name}; wildcards inside a segment and query strings are not supported)',
      'clients.yaml:7:14 reference client "web-shop" is granted the unknown scope "read.ordres" (did you mean "read.orders"?)',
      'clients.yaml:9:7 reference justification for "read.legacy", which client "web-shop" does not hold (add "read.legacy" to its scopes or remove the justification)',
      `clients.yaml:11:15 duplicate-key clientId "0oa1" of client "checkout" is also used by client "web-shop" in tenant "acme" (a provider client id identifies one client; web-shop is at ${FIXTURES}/cross-references/clients.yaml:4:3)`,
      'clients.yaml:13:28 duplicate-key client "checkout" lists the scope "write.orders" twice (remove the repeated entry)',
      'exceptions.yaml:5:14 reference exception for SG105 names the unknown client "web-shopp" (did you mean "web-shop"?)',
      'exceptions.yaml:13:14 schema exception subject "scopes:read.orders" is malformed (write scope:NAME, client:NAME, client:NAME/scope:NAME or token:ID)',
      `scopes.yaml:4:3 duplicate-key scope "read.orders" is defined twice in tenant "acme" (first defined at ${FIXTURES}/cross-references/more-scopes.yaml:4:3)`,
      'scopes.yaml:8:15 reference scope "write.orders" implies the unknown scope "read.order" (did you mean "read.orders"?)',
      'scopes.yaml:11:17 reference scope "read.legacy" is replaced by the unknown scope "read.everything" (define it in a ScopeSet of tenant "acme")',
    ]);
  });

  describe('a broken definition file does not bury its problem under "unknown" references to what it defines', () => {
    const scopes = (head: string, body = '  read.orders: {description: Read orders}\n  write.orders:\n    description: Write orders\n') =>
      `${head}\nscopes:\n${body}`;
    const acmeClients =
      'kind: ClientSet\ntenant: acme\nclients:\n  shop: {clientId: s1, type: machine, scopes: [read.orders, write.orders]}\n---\n' +
      'kind: ActionMap\ntenant: acme\nactions:\n  read.orders: [GET /v1/orders]\n---\n' +
      'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - {rule: SG105, subject: client:shop/scope:write.orders, reason: r, expires: 2030-01-01}\n';
    // tenant globex is intact, and its own typo must still be reported
    const globex =
      'kind: ScopeSet\ntenant: globex\nscopes:\n  read.stock: {}\n---\n' +
      'kind: ClientSet\ntenant: globex\nclients:\n  app: {clientId: g1, type: machine, scopes: [read.stok]}\n';
    const problemsWith = (scopeSet: string) =>
      collectRegistryProblems('scopes', [
        { path: 'scopes/acme-scopes.yaml', content: scopeSet },
        { path: 'scopes/acme-clients.yaml', content: acmeClients },
        { path: 'scopes/globex.yaml', content: globex },
      ]).problems.map((p) => `${at(p)} ${p.message}`);
    const globexTypo = 'globex.yaml:9:47 reference client "app" is granted the unknown scope "read.stok"';

    it('the files are consistent when whole (the baseline the cases below break)', () => {
      expect(problemsWith(scopes('kind: ScopeSet\ntenant: acme'))).toEqual([globexTypo]);
    });

    it.each([
      ['a syntax error', scopes('kind: ScopeSet\ntenant: acme', '  read.orders: {description: [Read orders}\n  write.orders: {}\n'), 'yaml'],
      ['a duplicate key', scopes('kind: ScopeSet\ntenant: acme', '  read.orders: {}\n  write.orders: {owner: a, owner: b}\n'), 'duplicate-key'],
      ['a misspelt kind', scopes('kind: ScopeSett\ntenant: acme'), 'unknown-kind'],
      ['a missing kind', scopes('tenant: acme'), 'unknown-kind'],
      ['a schema error', scopes('kind: ScopeSet\ntenant: acme', '  read.orders: {sensitivity: extreme}\n  write.orders: {}\n'), 'schema'],
      ['a missing tenant', scopes('kind: ScopeSet'), 'schema'],
      ['a broken tenant line', scopes('kind: ScopeSet\ntenant: [acme'), 'yaml'],
      ['scopes written as a list', 'kind: ScopeSet\ntenant: acme\nscopes: [read.orders, write.orders]\n', 'schema'],
    ])('%s', (_, scopeSet, code) => {
      const problems = problemsWith(scopeSet);
      expect(problems.length).toBeGreaterThan(0);
      const [own, others] = [problems.filter((p) => p.startsWith('acme-scopes.yaml')), problems.filter((p) => !p.startsWith('acme-scopes.yaml'))];
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((p) => p.includes(` ${code} `))).toBe(true);
      // no "unknown scope" for acme's grants, action map or exception; globex's typo only when its tenant is not in doubt
      expect(others).toEqual(code === 'yaml' && scopeSet.includes('[acme') ? [] : [globexTypo]);
    });

    it('a file in another encoding, read from disk', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sg-unread-'));
      writeFileSync(join(dir, 'acme-scopes.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(scopes('kind: ScopeSet\ntenant: acme'), 'utf16le')]));
      writeFileSync(join(dir, 'acme-clients.yaml'), acmeClients);
      writeFileSync(join(dir, 'globex.yaml'), globex);
      expect((await problemsOf(dir)).map((p) => `${at(p)} ${p.message}`)).toEqual([
        'acme-scopes.yaml:1:1 encoding the file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8',
        globexTypo,
      ]);
    });
  });

  it('a missing registry folder is an InputError, not a stack trace', async () => {
    await expect(loadRegistry(`${FIXTURES}/does-not-exist`)).rejects.toBeInstanceOf(InputError);
  });
});

describe('what a YAML alias stands for is placed at the alias, not at its anchor in another entry', () => {
  const clients = [
    'kind: ClientSet',
    'tenant: acme',
    'clients:',
    '  web:',
    '    clientId: w',
    '    type: confidential',
    '    scopes: &web [&other read.other, read.data]',
    '  spa:',
    '    clientId: s',
    '    type: public',
    '    scopes: *web',
    '  tool:',
    '    clientId: t',
    '    type: machine',
    '    scopes: [read.data, *other]',
    '',
  ].join('\n');
  const scopes = 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.data: {description: Read data, sensitivity: high, owner: team-data}\n';

  it('grants of an aliased list, and an aliased item, point inside the client that holds them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-alias-'));
    writeFileSync(join(dir, 'scopes.yaml'), `${scopes}  read.other: {description: Read other, owner: team-data}\n`);
    writeFileSync(join(dir, 'clients.yaml'), clients);
    const registry = await loadRegistry(dir);
    const grants = Object.values(registry.tenants.acme!.clients).map(
      (client) => `${client.name}: ${client.grants.map((g) => `${g.scope} ${g.location.line}:${g.location.column}`).join(', ')}`,
    );
    expect(grants).toEqual([
      'web: read.other 7:26, read.data 7:38',
      // the alias itself: spa's line, not web's list
      'spa: read.other 11:13, read.data 11:13',
      'tool: read.data 15:14, read.other 15:25',
    ]);
  });

  it('so are problems found through an alias', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-alias-'));
    writeFileSync(join(dir, 'scopes.yaml'), scopes);
    writeFileSync(join(dir, 'clients.yaml'), clients);
    expect((await problemsOf(dir)).map((p) => `${at(p)} ${p.message}`)).toEqual([
      'clients.yaml:7:26 reference client "web" is granted the unknown scope "read.other"',
      'clients.yaml:11:13 reference client "spa" is granted the unknown scope "read.other"',
      'clients.yaml:15:25 reference client "tool" is granted the unknown scope "read.other"',
    ]);
  });
});

describe('hostile YAML is refused with a limit problem', () => {
  it('alias bombs', async () => {
    const problems = await problemsOf(`${FIXTURES}/hostile-aliases`);
    expect(problems.map((p) => p.code)).toEqual(['limit']);
    expect(problems[0]!.message).toContain('alias');
  });

  it('deep nesting', async () => {
    const problems = await problemsOf(`${FIXTURES}/hostile-nesting`);
    expect(problems.map((p) => [p.code, p.message])).toEqual([['limit', 'nesting deeper than 64 levels']]);
  });

  it('deep block nesting (indentation, not brackets)', () => {
    let text = 'kind: ScopeSet\ntenant: acme\nscopes:\n';
    for (let depth = 1; depth <= 70; depth++) text += `${'  '.repeat(depth)}k${depth}:\n`;
    const { problems } = collectRegistryProblems('mem', [{ path: 'deep.yaml', content: text }]);
    expect(problems.map((p) => p.code)).toEqual(['limit']);
  });

  it('brackets in prose are not mistaken for nesting, however many there are', () => {
    const scopes = Array.from({ length: 200 }, (_, i) => `  s${i}:\n    description: use [ brackets { freely\n    owner: t`).join('\n');
    const { problems } = collectRegistryProblems('mem', [{ path: 'prose.yaml', content: `kind: ScopeSet\ntenant: t\nscopes:\n${scopes}\n` }]);
    expect(problems).toEqual([]);
  });

  it('deep compact block sequences (- - - …) are refused before parsing', () => {
    const text = `kind: ScopeSet\ntenant: acme\nscopes:\n  x:\n    implies:\n      ${'- '.repeat(100_000)}x\n`;
    const { problems } = collectRegistryProblems('mem', [{ path: 'seq.yaml', content: text }]);
    expect(problems.map((p) => [p.code, p.message])).toEqual([['limit', 'nesting deeper than 64 levels']]);
  });

  it('more than 10,000 documents', async () => {
    const problems = await problemsOf(`${FIXTURES}/hostile-documents`);
    expect(problems.map((p) => [p.code, p.message])).toEqual([['limit', 'more than 10000 YAML documents in one file']]);
  });

  it('files over 5 MB, on disk and in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-big-'));
    const big = `kind: Config\n# ${'x'.repeat(5 * 1024 * 1024)}\n`;
    writeFileSync(join(dir, 'big.yaml'), big);
    const problems = await problemsOf(dir);
    expect(problems.map((p) => p.code)).toEqual(['limit']);
    expect(problems[0]!.message).toMatch(/over the 5 MB limit/);
    const inMemory = collectRegistryProblems('mem', [{ path: 'big.yaml', content: big }]).problems;
    expect(inMemory.map((p) => p.code)).toEqual(['limit']);
  });
});

describe('the example registry', () => {
  it('validates, with positions relative to the working directory', async () => {
    const registry = await loadRegistry('scopes');
    expect(Object.keys(registry.tenants)).toEqual(['acme', 'globex']);
    expect(registry.files).toContain('scopes/acme/scopes.yaml');
    const acme = registry.tenants.acme!;
    expect(acme.scopes['read.orders']!.location).toEqual({ file: 'scopes/acme/scopes.yaml', line: 5, column: 3 });
    expect(acme.scopes['sync.inventory']!.owner).toBeUndefined();
    expect(acme.clients['web-storefront']!.location).toEqual({ file: 'scopes/acme/clients.yaml', line: 5, column: 3 });
    expect(acme.clients['web-storefront']!.grants.map((g) => [g.scope, g.location.line, g.location.column])).toEqual([
      ['read.catalog', 10, 14],
      ['read.orders', 10, 28],
      ['read.users', 10, 41],
    ]);
    expect(acme.actions['read.orders']![0]).toEqual({
      pattern: 'GET /v1/orders',
      method: 'GET',
      path: '/v1/orders',
      location: { file: 'scopes/acme/actions.yaml', line: 7, column: 7 },
    });
    expect(acme.exceptions[0]!.location).toEqual({ file: 'scopes/acme/exceptions.yaml', line: 4, column: 5 });
    expect(registry.config.location).toEqual({ file: 'scopes/scopeguard.yaml', line: 3, column: 1 });
    expect(registry.config.owners['team-billing']).toEqual({ emails: ['ana.silva@example.com'], logins: ['ana-gh'] });
    // globex is one multi-document file
    expect(registry.tenants.globex!.clients['driver-app']!.location.file).toBe('scopes/globex/registry.yaml');
  });
});

describe('loadRegistryFromSources and defaults', () => {
  const scopeSet = 'kind: ScopeSet\ntenant: t\nscopes:\n  a: {}\n  b: {implies: [a], status: deprecated}\n';

  it('uses the given path verbatim and applies scope defaults', () => {
    const registry = loadRegistryFromSources('scopes', [{ path: 'HEAD~1:scopes/t.yaml', content: scopeSet }]);
    expect(registry.files).toEqual(['HEAD~1:scopes/t.yaml']);
    expect(registry.tenants.t!.scopes.a).toEqual({
      name: 'a',
      tenant: 't',
      sensitivity: 'low',
      status: 'active',
      implies: [],
      location: { file: 'HEAD~1:scopes/t.yaml', line: 4, column: 3 },
    });
    expect(registry.tenants.t!.scopes.b!.status).toBe('deprecated');
  });

  it('names that Object.prototype has (__proto__, constructor, toString) are ordinary scopes, actions and clients', () => {
    const registry = loadRegistryFromSources('r', [
      {
        path: 'odd.yaml',
        content: [
          'kind: ScopeSet\ntenant: t\nscopes:\n  __proto__: {}\n  constructor: {implies: [__proto__]}',
          'kind: ActionMap\ntenant: t\nactions:\n  __proto__: [GET /a]\n  constructor: [GET /b]',
          'kind: ClientSet\ntenant: t\nclients:\n  __proto__: {clientId: x, type: machine, scopes: [constructor]}\n  toString: {clientId: y, type: machine, scopes: [__proto__]}',
        ].join('\n---\n'),
      },
    ]);
    const tenant = registry.tenants.t!;
    for (const record of [tenant.scopes, tenant.actions, tenant.clients]) {
      // plain objects, as JSON and every consumer expect, whose names are their own data
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.hasOwn(record, '__proto__')).toBe(true);
    }
    expect(Object.keys(tenant.scopes)).toEqual(['__proto__', 'constructor']);
    expect(tenant.scopes['constructor']!.implies).toEqual(['__proto__']);
    expect(tenant.actions['__proto__']!.map((action) => action.pattern)).toEqual(['GET /a']);
    expect(Object.keys(tenant.clients)).toEqual(['__proto__', 'toString']);
    expect(tenant.clients['__proto__']!.grants.map((grant) => grant.scope)).toEqual(['constructor']);
    expect(tenant.clients['toString']!.clientId).toBe('y');
  });

  it('throws a ValidationError carrying every problem', () => {
    const bad = 'kind: ClientSet\ntenant: t\nclients:\n  c: {clientId: x, type: robot, scopes: [nope]}\n';
    let caught: unknown;
    try {
      loadRegistryFromSources('r', [{ path: 'c.yaml', content: bad }, { path: 'd.yaml', content: 'kind: Nope\n' }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).problems.map(at)).toEqual(['c.yaml:4:26 schema', 'd.yaml:1:7 unknown-kind']);
  });

  it('a tenant may be spread over files', () => {
    const registry = loadRegistryFromSources('r', [
      { path: 's.yaml', content: scopeSet },
      { path: 'c.yaml', content: 'kind: ClientSet\ntenant: t\nclients:\n  c: {clientId: x, type: machine, scopes: [a, b], justification: {a: why}}\n' },
    ]);
    expect(registry.tenants.t!.clients.c!.grants).toEqual([
      { scope: 'a', justification: 'why', location: { file: 'c.yaml', line: 4, column: 44 } },
      { scope: 'b', location: { file: 'c.yaml', line: 4, column: 47 } },
    ]);
  });

  it('a tenant is required on every kind but Config', () => {
    const { registry, problems } = collectRegistryProblems('r', [
      { path: 'x.yaml', content: 'kind: ActionMap\nactions: {}\n' },
      { path: 'y.yaml', content: 'kind: Config\n' },
    ]);
    expect(registry).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual(['ActionMap is missing the required key "tenant"']);
  });

  it('resolveConfig fills every default', () => {
    expect(resolveConfig()).toEqual({
      failOn: 'high',
      thresholds: {
        unusedScopeDays: 90,
        idleTokenDays: 30,
        minDeprecationDays: 30,
        maxExceptionDays: 180,
        spikeFactor: 5,
        maxHoldersOfBroadScope: 3,
        denialBurst: 10,
      },
      rules: {},
      owners: {},
      policies: [],
      store: '.scopeguard/audit.duckdb',
      sources: {},
      alerts: [],
    });
    const custom = resolveConfig({ kind: 'Config', failOn: 'low', thresholds: { denialBurst: 3 }, owners: { t: { emails: ['a@example.com'] } } });
    expect(custom.failOn).toBe('low');
    expect(custom.thresholds.denialBurst).toBe(3);
    expect(custom.thresholds.unusedScopeDays).toBe(90);
    expect(custom.owners.t).toEqual({ emails: ['a@example.com'], logins: [] });
  });

  it('skips node_modules and dot-folders and reports absolute paths outside the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-walk-'));
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'node_modules', 'x.yaml'), 'kind: Broken\n');
    writeFileSync(join(dir, '.git', 'x.yml'), 'kind: Broken\n');
    writeFileSync(join(dir, 's.yml'), scopeSet);
    const registry = await loadRegistry(dir);
    expect(registry.files).toEqual([join(dir, 's.yml')]);
  });
});
