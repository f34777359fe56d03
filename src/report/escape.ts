/**
 * Untrusted text (scope descriptions, names, log fields, author names, PR titles) passes through here before it
 * reaches a terminal, a workflow annotation, Markdown, HTML or a PR comment. One place, so every output escapes the
 * same way.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Characters that act rather than show, the one list every text-bound output neutralises (terminal, annotations,
 * Markdown, HTML): C0 and C1 controls (ANSI escapes, bells, carriage returns, newlines), and the bidirectional
 * formatting characters, which can make a name read as another (the "Trojan Source" trick): the embeddings and
 * overrides U+202A–U+202E, the isolates U+2066–U+2069, and the invisible marks U+200E, U+200F and U+061C, which move
 * the digits and punctuation next to them. A reader sees U+FFFD where one was. Letters of any script (é, 日本, עברית)
 * are text, not controls, and stay.
 */
// eslint-disable-next-line no-control-regex
const ACTING = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export interface NeutraliseOptions {
  /** Leave tabs and line breaks (\t, \n, \r) to the caller, which encodes them its own way (Markdown, annotations). */
  keepLineBreaks?: boolean;
  /** What a neutralised character becomes; U+FFFD unless a layout needs otherwise. */
  replacement?: string;
}

/** Every character of ACTING in `text` replaced, so untrusted text can only show, never act. */
export function neutralise(text: string, options: NeutraliseOptions = {}): string {
  const replacement = options.replacement ?? '\uFFFD';
  return text.replace(ACTING, (c) => (options.keepLineBreaks && (c === '\t' || c === '\n' || c === '\r') ? c : replacement));
}

function withoutControls(text: string): string {
  return neutralise(text, { keepLineBreaks: true });
}

export function escapeHtml(text: string): string {
  return withoutControls(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Escapes text for GitHub-flavoured Markdown, safe inside a table cell: HTML is neutralised, every Markdown
 * punctuation character is backslash-escaped (so links, images, emphasis and code spans render as text), pipes
 * cannot split a cell, newlines cannot end a row, and `@mention` / `#123` cannot ping or link (a zero-width
 * joiner after the sigil breaks GitHub's autolinker without changing what a reader sees).
 */
export function escapeMarkdown(text: string): string {
  return withoutControls(text)
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/([@#])(?=[\p{L}\p{N}_])/gu, '$1\u200d')
    // entities last but one, so the backslashes above never split an entity such as &#39;
    .replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/:\/\//g, ':&#47;&#47;');
}

/**
 * A link target for Markdown from a rule's METADATA (custom rules name their own): http(s) only, and every character
 * that could end the target or start markup percent-encoded, so the link cannot become something else.
 */
export function markdownLinkTarget(url: string): string | undefined {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return undefined;
  return url.replace(/[()<>[\]"'`\\|*_]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Inline code for identifiers (scope names, rule ids, client ids from logs) that should look like code but stay
 * inert. A code span shows its text literally, HTML included, as long as nothing inside can close it: its fence is one
 * backtick longer than the longest run of backticks in the text (CommonMark), with a space inside each end when the
 * text has backticks, which CommonMark strips again. In a table cell (the default) a pipe would end the cell even
 * inside code, so it is written `\|`, which GFM reads back as a pipe there; elsewhere (`table: false`: a heading, a
 * list item, a line) the backslash would show, so pipes stay as they are.
 */
export function markdownCode(text: string, options: { table?: boolean } = {}): string {
  const oneLine = withoutControls(text).replace(/\r\n?|\n/g, ' ');
  const clean = options.table === false ? oneLine : oneLine.replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${clean} ${fence}` : `${fence}${clean}${fence}`;
}

/**
 * Text bound for a terminal: control characters (ANSI escapes, carriage returns, newlines) must not move the cursor,
 * recolour the screen, break a row or forge a `file:line:col` line, and bidirectional controls must not reorder it.
 * Replaced by U+FFFD by default, so a reader sees something was there.
 */
export function escapeTerminal(text: string, replacement = '\uFFFD'): string {
  return neutralise(text, { replacement });
}

// characters JSON.stringify writes as they are that act on a terminal (DEL, C1 controls, bidi controls, line and
// paragraph separators); C0 controls it escapes itself
const JSON_ACTING = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for output, as JSON.stringify writes it, except that characters which act on a terminal are written as \u
 * escapes. They can only stand inside strings, so the document reads back as the same value: `jq` and any JSON
 * reader see the text unchanged, and a terminal that shows the raw JSON cannot be made to reorder it.
 */
export function jsonOutput(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_ACTING, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
