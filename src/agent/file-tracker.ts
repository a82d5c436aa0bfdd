import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { UserError, describeError } from '../core/errors.ts';
import { GitError, git } from './git.ts';
import { openSnapshotSession, type SnapshotSession } from './snapshot.ts';

/** One file a run created, modified or deleted. */
export interface FileChange {
  /** Relative to the run's working directory, with forward slashes. */
  path: string;
  /** A type change (a file replaced by a symlink, say) counts as modified. */
  status: 'created' | 'modified' | 'deleted';
  linesAdded: number;
  linesRemoved: number;
  /** Binary by git's rules (a NUL byte near the start, a `binary` attribute) or larger than 32 MiB. */
  binary: boolean;
  /** The file's unified diff with its `diff --git` header; null for binary files. */
  diff: string | null;
  /** True when `diff` stops early, at a line end, to stay within the byte limit. */
  diffTruncated: boolean;
}

/** What one run changed in its working directory. */
export interface FileChangeSummary {
  /** In git's path order, at most `maxFiles` of them. */
  files: FileChange[];
  /** Over every changed file, including those left out of `files`. */
  totalAdded: number;
  totalRemoved: number;
  /** True when more files changed than `files` lists. */
  truncatedFileList: boolean;
  /** Set when the changes could not be recorded; `files` is then empty. */
  error?: string;
  /** Snapshot tree ids in the shadow repository, for a later `git diff-tree`. */
  beforeTree?: string;
  afterTree?: string;
}

/** File tracking for one run, started before the agent begins. */
export interface FileTracking {
  /**
   * The before snapshot's tree id, for `changesSince` when the run's process dies before `finish()`;
   * undefined when tracking could not start.
   */
  readonly beforeTree: string | undefined;
  /**
   * Snapshots the directory now and reports what changed since the start, keeping the session open for
   * a later look. Never rejects. Calls must not overlap.
   */
  changes(): Promise<FileChangeSummary>;
  /** Snapshots the directory again and reports what changed since the start. Never rejects; call once. */
  finish(): Promise<FileChangeSummary>;
  /** Releases the temporary index without reporting; for a run abandoned before `finish()`. */
  dispose(): Promise<void>;
}

/** Where to track and how much to report; see `startFileTracking`. */
export interface FileTrackingOptions {
  /** The directory the agent runs in. Reported paths are relative to it. */
  cwd: string;
  /** Where baton keeps one shadow git directory per working directory, such as `<BATON_HOME>/snapshots`. */
  snapshotsRoot: string;
  /** Bytes of diff kept per file. @default 65536 */
  diffLimitBytes?: number;
  /** Files listed in a summary; the totals still count all of them. @default 500 */
  maxFiles?: number;
}

/**
 * Snapshots `cwd` and returns a tracker whose `finish()` reports exactly what changed between this
 * snapshot and the one `finish()` takes: changes made before the run (a dirty git checkout, an
 * earlier run) are not reported, and the directory need not be a git repository. Snapshots are
 * tree objects in a shadow git directory under `snapshotsRoot`; the directory's own `.git` is
 * never read or written, while its `.gitignore` files are honoured.
 *
 * Never throws: when the first snapshot fails (no git, no such directory) the returned tracker's
 * `finish()` resolves with `error` set, so a run is never broken by its bookkeeping.
 *
 * Git repositories nested in `cwd` (a vendored checkout, a `git clone` the agent ran, with or
 * without a commit) are tracked file by file like the rest, at any depth, with paths relative to
 * `cwd` and their own `.gitignore` files honoured; their `.git` is never written either (git looks
 * into it only to recognise a repository). `beforeTree` and `changesSince` report a run's changes
 * after its process is gone.
 *
 * Known limits: runs that overlap in one directory each see the other's changes too, since
 * snapshots cannot tell who wrote a file. `.gitignore` files above `cwd` (when `cwd` is a
 * subdirectory of a repository) and any repository's `.git/info/exclude` are not read, a
 * `.gitignore` also applies to the nested repositories below it (git itself would not apply it
 * there), and files a repository tracks although a `.gitignore` names them are not tracked here.
 * Whatever appears in `cwd` is hashed by the next snapshot, so a large repository cloned during a
 * run costs its `finish()` the time to hash it, once.
 */
export async function startFileTracking(options: FileTrackingOptions): Promise<FileTracking> {
  let session: SnapshotSession | undefined;
  try {
    const limits = readLimits(options);
    session = await openSession(options);
    const before = await session.snapshot();
    return tracking(session, before, limits);
  } catch (error) {
    await session?.dispose().catch(() => {});
    return failedTracking(notRecorded(error));
  }
}

/**
 * Snapshots `cwd` now and reports what changed since `beforeTree`, a `FileTracking.beforeTree` taken
 * earlier in the same directory with the same `snapshotsRoot` on this host: the changes of a run
 * whose process was killed before `finish()`. Never throws: `error` is set when that tree is not in
 * the shadow repository or the snapshot fails.
 */
export async function changesSince(
  options: FileTrackingOptions,
  beforeTree: string,
): Promise<FileChangeSummary> {
  let session: SnapshotSession | undefined;
  try {
    const limits = readLimits(options);
    if (!/^[0-9a-f]{40}$/.test(beforeTree))
      throw new UserError(`the snapshot tree "${beforeTree}" is not a tree id (40 hexadecimal digits).`);
    session = await openSession(options);
    await requireTree(session.gitDir, beforeTree, options);
    return await summarize(session, beforeTree, limits);
  } catch (error) {
    return { ...noFileChanges(), error: notRecorded(error), beforeTree };
  } finally {
    await session?.dispose().catch(() => {});
  }
}

async function openSession(options: FileTrackingOptions): Promise<SnapshotSession> {
  return openSnapshotSession(await resolveWorkTree(options.cwd), options.snapshotsRoot);
}

/** Snapshots the work tree again and diffs it against `before`. */
async function summarize(
  session: SnapshotSession,
  before: string,
  limits: { diffLimitBytes: number; maxFiles: number },
): Promise<FileChangeSummary> {
  const { tree, diff } = await session.snapshotAndDiff(before, limits);
  return { ...diff, beforeTree: before, afterTree: tree };
}

async function requireTree(gitDir: string, tree: string, options: FileTrackingOptions): Promise<void> {
  try {
    await git(['cat-file', '-e', `${tree}^{tree}`], { cwd: gitDir, gitDir });
  } catch (error) {
    if (error instanceof GitError && error.exitCode === null) throw error;
    throw new UserError(
      `the snapshot tree ${tree} is not in the shadow repository of ${options.cwd} under ${options.snapshotsRoot}; ` +
        'pass a tree recorded by a run in this directory, on this host, with the same snapshots directory.',
      { cause: error },
    );
  }
}

function tracking(
  session: SnapshotSession,
  before: string,
  limits: { diffLimitBytes: number; maxFiles: number },
): FileTracking {
  let disposed = false;
  let summary: Promise<FileChangeSummary> | undefined;
  const dispose = async () => {
    disposed = true;
    await session.dispose().catch(() => {});
  };
  const changes = async (): Promise<FileChangeSummary> => {
    if (disposed)
      return {
        ...noFileChanges(),
        error: notRecorded('finish() was called after dispose()'),
        beforeTree: before,
      };
    try {
      return await summarize(session, before, limits);
    } catch (error) {
      return { ...noFileChanges(), error: notRecorded(error), beforeTree: before };
    }
  };
  const finish = async (): Promise<FileChangeSummary> => {
    try {
      return await changes();
    } finally {
      await dispose();
    }
  };
  return {
    beforeTree: before,
    changes,
    finish: () => (summary ??= finish()),
    dispose,
  };
}

function failedTracking(error: string): FileTracking {
  return {
    beforeTree: undefined,
    changes: async () => ({ ...noFileChanges(), error }),
    finish: async () => ({ ...noFileChanges(), error }),
    dispose: async () => {},
  };
}

/** What a run that changed nothing reports. */
export function noFileChanges(): FileChangeSummary {
  return { files: [], totalAdded: 0, totalRemoved: 0, truncatedFileList: false };
}

function notRecorded(error: unknown): string {
  return `File changes were not recorded: ${describeError(error)}`;
}

function readLimits(options: FileTrackingOptions): { diffLimitBytes: number; maxFiles: number } {
  const diffLimitBytes = options.diffLimitBytes ?? 64 * 1024;
  const maxFiles = options.maxFiles ?? 500;
  for (const [name, value] of [
    ['diffLimitBytes', diffLimitBytes],
    ['maxFiles', maxFiles],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new UserError(`${name} must be a whole number of at least 1; it was ${value}.`, {
        code: 'config',
      });
    }
  }
  return { diffLimitBytes, maxFiles };
}

/** The real path of `cwd`, after checking that it is a directory this process can list. */
async function resolveWorkTree(cwd: string): Promise<string> {
  let path: string;
  try {
    path = await realpath(cwd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `the working directory ${cwd} does not exist.`
        : `the working directory ${cwd} cannot be resolved (${describeError(error)}).`,
      { cause: error },
    );
  }
  if (!(await stat(path)).isDirectory())
    throw new UserError(`the working directory ${cwd} is not a directory.`);
  try {
    await access(path, constants.R_OK | constants.X_OK);
  } catch (error) {
    throw new UserError(
      `the working directory ${cwd} cannot be read by this process; give its user read and execute permission.`,
      { cause: error },
    );
  }
  return path;
}
