import { randomUUID } from 'node:crypto';
import { copyFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { addAll, addOutcome } from './add-all.ts';
import { GitError, git, gitScript, type GitLocation } from './git.ts';
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
      let forgetIgnored = false;
      if (!seeded) {
        seeded = true;
        forgetIgnored = await copyIndex(sharedIndex, indexFile);
      }
      const tree = await writeSnapshotTree(location, forgetIgnored, `${indexFile}.ignored`);
      await publishIndex(indexFile, sharedIndex);
      return tree;
    },
    async dispose() {
      await rm(indexFile, { force: true });
      await rm(`${indexFile}.lock`, { force: true });
      await rm(`${indexFile}.ignored`, { force: true });
    },
  };
}

/**
 * One snapshot's git commands, run by one shell (see `gitScript`): with `$1` = 1, first drop the
 * index entries that are now ignored (through the file `$2`); then `add --all`; then `write-tree`.
 *
 * Dropping ignored entries matters because entries in an index are "tracked", and git keeps adding
 * tracked files even when a `.gitignore` names them, so without it a file ignored after an earlier
 * run would be snapshotted forever. It is done only before a run's first snapshot: a `.gitignore`
 * the run itself edits must not make files look deleted.
 *
 * When `add` says anything (a nested repository, see `addAll`) or skips something, the script
 * stops after it and prints `add <status>`, with git's warnings on standard error, for `addAll` to
 * carry on from there.
 */
const snapshotScript = `
forget=$1 ignored=$2
shift 2
if [ "$forget" = 1 ]; then
  git "$@" ls-files -z --cached --ignored --exclude-standard >"$ignored" || { s=$?; echo 'failed ls-files'; exit $s; }
  if [ -s "$ignored" ]; then
    git "$@" update-index --force-remove -z --stdin <"$ignored" || { s=$?; echo 'failed update-index'; exit $s; }
  fi
fi
warnings=$(git "$@" add --all --ignore-errors 2>&1 >/dev/null)
s=$?
case $s in
  0|1) ;;
  *) printf '%s\n' "$warnings" >&2; echo 'failed add'; exit $s ;;
esac
if [ "$s" != 0 ] || [ -n "$warnings" ]; then printf '%s' "$warnings" >&2; echo "add $s"; exit 0; fi
git "$@" write-tree || { s=$?; echo 'failed write-tree'; exit $s; }
`;

/** Adds the work tree to the session's index and writes it as a tree; returns the tree's id. */
async function writeSnapshotTree(
  location: GitLocation & { workTree: string },
  forgetIgnored: boolean,
  ignoredList: string,
): Promise<string> {
  const firstCommand = forgetIgnored ? 'ls-files' : 'add';
  const { stdout, stderr } = await gitScript(
    snapshotScript,
    [forgetIgnored ? '1' : '0', ignoredList],
    location,
    firstCommand,
  );
  const added = /^add (\d+)\n$/.exec(stdout);
  if (!added) {
    const tree = stdout.trim();
    if (!/^[0-9a-f]{40}$/.test(tree))
      throw new GitError(`git write-tree printed "${tree}", not a tree id.`, { exitCode: 0, stderr });
    return tree;
  }
  await addAll(location, addOutcome(Number(added[1]), stderr));
  return (await git(['write-tree'], location)).trim();
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
