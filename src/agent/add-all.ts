import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GitError, git, gitWithStderr, type GitLocation } from './git.ts';

/** The empty blob's id. Shadow repositories always use SHA-1: no user configuration reaches their `git init`. */
const emptyBlob = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';
const noObject = '0'.repeat(40);

/**
 * `git add -A` over the whole work tree (a real path, also `location.cwd`), with the files of nested
 * git repositories added like any other file rather than as a gitlink, a commit pointer that would
 * hide every edit inside them.
 *
 * git takes a directory with a `.git` for a nested repository only while the index has no entries
 * under it. So each one `git add` recorded as a gitlink (or skipped, since it has no commit yet) gets
 * a placeholder entry instead, and a second `git add -A` limited to those directories walks them as
 * plain directories: it honours their `.gitignore` files, stores stat data for the cache, and drops
 * the placeholder, whose file does not exist. Their files then stay in the index, so later snapshots
 * (and later runs, through the shared index) walk them at no extra cost; the index never keeps a
 * gitlink. Nested repositories found in those directories get the same, round after round.
 *
 * Finding them costs nothing when there are none: git warns on standard error about each nested
 * repository it adds as a gitlink and fails (exit status 1) on each it skips, so only a `git add`
 * that said something is followed by a look at the index.
 */
export async function addAll(
  location: GitLocation & { workTree: string },
  firstOutcome?: AddOutcome,
): Promise<void> {
  const expanded = new Set<string>();
  let scope: string[] = [];
  for (let round = 0; ; round++) {
    const outcome = round === 0 && firstOutcome ? firstOutcome : await add(location, scope);
    if (outcome === 'quiet') return;
    const found = await findNestedRepos(location, scope, outcome === 'skipped');
    const fresh = found.filter((path) => !expanded.has(path));
    if (fresh.length === 0) return;
    for (const path of fresh) expanded.add(path);
    await markAsDirectories(location, fresh);
    scope = fresh;
  }
}

/** What a `git add -A` said: nothing, a warning (a gitlink added), or exit status 1 (something skipped). */
export type AddOutcome = 'quiet' | 'warned' | 'skipped';

/**
 * `git add -A` over `scope` (everything when empty). With `--ignore-errors` an unreadable file or a
 * nested repository without a commit is skipped, reported by exit status 1; anything worse exits 128
 * and throws. `quiet` means git printed nothing, so it added no gitlink.
 */
async function add(location: GitLocation, scope: string[]): Promise<AddOutcome> {
  try {
    const { stderr } = await gitWithStderr(
      ['add', '--all', '--ignore-errors', '--', ...literal(scope)],
      location,
    );
    return stderr === '' ? 'quiet' : 'warned';
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return 'skipped';
    throw error;
  }
}

/** Nested repositories in `scope` that `add` did not walk into: its gitlinks and, if it skipped some, those. */
async function findNestedRepos(
  location: GitLocation & { workTree: string },
  scope: string[],
  skippedSome: boolean,
): Promise<string[]> {
  const staged = await git(['ls-files', '--stage', '-z', '--', ...literal(scope)], location);
  const found = gitlinkPaths(staged);
  if (!skippedSome) return found;
  // What `add` skipped is still untracked; a nested repository shows as its directory, `path/`.
  const untracked = await git(
    [
      'ls-files',
      '-z',
      '--others',
      '--directory',
      '--no-empty-directory',
      '--exclude-standard',
      '--',
      ...literal(scope),
    ],
    location,
  );
  for (const entry of untracked.split('\0')) {
    if (entry.endsWith('/') && existsSync(join(location.workTree, entry, '.git')))
      found.push(entry.slice(0, -1));
  }
  return found;
}

/** Paths of the gitlinks (mode 160000) in `ls-files --stage -z` output: `<mode> <id> <stage>\t<path>` NUL. */
function gitlinkPaths(staged: string): string[] {
  const paths: string[] = [];
  const records = `\0${staged}`;
  const gitlink = '\x00160000 '; // A record's start (NUL, mode); a path cannot hold a NUL.
  for (let at = records.indexOf(gitlink); at !== -1; at = records.indexOf(gitlink, at + 1)) {
    const start = records.indexOf('\t', at) + 1;
    paths.push(records.slice(start, records.indexOf('\0', start)));
  }
  return paths;
}

/** Replaces each directory's gitlink, if any, with a placeholder entry for a file that does not exist. */
async function markAsDirectories(location: GitLocation, directories: string[]): Promise<void> {
  const placeholder = `.baton-placeholder-${randomUUID()}`;
  const records = directories.flatMap((path) => [
    `0 ${noObject}\t${path}`,
    `100644 ${emptyBlob}\t${path}/${placeholder}`,
  ]);
  await git(['update-index', '-z', '--index-info'], location, `${records.join('\0')}\0`);
}

/** Pathspecs that match exactly these paths, even when a name holds `*`, `?` or `[`. */
function literal(paths: string[]): string[] {
  return paths.map((path) => `:(literal)${path}`);
}
