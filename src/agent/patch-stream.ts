/** One file's section of a unified diff, cut to a byte budget. */
export interface PatchSection {
  text: string;
  /** True when lines were left out because the section would have exceeded the budget. */
  truncated: boolean;
}

const header = Buffer.from('diff --git ');

/**
 * Splits the output of `git diff-tree -p` into one section per `diff --git` line, in output order,
 * keeping at most `limitBytes` of each and cutting only between lines. Every content line of a patch
 * starts with ' ', '+', '-' or '\', so a line starting with `diff --git ` is always a new section.
 * Lines past the budget are dropped as they stream by, so a huge generated file costs no memory.
 */
export async function* readPatchSections(
  stream: AsyncIterable<Buffer>,
  limitBytes: number,
): AsyncGenerator<PatchSection> {
  // Enough of a line to recognise a header and to keep the line if it fits in the budget.
  const keepPerLine = Math.max(limitBytes, header.length);
  let section: { lines: Buffer[]; bytes: number; truncated: boolean } | undefined;
  let lineParts: Buffer[] = [];
  let keptBytes = 0;
  let lineBytes = 0;

  // Files a completed line into the current section; returns the previous section when a header starts a new one.
  const endLine = (): PatchSection | undefined => {
    const line = Buffer.concat(lineParts);
    lineParts = [];
    keptBytes = 0;
    const length = lineBytes;
    lineBytes = 0;
    let finished: PatchSection | undefined;
    if (line.subarray(0, header.length).equals(header)) {
      if (section) finished = toSection(section);
      section = { lines: [], bytes: 0, truncated: false };
    }
    if (!section) return finished; // Nothing precedes the first header in diff-tree output; ignore it if it does.
    if (!section.truncated && section.bytes + length <= limitBytes) {
      section.lines.push(line);
      section.bytes += length;
    } else {
      section.truncated = true;
    }
    return finished;
  };

  for await (const chunk of stream) {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      if (keptBytes < keepPerLine) {
        const kept = piece.subarray(0, keepPerLine - keptBytes);
        lineParts.push(Buffer.from(kept)); // A copy, so the stream's chunk can be freed.
        keptBytes += kept.length;
      }
      lineBytes += piece.length;
      start = end;
      if (newline !== -1) {
        const finished = endLine();
        if (finished) yield finished;
      }
    }
  }
  if (lineBytes > 0) {
    const finished = endLine();
    if (finished) yield finished;
  }
  if (section) yield toSection(section);
}

function toSection(section: { lines: Buffer[]; truncated: boolean }): PatchSection {
  return { text: Buffer.concat(section.lines).toString('utf8'), truncated: section.truncated };
}
