/** Index helpers for arrays kept in ascending `seq` order (the event window and its filtered views). */

/** The first index whose seq is ≥ `seq` (the array's length when none is). */
export function lowerBound(rows: readonly { seq: number }[], seq: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle]!.seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The index of the row with exactly this seq, or -1. */
export function indexOfSeq(rows: readonly { seq: number }[], seq: number): number {
  const index = lowerBound(rows, seq);
  return rows[index]?.seq === seq ? index : -1;
}
