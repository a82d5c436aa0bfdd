import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { highlightCode } from './highlight.ts';

/**
 * Markdown from agents and models, as HTML that can do nothing: markdown-it with raw HTML off, then
 * DOMPurify with no scripts, frames, forms, styles, data- attributes or event handlers, and links that
 * open elsewhere without a referrer. Text longer than `maxCharacters` is cut (the payload has it all).
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false, highlight: highlightCode });

const forbiddenTags = [
  'script',
  'style',
  'iframe',
  'frame',
  'object',
  'embed',
  'form',
  'input',
  'svg',
  'math',
];

let hooked = false;
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
}

export function renderMarkdown(text: string, maxCharacters = 20_000): string {
  hookLinks();
  const source = text.length > maxCharacters ? `${text.slice(0, maxCharacters)}\n\n…` : text;
  return DOMPurify.sanitize(markdown.render(source), {
    USE_PROFILES: { html: true },
    FORBID_TAGS: forbiddenTags,
    FORBID_ATTR: ['style'],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: true,
  });
}
