/** Resolves when the user stops the process (Ctrl-C, or SIGTERM from a supervisor). */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * The first Ctrl-C calls `onFirst` (stop the work gracefully); a second one exits at once. Returns a
 * function that removes the handler when the work ended on its own.
 */
export function onInterrupt(onFirst: () => void): () => void {
  const first = () => {
    onFirst();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', first);
  return () => process.off('SIGINT', first);
}
