import { ExitCode } from './exit-codes.ts';

// Handlers that stop the work gracefully on Ctrl-C; while there are none, Ctrl-C ends the process at once.
let graceful = 0;
let interrupted = false;

/**
 * Installed once, before any command runs: every Ctrl-C is noted (the command then exits 130 however it
 * ends), and one that no graceful handler takes ends the process at once with 130. Without it, node would
 * die of the signal, and `npx baton` or a script would see a different code than the documented one.
 */
export function exitOnInterrupt(): void {
  process.on('SIGINT', () => {
    interrupted = true;
    if (graceful === 0) process.exit(ExitCode.interrupted);
  });
}

/** Whether the person pressed Ctrl-C: the command's exit code is then 130 (see ExitCode.interrupted). */
export function wasInterrupted(): boolean {
  return interrupted;
}

/**
 * Waits for Ctrl-C, or SIGTERM from a supervisor (which stops cleanly and exits 0). `remove` stops
 * waiting when the work ended on its own; from then on a Ctrl-C ends the process at once.
 */
export function stopSignal(): { stopped: Promise<NodeJS.Signals>; remove(): void } {
  let remove = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      remove();
      resolve(signal);
    };
    graceful++;
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    remove = () => {
      remove = () => {};
      graceful--;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
  });
  return { stopped, remove: () => remove() };
}

/** Resolves when the user stops the process (Ctrl-C, or SIGTERM from a supervisor). */
export async function untilStopped(): Promise<void> {
  await stopSignal().stopped;
}

/**
 * The first Ctrl-C calls `onFirst` (stop the work gracefully); a second one exits at once. Returns a
 * function that removes the handler when the work ended on its own.
 */
export function onInterrupt(onFirst: () => void): () => void {
  let pressed = false;
  const handler = () => {
    if (pressed) process.exit(ExitCode.interrupted);
    pressed = true;
    onFirst();
  };
  graceful++;
  process.on('SIGINT', handler);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    graceful--;
    process.off('SIGINT', handler);
  };
}
