import { displayWidth, fitLines } from './fit-width.ts';

/** A block of lines redrawn in place at the bottom of a terminal, with messages printed above it. */
export interface LiveBlock {
  /** Draws `frame` in place of the previous one. */
  update(frame: string): void;
  /**
   * Prints `text` above the block, which is then drawn again below it: the text stays on the screen and
   * in the scrollback, and no copy of the block is left behind.
   */
  message(text: string, stream?: 'stdout' | 'stderr'): void;
  /** Leaves the last frame on the screen as ordinary output and gives the streams back. */
  done(): void;
}

type Write = NodeJS.WriteStream['write'];

const escape = '\u001b[';
const hideCursor = `${escape}?25l`;
const showCursor = `${escape}?25h`;

/**
 * Takes over a terminal's stdout for a live block. While it is drawn, whatever else this process writes
 * to stdout or to a stderr on the same terminal (a service's warning, a log line, the Ctrl-C
 * acknowledgement) goes through `message`: otherwise the next redraw would erase the wrong rows and
 * leave stale frames in the scrollback. Every line is fitted to the terminal's width, so each takes
 * exactly one row; the block is redrawn when the terminal is resized.
 */
export function startLiveBlock(
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): LiveBlock {
  const writeOut = out.write.bind(out) as (text: string) => boolean;
  const writeErr = err.write.bind(err) as (text: string) => boolean;
  const originals = new Map<NodeJS.WriteStream, Write>([[out, out.write]]);
  if (err.isTTY && err !== out) originals.set(err, err.write);

  let frame = '';
  // The widths of the lines on the screen now, to know how many rows they take after a resize.
  let drawn: number[] = [];
  let drawnColumns = columnsOf(out);
  const partial = new Map<'stdout' | 'stderr', string>();
  let finished = false;

  function rowsOnScreen(): number {
    const columns = columnsOf(out);
    // A terminal that reflows (tmux, most emulators) splits a line that no longer fits into several rows.
    return drawn.reduce(
      (rows, width) => rows + (columns < drawnColumns ? Math.max(1, Math.ceil(width / columns)) : 1),
      0,
    );
  }

  function erase(): void {
    const rows = rowsOnScreen();
    if (rows > 0) writeOut(`\r${escape}${rows}A${escape}J`);
    drawn = [];
  }

  function draw(): void {
    const columns = columnsOf(out);
    // Taller than the screen, the top would scroll out of reach of the next erase: keep the bottom rows.
    const height = Math.max(1, (out.rows ?? 24) - 1);
    let lines = fitLines(frame, columns);
    if (lines.length > height)
      lines = [`… ${lines.length - height + 1} lines above`, ...lines.slice(-height + 1)];
    writeOut(`${lines.join('\n')}\n`);
    drawn = lines.map(displayWidth);
    drawnColumns = columns;
  }

  function print(text: string, stream: 'stdout' | 'stderr'): void {
    const pending = (partial.get(stream) ?? '') + text;
    const end = pending.lastIndexOf('\n');
    partial.set(stream, end === -1 ? pending : pending.slice(end + 1));
    if (end === -1) return;
    erase();
    (stream === 'stdout' ? writeOut : writeErr)(pending.slice(0, end + 1));
    draw();
  }

  const onResize = () => {
    if (finished) return;
    erase();
    draw();
  };

  const intercept = (stream: NodeJS.WriteStream, name: 'stdout' | 'stderr') => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      print(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(), name);
      const callback = rest.find((value) => typeof value === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Write;
  };
  intercept(out, 'stdout');
  if (originals.has(err)) intercept(err, 'stderr');
  out.on('resize', onResize);
  // A second Ctrl-C ends the process at once: the cursor must not stay hidden.
  const showCursorAtExit = () => writeOut(showCursor);
  process.once('exit', showCursorAtExit);
  writeOut(hideCursor);

  return {
    update(next) {
      if (finished || next === frame) return;
      frame = next;
      erase();
      draw();
    },
    message(text, stream = 'stdout') {
      if (finished) return void (stream === 'stdout' ? writeOut : writeErr)(`${text}\n`);
      print(`${text}\n`, stream);
    },
    done() {
      if (finished) return;
      finished = true;
      out.off('resize', onResize);
      process.off('exit', showCursorAtExit);
      for (const [stream, write] of originals) stream.write = write;
      writeOut(showCursor);
      for (const [name, rest] of partial) if (rest) (name === 'stdout' ? writeOut : writeErr)(`${rest}\n`);
    },
  };
}

function columnsOf(stream: NodeJS.WriteStream): number {
  return stream.columns > 0 ? stream.columns : 80;
}
