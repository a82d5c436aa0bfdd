import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
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
  options: { adwId: string; slug: string; inPlace: boolean; worktreesRoot: string },
): Promise<Workspace> {
  if (options.inPlace) return { cwd, inPlaceReason: 'asked to work in place (--in-place)' };
  const top = await git(cwd, 'rev-parse', '--show-toplevel').catch(() => undefined);
  if (!top) return { cwd, inPlaceReason: 'not a git repository' };
  const head = await git(top, 'rev-parse', '--verify', 'HEAD').catch(() => undefined);
  if (!head) return { cwd, inPlaceReason: 'the repository has no commit to branch from' };
  const id8 = shortId(options.adwId);
  const branch = `adw/${options.slug}-${id8}`;
  const worktreePath = join(options.worktreesRoot, `${basename(top)}-${id8}`);
  await mkdir(options.worktreesRoot, { recursive: true });
  await git(top, 'worktree', 'add', '-q', '-b', branch, worktreePath, head);
  // An ADW started from a subdirectory of the repository works in the same subdirectory of its worktree.
  return { cwd: join(worktreePath, relative(top, cwd)), worktreePath, branch, baseCommit: head };
}

/** Whether the directory an ADW works in exists on this machine (a retry elsewhere may not have it). */
export function workspaceExists(cwd: string): boolean {
  return existsSync(cwd);
}

/**
 * Commits what the ADW changed in its worktree, so the branch can be merged. Returns the commit, or
 * undefined when nothing changed.
 */
export async function commitWorkspace(worktreePath: string, message: string): Promise<string | undefined> {
  await git(worktreePath, 'add', '-A');
  const staged = await git(worktreePath, 'diff', '--cached', '--name-only');
  if (!staged) return undefined;
  const identity = (await git(worktreePath, 'config', 'user.email').catch(() => ''))
    ? []
    : ['-c', 'user.name=baton', '-c', 'user.email=baton@localhost'];
  try {
    await git(worktreePath, ...identity, 'commit', '-q', '--no-verify', '-m', message);
  } catch (error) {
    throw new Error(`Could not commit the ADW's changes in ${worktreePath}: ${describeError(error)}`);
  }
  return git(worktreePath, 'rev-parse', 'HEAD');
}
