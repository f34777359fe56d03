/**
 * Right-sizing: which granted scopes to take away from which clients, judged on the usage facts (the same notion of
 * "used" as SG301), keeping grants an exception waives or a justification explains. `applyRightsize` edits the
 * ClientSet YAML in place as text splices at the positions the parser reports, so comments, order, quoting and
 * spacing everywhere else stay byte for byte what the author wrote: the result is a small, reviewable diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Alias, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { InputError, ValidationError } from '../errors.ts';
import { loadRegistry } from '../registry/load.ts';
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
      // the exception that waives the SG301 finding, matched as check matches it, so both keep the same grants
      const waiver = findWaiver(tenant, 'SG301', subject, now);
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

/**
 * Makes the plan: edits the ClientSet files in place, then loads the registry again and checks that it validates and
 * holds exactly the grants it held before minus the removals. Otherwise every file is put back as it was and the
 * reason is an InputError, so a write never leaves a registry that differs from what was proposed. Returns the files
 * changed.
 */
export async function writeRightsize(root: string, registry: Registry, removals: readonly Removal[]): Promise<string[]> {
  const files = [...new Set(removals.map((r) => clientFile(registry, r)))];
  const originals = new Map(files.map((file) => [file, readFileSync(resolve(file), 'utf8')]));
  const restore = (): void => {
    for (const [file, text] of originals) writeFileSync(resolve(file), text);
  };
  let written: string[];
  let after: Registry;
  try {
    written = applyRightsize(registry, removals);
    after = await loadRegistry(root);
  } catch (error) {
    restore();
    if (error instanceof ValidationError) {
      const detail = error.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`).join('; ');
      throw new InputError(`rightsize --write would leave an invalid registry, nothing was changed: ${detail}`);
    }
    throw error;
  }
  const unplanned = unplannedGrantChanges(registry, after, removals);
  if (unplanned.length > 0) {
    restore();
    throw new InputError(
      `rightsize --write would change more or less than it proposes, nothing was changed: ${unplanned.join('; ')}`,
      'the grant lists involved are written in a form rightsize cannot edit on its own; remove the proposed scopes by hand',
    );
  }
  return written;
}

function clientFile(registry: Registry, removal: Removal): string {
  return registry.tenants[removal.tenant]?.clients[removal.client]?.location.file ?? removal.location.file;
}

/**
 * How `after` differs from `before` minus the removals, per client, in words: grants lost that the plan keeps,
 * grants kept that it removes, justifications changed, clients gone or new. Empty when the edit did what was planned.
 */
export function unplannedGrantChanges(before: Registry, after: Registry, removals: readonly Removal[]): string[] {
  const removed = new Set(removals.map((r) => `${r.tenant}\u0000${r.client}\u0000${r.scope}`));
  const differences: string[] = [];
  const tenants = new Set([...Object.keys(before.tenants), ...Object.keys(after.tenants)]);
  for (const tenantName of tenants) {
    const beforeClients = before.tenants[tenantName]?.clients ?? {};
    const afterClients = after.tenants[tenantName]?.clients ?? {};
    for (const name of new Set([...Object.keys(beforeClients), ...Object.keys(afterClients)])) {
      const was = beforeClients[name];
      const now = afterClients[name];
      if (!was || !now) {
        differences.push(`client "${name}" of tenant "${tenantName}" would ${was ? 'disappear' : 'appear'}`);
        continue;
      }
      const expected = new Map(was.grants.filter((g) => !removed.has(`${tenantName}\u0000${name}\u0000${g.scope}`)).map((g) => [g.scope, g.justification]));
      const actual = new Map(now.grants.map((g) => [g.scope, g.justification]));
      const lost = [...expected.keys()].filter((scope) => !actual.has(scope));
      const kept = [...actual.keys()].filter((scope) => !expected.has(scope));
      const rejustified = [...expected.keys()].filter((scope) => actual.has(scope) && actual.get(scope) !== expected.get(scope));
      if (lost.length > 0) differences.push(`client "${name}" of tenant "${tenantName}" would also lose ${lost.join(', ')}`);
      if (kept.length > 0) differences.push(`client "${name}" of tenant "${tenantName}" would keep ${kept.join(', ')}`);
      if (rejustified.length > 0) differences.push(`client "${name}" of tenant "${tenantName}" would change the justification of ${rejustified.join(', ')}`);
    }
  }
  return differences;
}

/** Edits the ClientSet files in place; returns the files changed. `writeRightsize` checks the result. */
function applyRightsize(registry: Registry, removals: readonly Removal[]): string[] {
  const byFile = new Map<string, Removal[]>();
  for (const removal of removals) {
    const file = clientFile(registry, removal);
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
  // a list shared through a YAML anchor is edited once, for all who share it (see unshareSplices)
  const shared = new Map<YAMLSeq, { doc: Document; removalsAt: Map<Node, Set<string>> }>();
  for (const [key, { tenant, scopes }] of byClient) {
    const client = key.split('\u0000')[1]!;
    const doc = docs.find((d: Document) => d.get('kind') === 'ClientSet' && d.get('tenant') === tenant && d.hasIn(['clients', client]));
    if (!doc) throw new InputError(`${file}: client ${client} of tenant ${tenant} not found`, 'the registry changed since it was loaded; run again');
    const clientMap = doc.getIn(['clients', client], true) as YAMLMap;
    const list = doc.getIn(['clients', client, 'scopes'], true);
    const target = isAlias(list) ? list.resolve(doc) : list;
    if (isSeq(target) && (isAlias(list) || aliasesOf(doc, target).length > 0)) {
      const entry = shared.get(target) ?? { doc, removalsAt: new Map<Node, Set<string>>() };
      entry.removalsAt.set(list as Node, scopes);
      shared.set(target, entry);
    } else if (isSeq(list)) {
      splices.push(...seqSplices(text, list as YAMLSeq<Scalar>, scopes, pairOf(clientMap, 'scopes')));
    }
    const justification = doc.getIn(['clients', client, 'justification'], true);
    if (isMap(justification)) splices.push(...mapSplices(text, justification as YAMLMap<Scalar, Scalar>, scopes, pairOf(clientMap, 'justification')));
  }
  for (const [list, { doc, removalsAt }] of shared) splices.push(...unshareSplices(text, doc, list as YAMLSeq<Scalar>, removalsAt, file));
  return splices;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

/** Every alias in the document that stands for `node`. */
function aliasesOf(doc: Document, node: Node): Alias[] {
  if (!('anchor' in node) || !node.anchor) return [];
  const aliases: Alias[] = [];
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === node) aliases.push(alias);
    },
  });
  return aliases;
}

/**
 * A scope list shared through an anchor (`scopes: &web [...]`, elsewhere `scopes: *web`), of which some sharers lose
 * scopes: editing the anchored list would take the scopes from every sharer. So the sharing ends: the anchored list
 * loses its anchor and its own removals, and each alias becomes the list it stood for, written out, minus that
 * sharer's removals. The values of sharers not in the plan stay the same.
 */
function unshareSplices(text: string, doc: Document, list: YAMLSeq<Scalar>, removalsAt: Map<Node, Set<string>>, file: string): Splice[] {
  const items = list.items;
  if (!items.every((item) => isScalar(item) && item.range)) {
    throw new InputError(`${file}: a scope list shared through the anchor &${list.anchor} holds more than plain names`, 'remove the proposed scopes by hand');
  }
  const splices = seqSplices(text, list, removalsAt.get(list) ?? new Set(), undefined);
  const anchor = anchorSplice(text, list);
  if (anchor && !splices.some((s) => s.start <= anchor.start && anchor.end <= s.end)) splices.push(anchor);
  for (const alias of aliasesOf(doc, list)) {
    const remove = removalsAt.get(alias) ?? new Set<string>();
    const kept = items.filter((item) => !remove.has(String(item.value))).map((item) => text.slice(item.range![0], item.range![1]));
    splices.push({ start: alias.range![0], end: alias.range![1], text: `[${kept.join(', ')}]` });
  }
  return splices;
}

/** The `&name` of an anchored node, with the blanks that separate it from what follows (or precedes it, at a line end). */
function anchorSplice(text: string, node: YAMLSeq): Splice | undefined {
  if (!node.anchor || !node.range) return undefined;
  const token = `&${node.anchor}`;
  const at = text.lastIndexOf(token, node.range[0]);
  if (at === -1) return undefined;
  let start = at;
  let end = at + token.length;
  while (text[end] === ' ') end++;
  if (end === text.length || text[end] === '\n' || text[end] === '\r') {
    end = at + token.length;
    while (start > 0 && text[start - 1] === ' ') start--;
  }
  return { start, end, text: '' };
}

/**
 * The removal of scopes from one list. A flow list loses each run of removed items with the separator that joins it to
 * the rest (and the comments on their lines), so line breaks and the comments of the kept items stay as written; a
 * block list loses the removed items' lines. A block list that loses every item becomes `[]` (an empty block list would read as null).
 */
function seqSplices(text: string, seq: YAMLSeq<Scalar>, remove: ReadonlySet<string>, owner: Pair | undefined): Splice[] {
  const items = seq.items.filter((item): item is Scalar => isScalar(item) && Boolean(item.range));
  const removed = items.map((item) => remove.has(String(item.value)));
  if (!removed.includes(true)) return [];
  if (!seq.flow) {
    if (!removed.includes(false) && owner && isScalar(owner.key) && owner.key.range && seq.range) {
      const end = seq.range[1];
      return [{ start: owner.key.range[1], end, text: `: []${text[end - 1] === '\n' ? '\n' : ''}` }];
    }
    return items.filter((_, i) => removed[i]).map((item) => wholeLines(text, item.range![0], item.range![1]));
  }
  const splices: Splice[] = [];
  for (let first = 0; first < items.length; first++) {
    if (!removed[first]) continue;
    let last = first;
    while (last + 1 < items.length && removed[last + 1]) last++;
    if (last + 1 < items.length) splices.push({ start: items[first]!.range![0], end: items[last + 1]!.range![0], text: '' });
    else if (first > 0) {
      // the last items go with the comma before them; a comment after the previous item stays with it
      const previousEnd = items[first - 1]!.range![1];
      const between = text.slice(previousEnd, items[first]!.range![0]);
      if (between.includes('#')) {
        const comma = previousEnd + between.indexOf(',');
        splices.push({ start: comma, end: comma + 1, text: '' }, { start: items[first]!.range![0], end: items[last]!.range![1], text: '' });
      } else {
        splices.push({ start: previousEnd, end: items[last]!.range![1], text: '' });
      }
    }
    else splices.push({ start: items[first]!.range![0], end: items[last]!.range![1], text: '' });
    first = last;
  }
  return splices;
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
