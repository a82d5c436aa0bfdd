import {
  noFileChanges,
  startFileTracking,
  type FileChangeSummary,
  type FileTracking,
} from './file-tracker.ts';

/**
 * A run's file tracking. The "before" snapshot is taken while Claude Code starts, and no tool may run
 * until it exists. The "after" snapshot is taken as soon as the result arrives, while Claude Code shuts
 * down; a tool call after that (a background task finishing) makes it stale, and it is taken again.
 */
export function trackRunFiles(
  options: { cwd: string; snapshotsRoot: string; diffLimitBytes: number },
  onStarted?: (beforeTree: string) => void,
) {
  const started: Promise<FileTracking> = startFileTracking(options);
  void started.then((tracking) => {
    if (tracking.beforeTree) onStarted?.(tracking.beforeTree);
  });
  let early: Promise<FileChangeSummary | undefined> = Promise.resolve(undefined);
  let stale = false;
  return {
    /** Awaited before each tool call. */
    async toolWillRun(): Promise<void> {
      await started;
      stale = true;
    },
    resultArrived(): void {
      stale = false;
      early = early.then(() => started.then((tracking) => tracking.changes()));
    },
    /** What the run changed; the tracking is released. */
    async finish(): Promise<FileChangeSummary> {
      const tracking = await started;
      const taken = await early;
      const changes = taken && !stale ? taken : await tracking.changes();
      await tracking.dispose();
      return changes;
    },
  };
}

/** The tracking of a run whose files are not tracked: it changes nothing, as far as the ledger knows. */
export const untrackedFiles: ReturnType<typeof trackRunFiles> = Object.freeze({
  async toolWillRun() {},
  resultArrived() {},
  async finish(): Promise<FileChangeSummary> {
    return noFileChanges();
  },
});
