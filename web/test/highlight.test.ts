import { describe, expect, it } from 'vitest';
import { highlightCode } from '../src/lib/highlight.ts';

describe('highlightCode', () => {
  it('marks up a registered language with highlight.js classes', () => {
    const html = highlightCode('const answer: number = 42; // why', 'typescript');
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-number">42</span>');
    expect(html).toContain('<span class="hljs-comment">// why</span>');
  });

  it('leaves an unknown or missing language to markdown-it (plain, escaped text)', () => {
    expect(highlightCode('print 1', 'cobol')).toBe('');
    expect(highlightCode('print 1', '')).toBe('');
  });

  it('escapes markup in the code it highlights', () => {
    expect(highlightCode('"<img src=x onerror=alert(1)>"', 'json')).not.toContain('<img');
  });
});
