// Shared by the check e2e tests: write a registry to a temp dir and spawn the real bin inside it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const BIN = resolve('bin/scopeguard.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function scopeguardIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A temp project dir with the given files (paths relative to it); the registry is under `scopes/`. */
export function projectWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-check-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(content: string, needle: string): number {
  const index = content.split('\n').findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`"${needle}" not in fixture`);
  return index + 1;
}

export interface JsonFinding {
  ruleId: string;
  severity: string;
  tenant: string;
  subject: string;
  message: string;
  remediation: string | null;
  location: { file: string; line: number; column: number } | null;
  fingerprint: string;
  status: string;
  waivedBy?: { reason: string; expires: string };
}

export interface JsonReport {
  findings: JsonFinding[];
  summary: { total: number; bySeverity: Record<string, number>; byStatus: Record<string, number>; failOn: string; failed: boolean };
}

export const SCOPES = `kind: ScopeSet
tenant: acme
scopes:
  read.orders:
    description: Read orders
    owner: team-orders
  write.orders:
    description: Create or modify orders
    owner: team-orders
    sensitivity: medium
    implies: [read.orders]
`;

export const ACTIONS = `kind: ActionMap
tenant: acme
actions:
  read.orders: [GET /v1/orders/**]
  write.orders: [POST /v1/orders, 'PUT /v1/orders/{id}']
`;

export const CLIENTS = `kind: ClientSet
tenant: acme
clients:
  shop:
    clientId: 0oa1shop
    owner: team-orders
    type: confidential
    scopes:
      - read.orders
`;

/** A registry no built-in rule objects to. */
export const CLEAN = { 'scopes/scopes.yaml': SCOPES, 'scopes/actions.yaml': ACTIONS, 'scopes/clients.yaml': CLIENTS };

/** The official SARIF 2.1.0 JSON schema (test/fixtures/sarif/README.md) as an ajv validator. */
export function sarifValidator() {
  const schema = JSON.parse(readFileSync('test/fixtures/sarif/sarif-2.1.0-rtm.5.json', 'utf8')) as Record<string, unknown>;
  // draft-04 → draft-07: only the root `id` keyword differs for this schema; one of its patterns is not valid
  // under the u flag, so patterns are compiled as plain RegExps (as draft-04 validators do)
  const { $schema: _draft, id, ...rest } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile({ ...rest, $id: String(id) });
}
