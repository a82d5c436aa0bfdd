import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../core/errors.ts';

export interface GitOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git in `cwd` with no shell; a non-zero exit is returned, not thrown (grep's 1 means "none"). */
export function git(cwd: string, args: string[], input?: string): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-c', 'core.quotepath=false', ...args],
      { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * The commit the expertise is checked against (HEAD). An expert needs one: its versions name the code
 * they were checked at, and `--since` and staleness diff against it.
 */
export async function headCommit(cwd: string): Promise<string> {
  const inside = await git(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') {
    throw new UserError(`${cwd} is not a git repository: experts check their expertise against git.`, {
      field: 'cwd',
    });
  }
  const head = await git(cwd, ['rev-parse', '--verify', '-q', 'HEAD']);
  if (head.code !== 0) {
    throw new UserError(
      `The repository at ${cwd} has no commits yet: commit the code first, so the expertise can name the commit it was checked against.`,
      { field: 'cwd' },
    );
  }
  return head.stdout.trim();
}

/** `rev` as a full commit id, or a UserError naming `field` (`--since`). */
export async function resolveRevision(cwd: string, rev: string, field: string): Promise<string> {
  // A revision starting with "-" would be read as an option; nothing a person types needs one.
  const resolved =
    /^[\w./@^~{}:-]{1,200}$/.test(rev) && !rev.startsWith('-')
      ? await git(cwd, ['rev-parse', '--verify', '-q', '--end-of-options', `${rev}^{commit}`])
      : undefined;
  if (!resolved || resolved.code !== 0) {
    throw new UserError(`${field} ${rev} is not a commit of the repository at ${cwd}.`, { field });
  }
  return resolved.stdout.trim();
}

/** Tracked and untracked (not ignored) files changed since `commit`, in the work tree. */
export async function filesChangedSince(cwd: string, commit: string): Promise<string[]> {
  const [changed, untracked] = await Promise.all([
    git(cwd, ['diff', '--name-only', '--end-of-options', commit]),
    git(cwd, ['ls-files', '--others', '--exclude-standard']),
  ]);
  if (changed.code !== 0) return [];
  const files = new Set([...lines(changed.stdout), ...lines(untracked.stdout)]);
  return [...files].sort();
}

/**
 * A unified diff from `before` to `after` (empty when equal), from git's own diff of two scratch files
 * (`--no-index`), so nothing is written into the project's repository.
 */
export async function unifiedDiff(name: string, before: string, after: string): Promise<string> {
  if (before === after) return '';
  const dir = await mkdtemp(join(tmpdir(), 'baton-expertise-diff-'));
  try {
    await Promise.all([writeFile(join(dir, 'a'), before), writeFile(join(dir, 'b'), after)]);
    const diff = await git(dir, ['diff', '--no-index', '--no-color', '--no-ext-diff', '--', 'a', 'b']);
    // Name the expertise file instead of the scratch files, so the diff reads like any other.
    return diff.stdout
      .replace(/^diff --git .*\n/m, `diff --git a/${name} b/${name}\n`)
      .replace(/^index .*\n/m, '')
      .replace(/^--- .*$/m, `--- a/${name}`)
      .replace(/^\+\+\+ .*$/m, `+++ b/${name}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}
