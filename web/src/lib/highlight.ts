/**
 * Syntax highlighting of a fenced code block, for markdown-it's `highlight` option: HTML for the code,
 * or '' to let markdown-it escape it as plain text (it still marks the block `language-<lang>`).
 *
 * No highlighter is bundled yet (highlight.js is the intended one; see docs/decisions/0033): this is the
 * one place to wire it, e.g. `hljs.getLanguage(language) ? hljs.highlight(code, { language }).value : ''`.
 * Whatever it returns still goes through DOMPurify with the rest of the Markdown.
 */
export function highlightCode(_code: string, _language: string): string {
  return '';
}
