import { randomUUID } from 'node:crypto';
import { copyFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { addAll, type AddOutcome } from './add-all.ts';
import { GitError, git, gitScript, scriptFailure, streamGitScript, type GitLocation } from './git.ts';
import { diffTrees, noTreeDiff, readTreeDiff, treeDiffOptions, type TreeDiff } from './tree-diff.ts';
import { openShadowRepo, sharedIndexName, tempIndexPrefix } from './shadow-repo.ts';

/** Takes snapshots of one work tree for one run. */
export interface SnapshotSession {
  /** The shadow git directory that holds the snapshot trees. */
  readonly gitDir: string;
  /** Writes the work tree's current content as a tree object in the shadow repository and returns its id. */
  snapshot(): Promise<string>;
  /** Takes a snapshot like `snapshot()` and compares it with the earlier tree `before` (see `diffTrees`). */
  snapshotAndDiff(
    before: string,
    limits: { diffLimitBytes: number; maxFiles: number },
  ): Promise<{ tree: string; diff: TreeDiff }>;
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
  const ignoredList = `${indexFile}.ignored`;
  let seeded = false;
  /** Whether this snapshot is the session's first and must drop ignored entries from the copied index. */
  const seed = async (): Promise<boolean> => {
    if (seeded) return false;
    seeded = true;
    return copyIndex(sharedIndex, indexFile);
  };

  return {
    gitDir,
    async snapshot() {
      const tree = await writeSnapshotTree(location, await seed(), ignoredList);
      await publishIndex(indexFile, sharedIndex);
      return tree;
    },
    async snapshotAndDiff(before, limits) {
      const forgetIgnored = await seed();
      const output = streamGitScript(
        snapshotScript,
        [forgetIgnored ? '1' : '0', ignoredList, before],
        location,
        forgetIgnored ? 'ls-files' : 'add',
      );
      let first: { line: string | undefined; rest: AsyncIterable<Buffer> };
      try {
        first = await readFirstLine(output.stdout);
      } catch (error) {
        output.stop();
        throw error;
      }
      const added = first.line === undefined ? undefined : /^add (\d+)$/.exec(first.line);
      if (first.line === undefined || added) {
        await output.done;
        if (!added) throw new GitError('git write-tree printed nothing.', { exitCode: 0, stderr: '' });
        await addAll(location, scriptAddOutcome(Number(added[1])));
        const tree = (await git(['write-tree'], location)).trim();
        await publishIndex(indexFile, sharedIndex);
        return { tree, diff: await diffTrees(location, before, tree, limits) };
      }
      const tree = first.line;
      if (!isTreeId(tree)) {
        output.stop();
        throw new GitError(`git write-tree printed "${tree}", not a tree id.`, { exitCode: 0, stderr: '' });
      }
      await publishIndex(indexFile, sharedIndex);
      if (tree === before) {
        await output.done;
        return { tree, diff: noTreeDiff() };
      }
      return { tree, diff: await readTreeDiff({ ...output, stdout: first.rest }, limits) };
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
 * carry on from there. Otherwise it prints the tree's id on a line, and when `$3` is an earlier tree
 * other than this one, `diff-tree`'s comparison of the two after it (see `readTreeDiff`).
 */
const fail = (command: string) => `{ s=$?; echo '${scriptFailure}${command}' >&2; exit $s; }`;
const snapshotScript = `
forget=$1 ignored=$2 before=$3
shift 3
if [ "$forget" = 1 ]; then
  git "$@" ls-files -z --cached --ignored --exclude-standard >"$ignored" || ${fail('ls-files')}
  if [ -s "$ignored" ]; then
    git "$@" update-index --force-remove -z --stdin <"$ignored" || ${fail('update-index')}
  fi
fi
warnings=$(git "$@" add --all --ignore-errors 2>&1 >/dev/null)
s=$?
case $s in
  0|1) ;;
  *) printf '%s\n' "$warnings" >&2; echo '${scriptFailure}add' >&2; exit $s ;;
esac
if [ "$s" != 0 ] || [ -n "$warnings" ]; then printf '%s' "$warnings" >&2; echo "add $s"; exit 0; fi
tree=$(git "$@" write-tree) || ${fail('write-tree')}
echo "$tree"
if [ -n "$before" ] && [ "$tree" != "$before" ]; then
  # As diffTrees runs it: in the shadow repository alone, so no work tree's .gitattributes applies.
  cd "$GIT_DIR" && unset GIT_WORK_TREE GIT_INDEX_FILE && exec git "$@" diff-tree ${treeDiffOptions.join(' ')} "$before" "$tree"
fi
`;

/** What the script's stopping after `add <status>` means for `addAll`: it skipped something, or it warned. */
function scriptAddOutcome(status: number): AddOutcome {
  return status === 1 ? 'skipped' : 'warned';
}

function isTreeId(text: string): boolean {
  return /^[0-9a-f]{40}$/.test(text);
}

/** Adds the work tree to the session's index and writes it as a tree; returns the tree's id. */
async function writeSnapshotTree(
  location: GitLocation & { workTree: string },
  forgetIgnored: boolean,
  ignoredList: string,
): Promise<string> {
  const { stdout, stderr } = await gitScript(
    snapshotScript,
    [forgetIgnored ? '1' : '0', ignoredList, ''],
    location,
    forgetIgnored ? 'ls-files' : 'add',
  );
  const added = /^add (\d+)\n$/.exec(stdout);
  if (!added) {
    const tree = stdout.trim();
    if (!isTreeId(tree))
      throw new GitError(`git write-tree printed "${tree}", not a tree id.`, { exitCode: 0, stderr });
    return tree;
  }
  await addAll(location, scriptAddOutcome(Number(added[1])));
  return (await git(['write-tree'], location)).trim();
}

/** The first line of a stream (undefined if it ends first) and an iterable of everything after it. */
async function readFirstLine(
  stream: AsyncIterable<Buffer>,
): Promise<{ line: string | undefined; rest: AsyncIterable<Buffer> }> {
  const chunks = stream[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  for (;;) {
    const next = await chunks.next();
    if (next.done)
      return { line: head.length ? head.toString('utf8') : undefined, rest: (async function* () {})() };
    head = head.length ? Buffer.concat([head, next.value]) : next.value;
    const end = head.indexOf(0x0a);
    if (end === -1) continue;
    const after = head.subarray(end + 1);
    async function* rest(): AsyncGenerator<Buffer> {
      if (after.length) yield after;
      for (;;) {
        const chunk = await chunks.next();
        if (chunk.done) return;
        yield chunk.value;
      }
    }
    return { line: head.subarray(0, end).toString('utf8'), rest: rest() };
  }
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
