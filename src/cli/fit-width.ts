import stringWidth from 'string-width';

/**
 * The columns `line` takes on a terminal: wide characters (CJK, most emoji) count two, combining marks
 * and ANSI escape sequences none.
 */
export function displayWidth(line: string): number {
  return stringWidth(line);
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links): they take no columns.
const escapeSequence = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/y;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `line` cut to at most `columns` columns, with `…` where it was cut, so a terminal never wraps it:
 * a redrawn block must know how many rows it takes. Escape sequences are kept whole, and a cut line ends
 * with a reset so a colour never runs on. Widths are string-width's, which counts an emoji as two
 * columns even where a terminal draws it in one: a line may end a column early, never wrap.
 */
export function fitWidth(line: string, columns: number): string {
  if (columns < 1) return '';
  if (stringWidth(line) <= columns) return line;
  let kept = '';
  let width = 0;
  let styled = false;
  for (let index = 0; index < line.length;) {
    escapeSequence.lastIndex = index;
    const sequence = escapeSequence.exec(line);
    if (sequence) {
      kept += sequence[0];
      styled = true;
      index += sequence[0].length;
      continue;
    }
    const next = line.slice(index).search(/\u001b/);
    const text = next === -1 ? line.slice(index) : line.slice(index, index + Math.max(next, 1));
    for (const { segment } of graphemes.segment(text)) {
      const segmentWidth = stringWidth(segment);
      if (width + segmentWidth > columns - 1) return `${kept}${styled ? '\u001b[0m' : ''}…`;
      kept += segment;
      width += segmentWidth;
    }
    index += text.length;
  }
  return kept;
}

/** Each line of `text` fitted to `columns` (see fitWidth). */
export function fitLines(text: string, columns: number): string[] {
  return text.split('\n').map((line) => fitWidth(line, columns));
}

const uuid = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Full ids shortened to the 8-character prefix baton shows (and accepts) everywhere else. */
export function shortenIds(text: string): string {
  return text.replace(uuid, '$1');
}
