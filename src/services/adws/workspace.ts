import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import lockfile from 'proper-lockfile';
import { promisify } from 'node:util';
import { shortId } from '../../core/ids.ts';

const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return stdout.trim();
}

/** Where an ADW works. */
export interface Workspace {
  /** The directory its agents run in. */
  cwd: string;
  worktreePath?: string;
  branch?: string;
  /** The commit the worktree started from. */
  baseCommit?: string;
  /** Why the ADW works in place, when it does. */
  inPlaceReason?: string;
}

/**
 * In a git repository each ADW gets its own worktree on its own branch (`adw/<slug>-<id8>`) under
 * baton's data directory, so ADWs running at once on one repository never see each other's edits. It
 * starts from HEAD: uncommitted changes in the user's tree are not in it. Outside git, or with
 * `inPlace`, the ADW works in the directory given.
 */
export async function prepareWorkspace(
  cwd: string,
  options: {
    adwId: string;
    slug: string;
    inPlace: boolean;
    worktreesRoot: string;
    /** The branch is `<prefix>/<slug>-<id8>`. @default 'adw' */
    branchPrefix?: string;
  },
): Promise<Workspace> {
  if (options.inPlace) return { cwd, inPlaceReason: 'asked to work in place (--in-place)' };
  const { top, head } = await repositoryOf(cwd);
  if (!top) return { cwd, inPlaceReason: 'not a git repository' };
  if (!head) return { cwd, inPlaceReason: 'the repository has no commit to branch from' };
  const id8 = shortId(options.adwId);
  const branch = `${options.branchPrefix ?? 'adw'}/${options.slug}-${id8}`;
  const worktreePath = join(options.worktreesRoot, `${basename(top)}-${id8}`);
  await mkdir(options.worktreesRoot, { recursive: true });
  // git writes a repository's worktree list non-atomically: two `worktree add` at once can break each
  // other (`failed to read .git/worktrees/…/commondir`), so they take turns, across processes too.
  await withRepositoryLock(top, options.worktreesRoot, () =>
    git(top, 'worktree', 'add', '-q', '-b', branch, worktreePath, head),
  );
  // An ADW started from a subdirectory of the repository works in the same subdirectory of its worktree.
  return { cwd: join(worktreePath, relative(top, cwd)), worktreePath, branch, baseCommit: head };
}

/**
 * The top of the git repository `cwd` is in and its HEAD commit, from one git process: it prints the
 * top and exits with status 1 when there is no commit, and prints nothing when there is no repository.
 */
async function repositoryOf(cwd: string): Promise<{ top?: string; head?: string }> {
  const { stdout } = await run('git', ['rev-parse', '--show-toplevel', '--verify', '--quiet', 'HEAD'], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const [top, head] = stdout.split('\n');
  return { top: top || undefined, head: head || undefined };
}

/** Removes a worktree and its branch made for an ADW that was not recorded after all. */
export async function removeWorkspace(cwd: string, workspace: Workspace): Promise<void> {
  if (!workspace.worktreePath || !workspace.branch) return;
  const top = await git(cwd, 'rev-parse', '--show-toplevel');
  await withRepositoryLock(top, dirname(workspace.worktreePath), async () => {
    await git(top, 'worktree', 'remove', '--force', workspace.worktreePath!);
    await git(top, 'branch', '-D', workspace.branch!);
  });
}

export async function withRepositoryLock<T>(
  top: string,
  worktreesRoot: string,
  work: () => Promise<T>,
): Promise<T> {
  const lockTarget = join(
    worktreesRoot,
    `.${createHash('sha1').update(top).digest('hex').slice(0, 16)}.lock-target`,
  );
  await writeFile(lockTarget, '', { flag: 'a' });
  const release = await lockfile.lock(lockTarget, {
    stale: 30_000,
    update: 5_000,
    retries: { retries: 2_000, minTimeout: 10, maxTimeout: 50 },
    realpath: false,
  });
  try {
    return await work();
  } finally {
    await release().catch(() => {});
  }
}

/** Whether the directory an ADW works in exists on this machine (a retry elsewhere may not have it). */
export function workspaceExists(cwd: string): boolean {
  return existsSync(cwd);
}

/**
 * Commits what the ADW changed in its worktree, so the branch can be merged. Returns the branch's head
 * when the worktree holds work beyond `baseCommit` (committed now, or earlier: by this function on a
 * try that was rolled back, or by the agents themselves), or undefined when nothing changed at all.
 */
export async function commitWorkspace(
  worktreePath: string,
  message: string,
  baseCommit: string | undefined,
): Promise<string | undefined> {
  const { stdout } = await run('/bin/sh', ['-c', commitScript, 'sh', message], {
    cwd: worktreePath,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  }).catch((error: { stdout?: string; stderr?: string; message?: string }) => {
    const failed = /(?:^|\n)failed (\S+)\n$/.exec(error.stdout ?? '')?.[1];
    const detail = error.stderr?.trim() || error.message;
    if (failed === 'commit')
      throw new Error(`Could not commit the ADW's changes in ${worktreePath}: ${detail}`, { cause: error });
    throw new Error(`${failed ? `git ${failed}` : 'git'} failed in ${worktreePath}: ${detail}`, {
      cause: error,
    });
  });
  const head = stdout.trim().split('\n').at(-1);
  return head === baseCommit ? undefined : head;
}

/**
 * `commitWorkspace`'s git commands in one shell, which starts each git for a fraction of what this
 * process pays: stage everything; commit it if anything is staged (as baton when the repository has
 * no identity configured), without hooks; print HEAD. `$1` is the message. A failed command prints
 * `failed <command>` and exits with its status.
 */
const commitScript = `
git add -A || { s=$?; echo 'failed add'; exit $s; }
git diff --cached --quiet
s=$?
case $s in
  0) ;;
  1)
    if git config user.email >/dev/null; then
      git commit -q --no-verify -m "$1"
    else
      git -c user.name=baton -c user.email=baton@localhost commit -q --no-verify -m "$1"
    fi || { s=$?; echo 'failed commit'; exit $s; } ;;
  *) echo 'failed diff'; exit $s ;;
esac
git rev-parse HEAD || { s=$?; echo 'failed rev-parse'; exit $s; }
`;
