/**
 * Right-sizing: which granted scopes to take away from which clients, judged on the usage facts (the same notion of
 * "used" as SG301), keeping grants an exception waives or a justification explains. `applyRightsize` edits the
 * ClientSet YAML in place as text splices at the positions the parser reports, so comments, order, quoting and
 * spacing everywhere else stay byte for byte what the author wrote: the result is a small, reviewable diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { InputError } from '../errors.ts';
import { findWaiver } from '../findings/exceptions.ts';
import type { Registry, SourcePosition } from '../registry/model.ts';
import type { ClientScopeFact, UsageFacts } from './facts.ts';
import { isUsed, lastUsed } from './least-privilege.ts';

export interface Removal {
  tenant: string;
  client: string;
  scope: string;
  sensitivity: string;
  issued: number;
  /** What counted as use (see ClientScopeFact.usedBy). */
  usedBy: ClientScopeFact['usedBy'];
  lastUsed?: string;
  location: SourcePosition;
}

export interface Kept {
  tenant: string;
  client: string;
  scope: string;
  reason: string;
}

export interface RightsizePlan {
  windowDays: number;
  removals: Removal[];
  kept: Kept[];
}

export function planRightsize(registry: Registry, factsByTenant: readonly UsageFacts[], now: Date, options: { client?: string; includeJustified?: boolean } = {}): RightsizePlan {
  const removals: Removal[] = [];
  const kept: Kept[] = [];
  for (const facts of factsByTenant) {
    const tenant = registry.tenants[facts.tenant];
    if (!tenant) continue;
    for (const fact of facts.clientScopes) {
      if (!fact.granted || isUsed(fact)) continue;
      if (options.client && fact.client !== options.client && fact.clientId !== options.client) continue;
      const client = tenant.clients[fact.client];
      const grant = client?.grants.find((g) => g.scope === fact.scope);
      if (!client || !grant) continue;
      const subject = `client:${fact.client}/scope:${fact.scope}`;
      const waiver = findWaiver(tenant, 'SG301', subject, now) ?? findWaiver(tenant, 'SG301', `client:${fact.client}`, now);
      if (waiver) {
        kept.push({ tenant: facts.tenant, client: fact.client, scope: fact.scope, reason: `exception until ${waiver.expires}: ${waiver.reason}` });
        continue;
      }
      if (grant.justification && !options.includeJustified) {
        kept.push({ tenant: facts.tenant, client: fact.client, scope: fact.scope, reason: `justified: ${grant.justification}` });
        continue;
      }
      removals.push({
        tenant: facts.tenant,
        client: fact.client,
        scope: fact.scope,
        sensitivity: fact.sensitivity,
        issued: fact.issued,
        usedBy: fact.usedBy,
        ...(lastUsed(fact) ? { lastUsed: lastUsed(fact) } : {}),
        location: grant.location,
      });
    }
  }
  const order = (a: { tenant: string; client: string; scope: string }, b: typeof a): number =>
    a.tenant.localeCompare(b.tenant) || a.client.localeCompare(b.client) || a.scope.localeCompare(b.scope);
  return { windowDays: factsByTenant[0]?.window.days ?? 0, removals: removals.sort(order), kept: kept.sort(order) };
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Edits the ClientSet files in place; returns the files changed. The caller re-validates the registry. */
export function applyRightsize(registry: Registry, removals: readonly Removal[]): string[] {
  const byFile = new Map<string, Removal[]>();
  for (const removal of removals) {
    const file = registry.tenants[removal.tenant]?.clients[removal.client]?.location.file ?? removal.location.file;
    const list = byFile.get(file) ?? [];
    list.push(removal);
    byFile.set(file, list);
  }
  const changed: string[] = [];
  for (const [file, list] of byFile) {
    const path = resolve(file);
    const original = readFileSync(path, 'utf8');
    const splices = planSplices(original, list, file);
    if (splices.length === 0) continue;
    let text = original;
    for (const s of splices.sort((a, b) => b.start - a.start)) text = text.slice(0, s.start) + s.text + text.slice(s.end);
    writeFileSync(path, text);
    changed.push(file);
  }
  return changed;
}

function planSplices(text: string, removals: readonly Removal[], file: string): Splice[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new InputError(`${file} is not a YAML stream`);
  const splices: Splice[] = [];
  const byClient = new Map<string, { tenant: string; scopes: Set<string> }>();
  for (const r of removals) {
    const key = `${r.tenant}\u0000${r.client}`;
    const entry = byClient.get(key) ?? { tenant: r.tenant, scopes: new Set<string>() };
    entry.scopes.add(r.scope);
    byClient.set(key, entry);
  }
  for (const [key, { tenant, scopes }] of byClient) {
    const client = key.split('\u0000')[1]!;
    const doc = docs.find((d: Document) => d.get('kind') === 'ClientSet' && d.get('tenant') === tenant && d.hasIn(['clients', client]));
    if (!doc) throw new InputError(`${file}: client ${client} of tenant ${tenant} not found`, 'the registry changed since it was loaded; run again');
    const seq = doc.getIn(['clients', client, 'scopes'], true);
    if (isSeq(seq)) splices.push(...seqSplices(text, seq as YAMLSeq<Scalar>, scopes));
    const justification = doc.getIn(['clients', client, 'justification'], true);
    if (isMap(justification)) {
      const clientMap = doc.getIn(['clients', client], true) as YAMLMap;
      const pair = clientMap.items.find((p) => isScalar(p.key) && p.key.value === 'justification') as Pair<Scalar, YAMLMap<Scalar, Scalar>> | undefined;
      splices.push(...mapSplices(text, justification as YAMLMap<Scalar, Scalar>, scopes, pair));
    }
  }
  return splices;
}

function seqSplices(text: string, seq: YAMLSeq<Scalar>, remove: Set<string>): Splice[] {
  const items = seq.items.filter((item): item is Scalar => isScalar(item) && Boolean(item.range));
  const keep = items.filter((item) => !remove.has(String(item.value)));
  if (keep.length === items.length) return [];
  if (seq.flow && seq.range) {
    // rewrite the bracket's contents only, reusing each kept item's source text (quotes and all)
    const open = text.indexOf('[', seq.range[0]);
    const close = text.lastIndexOf(']', seq.range[1]);
    const inner = keep.map((item) => text.slice(item.range![0], item.range![1])).join(', ');
    return [{ start: open + 1, end: close, text: inner }];
  }
  return items.filter((item) => remove.has(String(item.value))).map((item) => wholeLines(text, item.range![0], item.range![1]));
}

function mapSplices(text: string, map: YAMLMap<Scalar, Scalar>, remove: Set<string>, owner: Pair | undefined): Splice[] {
  const pairs = map.items.filter((p) => isScalar(p.key) && p.key.range);
  const gone = pairs.filter((p) => remove.has(String(p.key.value)));
  if (gone.length === 0) return [];
  if (gone.length === pairs.length && owner && isScalar(owner.key) && owner.key.range) {
    const last = pairs[pairs.length - 1]!;
    const end = (isScalar(last.value) && last.value.range ? last.value.range[1] : last.key.range![1]);
    return [wholeLines(text, owner.key.range[0], end)];
  }
  if (map.flow) {
    const open = text.indexOf('{', map.range![0]);
    const close = text.lastIndexOf('}', map.range![1]);
    const inner = pairs
      .filter((p) => !remove.has(String(p.key.value)))
      .map((p) => text.slice(p.key.range![0], isScalar(p.value) && p.value.range ? p.value.range[1] : p.key.range![1]))
      .join(', ');
    return [{ start: open + 1, end: close, text: inner }];
  }
  return gone.map((p) => wholeLines(text, p.key.range![0], isScalar(p.value) && p.value.range ? p.value.range[1] : p.key.range![1]));
}

/** The full lines spanning [start, end), newline included, so no blank line is left behind. */
function wholeLines(text: string, start: number, end: number): Splice {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const newline = text.indexOf('\n', end);
  return { start: lineStart, end: newline === -1 ? text.length : newline + 1, text: '' };
}
