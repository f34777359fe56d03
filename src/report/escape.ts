/**
 * Untrusted text (scope descriptions, names, log fields, author names, PR titles) passes through here before it
 * reaches Markdown, HTML or a PR comment. One place, so every output escapes the same way.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Escapes text for GitHub-flavoured Markdown, safe inside a table cell: HTML is neutralised, every Markdown
 * punctuation character is backslash-escaped (so links, images, emphasis and code spans render as text), pipes
 * cannot split a cell, newlines cannot end a row, and `@mention` / `#123` cannot ping or link (a zero-width
 * joiner after the sigil breaks GitHub's autolinker without changing what a reader sees).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/([@#])(?=[\p{L}\p{N}_])/gu, '$1\u200d')
    // entities last but one, so the backslashes above never split an entity such as &#39;
    .replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/:\/\//g, ':&#47;&#47;');
}

/** Inline code for identifiers (scope names, rule ids) that should look like code but stay inert. */
export function markdownCode(text: string): string {
  const clean = text.replace(/\r\n?|\n/g, ' ').replace(/\|/g, '\\|');
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${clean.includes('`') ? ` ${clean} ` : clean}${fence}`;
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
