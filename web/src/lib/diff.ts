/** One line of a unified diff as the diff view shows it. */
export interface DiffLine {
  kind: 'added' | 'removed' | 'context' | 'hunk' | 'meta';
  text: string;
}

/** At most this many lines are shown until the person asks for all of them. */
export const diffPreviewLines = 400;

/** Splits a unified diff (git's) into classed lines; the file headers are kept as meta lines. */
export function parseDiff(diff: string): DiffLine[] {
  const lines = diff.replace(/\n$/, '').split('\n');
  return lines.map((text): DiffLine => {
    if (
      text.startsWith('+++') ||
      text.startsWith('---') ||
      text.startsWith('diff ') ||
      text.startsWith('index ')
    )
      return { kind: 'meta', text };
    if (text.startsWith('@@')) return { kind: 'hunk', text };
    if (text.startsWith('+')) return { kind: 'added', text };
    if (text.startsWith('-')) return { kind: 'removed', text };
    return { kind: 'context', text };
  });
}
