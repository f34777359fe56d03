/** `scopeguard show --at`: the registry, or one scope or client, as it was at a date or revision. */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { neutralise, jsonOutput } from '../report/escape.ts';
import { InputError, UsageError } from '../errors.ts';
import { registryAt } from '../git/registry-at.ts';
import type { Client, Registry, Scope, Tenant } from '../registry/model.ts';
import { didYouMean } from '../registry/suggest.ts';
import { assertFormat, withFormattedErrors, writeOutput } from './io.ts';

const FORMATS = ['text', 'json', 'yaml'] as const;

interface ShowOptions {
  at: string;
  tenant?: string;
  client?: string;
  scope?: string;
  registry: string;
  format: string;
  output?: string;
}

/** A scope's definition, every field the registry holds, in the shape of a ScopeSet entry. */
const scopeDefinition = (scope: Scope) => ({
  ...(scope.description !== undefined ? { description: scope.description } : {}),
  sensitivity: scope.sensitivity,
  status: scope.status,
  ...(scope.owner !== undefined ? { owner: scope.owner } : {}),
  ...(scope.deprecatedSince !== undefined ? { deprecatedSince: scope.deprecatedSince } : {}),
  ...(scope.replacedBy !== undefined ? { replacedBy: scope.replacedBy } : {}),
  ...(scope.implies.length > 0 ? { implies: scope.implies } : {}),
});

/** A client's definition, every field the registry holds, in the shape of a ClientSet entry. */
const clientDefinition = (client: Client) => {
  const justified = client.grants.filter((g) => g.justification !== undefined);
  return {
    clientId: client.clientId,
    type: client.type,
    ...(client.owner !== undefined ? { owner: client.owner } : {}),
    ...(client.description !== undefined ? { description: client.description } : {}),
    scopes: client.grants.map((g) => g.scope),
    ...(justified.length > 0 ? { justification: Object.fromEntries(justified.map((g) => [g.scope, g.justification])) } : {}),
  };
};

const scopeView = (scope: Scope, actions: string[], holders: string[]) => ({
  kind: 'scope',
  tenant: scope.tenant,
  name: scope.name,
  ...scopeDefinition(scope),
  implies: scope.implies,
  actions,
  heldBy: holders,
});

const clientView = (client: Client) => ({ kind: 'client', tenant: client.tenant, name: client.name, ...clientDefinition(client) });

// the whole registry as it was: what an audit of "what did it say then" needs, justifications and reasons included
const tenantView = (tenant: Tenant) => ({
  scopes: Object.fromEntries(Object.values(tenant.scopes).map((s) => [s.name, scopeDefinition(s)])),
  actions: Object.fromEntries(Object.entries(tenant.actions).map(([scope, patterns]) => [scope, patterns.map((p) => p.pattern)])),
  clients: Object.fromEntries(Object.values(tenant.clients).map((c) => [c.name, clientDefinition(c)])),
  exceptions: tenant.exceptions.map((e) => ({ rule: e.rule, subject: e.subject, reason: e.reason, ...(e.owner !== undefined ? { owner: e.owner } : {}), expires: e.expires })),
});

function select(registry: Registry, options: ShowOptions): unknown[] | Record<string, unknown> {
  const tenants = Object.values(registry.tenants).filter((t) => options.tenant === undefined || t.name === options.tenant);
  if (options.tenant !== undefined && tenants.length === 0) {
    throw new InputError(`no tenant "${options.tenant}" at ${options.at}`, didYouMean(options.tenant, Object.keys(registry.tenants)));
  }
  if (options.scope === undefined && options.client === undefined) return Object.fromEntries(tenants.map((t) => [t.name, tenantView(t)]));
  const found: unknown[] = [];
  for (const tenant of tenants) {
    if (options.scope !== undefined) {
      const scope = tenant.scopes[options.scope];
      if (scope) {
        const holders = Object.values(tenant.clients).filter((c) => c.grants.some((g) => g.scope === scope.name)).map((c) => c.name);
        found.push(scopeView(scope, (tenant.actions[scope.name] ?? []).map((p) => p.pattern), holders));
      }
    } else if (options.client !== undefined) {
      const client = tenant.clients[options.client];
      if (client) found.push(clientView(client));
    }
  }
  if (found.length === 0) {
    const [kind, name, names] =
      options.scope !== undefined
        ? ['scope', options.scope, tenants.flatMap((t) => Object.keys(t.scopes))]
        : ['client', options.client!, tenants.flatMap((t) => Object.keys(t.clients))];
    throw new InputError(`no ${kind} "${name}" at ${options.at}`, didYouMean(name, names));
  }
  return found;
}

function formatText(view: unknown[] | Record<string, unknown>, header: string): string {
  // YAML escapes control characters but prints bidi controls as they are; on a terminal they would reorder a name
  return neutralise(`${header}\n${stringify(view, { lineWidth: 0 })}`, { keepLineBreaks: true });
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('the registry (or one scope or client) as it was at a date or revision')
    .requiredOption('--at <date|ref>', 'a date (YYYY-MM-DD: the last commit before it) or a branch, tag or commit')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--client <name>', 'one client')
    .option('--scope <name>', 'one scope')
    .option('--registry <dir>', 'registry folder', 'scopes')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--output <file>', 'write to a file instead of stdout')
    .action(async (options: ShowOptions) => {
      if (options.scope !== undefined && options.client !== undefined) throw new UsageError('give --scope or --client, not both');
      assertFormat(options.format, FORMATS);
      await withFormattedErrors(options.format, options.output, async () => {
        const { registry, revision } = await registryAt(options.at, options.registry, options.tenant !== undefined ? { tenant: options.tenant } : {});
        const view = select(registry, options);
        const document = { at: options.at, commit: revision.commit, registry: view };
        const text =
          options.format === 'json'
            ? jsonOutput(document, 2)
            : options.format === 'yaml'
              ? stringify(document, { lineWidth: 0 })
              : formatText(view, `# ${options.at} (${revision.commit.slice(0, 12)})`);
        writeOutput(text, options.output);
      });
    });
}
