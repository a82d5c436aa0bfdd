/** How much of a long text (a payload, a tool's input, a prompt) is shown before the person asks for all. */
export const previewCharacters = 4_000;

export interface Truncated {
  /** What is shown: the start of the text, cut at a line end when one is near. */
  shown: string;
  /** Characters left out (0: the whole text is shown). */
  hidden: number;
}

/**
 * The start of `text`, at most `limit` characters, cut at the last line break in its final fifth so a
 * line is not split when it can be helped. A huge payload costs its preview to render, not its size.
 */
export function truncateText(text: string, limit = previewCharacters): Truncated {
  if (text.length <= limit) return { shown: text, hidden: 0 };
  const lineEnd = text.lastIndexOf('\n', limit);
  const cut = lineEnd >= limit * 0.8 ? lineEnd : limit;
  return { shown: text.slice(0, cut), hidden: text.length - cut };
}
