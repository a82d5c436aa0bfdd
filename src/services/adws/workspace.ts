import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import lockfile from 'proper-lockfile';
import { promisify } from 'node:util';
import { describeError } from '../../core/errors.ts';
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
  const top = await git(cwd, 'rev-parse', '--show-toplevel').catch(() => undefined);
  if (!top) return { cwd, inPlaceReason: 'not a git repository' };
  const head = await git(top, 'rev-parse', '--verify', 'HEAD').catch(() => undefined);
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

/** Removes a worktree and its branch made for an ADW that was not recorded after all. */
export async function removeWorkspace(cwd: string, workspace: Workspace): Promise<void> {
  if (!workspace.worktreePath || !workspace.branch) return;
  const top = await git(cwd, 'rev-parse', '--show-toplevel');
  await withRepositoryLock(top, dirname(workspace.worktreePath), async () => {
    await git(top, 'worktree', 'remove', '--force', workspace.worktreePath!);
    await git(top, 'branch', '-D', workspace.branch!);
  });
}

async function withRepositoryLock<T>(top: string, worktreesRoot: string, work: () => Promise<T>): Promise<T> {
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
  await git(worktreePath, 'add', '-A');
  const staged = await git(worktreePath, 'diff', '--cached', '--name-only');
  if (staged) {
    const identity = (await git(worktreePath, 'config', 'user.email').catch(() => ''))
      ? []
      : ['-c', 'user.name=baton', '-c', 'user.email=baton@localhost'];
    try {
      await git(worktreePath, ...identity, 'commit', '-q', '--no-verify', '-m', message);
    } catch (error) {
      throw new Error(`Could not commit the ADW's changes in ${worktreePath}: ${describeError(error)}`);
    }
  }
  const head = await git(worktreePath, 'rev-parse', 'HEAD');
  return head === baseCommit ? undefined : head;
}
