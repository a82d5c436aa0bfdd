import { randomUUID } from 'node:crypto';
import { copyFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { addAll } from './add-all.ts';
import { git, type GitLocation } from './git.ts';
import { openShadowRepo, sharedIndexName, tempIndexPrefix } from './shadow-repo.ts';

/** Takes snapshots of one work tree for one run. */
export interface SnapshotSession {
  /** The shadow git directory that holds the snapshot trees. */
  readonly gitDir: string;
  /** Writes the work tree's current content as a tree object in the shadow repository and returns its id. */
  snapshot(): Promise<string>;
  /** Removes the session's temporary index. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Opens a snapshot session on `workTree` (a real path) with its own temporary index, so concurrent
 * runs in one directory never contend for an index lock.
 *
 * Speed comes from the index's stat cache: git re-hashes only files whose size or mtime changed since
 * the index was written. The temporary index starts as a copy of the shadow's shared index and is
 * copied back after each snapshot, so a run's first snapshot is as fast as its last. The files of
 * nested git repositories sit in the same index (see `addAll`) and are cached alike. Known weak
 * point: the first snapshot of a directory hashes every file that is not ignored, including huge
 * binaries (a dataset, a disk image) that sit in a non-ignored path; that can take seconds per
 * gigabyte, once.
 */
export async function openSnapshotSession(workTree: string, snapshotsRoot: string): Promise<SnapshotSession> {
  const gitDir = await openShadowRepo(workTree, snapshotsRoot);
  const sharedIndex = join(gitDir, sharedIndexName);
  const indexFile = join(gitDir, `${tempIndexPrefix}${randomUUID()}`);
  const location = { cwd: workTree, gitDir, workTree, indexFile } satisfies GitLocation;
  let seeded = false;

  return {
    gitDir,
    async snapshot() {
      if (!seeded) {
        seeded = true;
        if (await copyIndex(sharedIndex, indexFile)) await forgetIgnoredFiles(location);
      }
      await addAll(location);
      const tree = (await git(['write-tree'], location)).trim();
      await publishIndex(indexFile, sharedIndex);
      return tree;
    },
    async dispose() {
      await rm(indexFile, { force: true });
      await rm(`${indexFile}.lock`, { force: true });
    },
  };
}

/**
 * Drops entries that are now ignored from a copied shared index. Entries in an index are "tracked",
 * and git keeps adding tracked files even when a `.gitignore` names them, so without this a file
 * ignored after an earlier run would be snapshotted forever. Only done before a run's first
 * snapshot: a `.gitignore` the run itself edits must not make files look deleted.
 */
async function forgetIgnoredFiles(location: GitLocation): Promise<void> {
  const ignored = await git(['ls-files', '-z', '--cached', '--ignored', '--exclude-standard'], location);
  if (ignored) await git(['update-index', '--force-remove', '-z', '--stdin'], location, ignored);
}

/** Replaces the shared index with this session's, atomically, so the next run starts from fresh stat data. */
async function publishIndex(indexFile: string, sharedIndex: string): Promise<void> {
  const staging = `${sharedIndex}.${randomUUID()}.tmp`;
  try {
    if (await copyIndex(indexFile, staging)) await rename(staging, sharedIndex);
  } catch {
    // Only the cache is lost; the next snapshot hashes a little more.
  } finally {
    await rm(staging, { force: true });
  }
}

/**
 * Copies an index file, returning false when there is none yet. The copy gets the original's mtime
 * rounded down to the second: git trusts cached stat data only for files older than the index itself
 * ("racy git"), so a copy that looked newer than its original could hide an edit made in the instant
 * the original was written. Looking slightly older only makes git re-check a few recent files, and
 * rounding (rather than subtracting) keeps repeated copies from drifting further back.
 */
async function copyIndex(from: string, to: string): Promise<boolean> {
  try {
    const { atime, mtimeMs } = await stat(from);
    await copyFile(from, to);
    await utimes(to, atime, Math.floor(mtimeMs / 1000));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
