/**
 * Untrusted text (scope descriptions, names, log fields, author names, PR titles) passes through here before it
 * reaches Markdown, HTML or a PR comment. One place, so every output escapes the same way.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Characters that act rather than show: C0 and C1 controls other than line breaks and tabs, and the bidirectional
 * embeddings, overrides and isolates, which can make a name read backwards (the "Trojan Source" trick). A reviewer
 * sees U+FFFD where one was.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function withoutControls(text: string): string {
  return text.replace(INVISIBLE_CONTROL, '\uFFFD');
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

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text bound for a terminal: control characters (ANSI escapes, carriage returns, newlines) must not move the cursor,
 * recolour the screen or break a row. Replaced by U+FFFD by default, so a reader sees something was there.
 */
export function escapeTerminal(text: string, replacement = '\uFFFD'): string {
  return text.replace(TERMINAL_CONTROL, replacement);
}
