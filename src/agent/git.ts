import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { devNull } from 'node:os';
import type { Readable } from 'node:stream';
import { AppError } from '../core/errors.ts';

/**
 * Settings passed with `-c` on every call. They win over every config file, so neither the user's
 * configuration nor a hand-edited shadow repository can change what a snapshot or a diff contains.
 */
const pinnedConfig = [
  // Store bytes as they are on disk: a line-ending conversion would show up as a change nobody made.
  'core.autocrlf=false',
  'core.safecrlf=false',
  // Paths in diff headers stay readable UTF-8 (names with quotes or tabs are still quoted).
  'core.quotepath=false',
  'core.fsmonitor=false',
  // Files above this size are hashed by streaming and never line-diffed, which keeps one huge
  // generated file from costing seconds and hundreds of megabytes; they are reported as binary.
  'core.bigFileThreshold=32m',
  // Snapshot trees are reachable from no ref; a garbage collection would delete them.
  'gc.auto=0',
  'maintenance.auto=false',
  // Only the long hint: the one-line warning about each nested repository stays, and add-all.ts relies on it.
  'advice.addEmbeddedRepo=false',
  'diff.renames=false',
].flatMap((setting) => ['-c', setting]);

/** Where a git command runs and which repository, work tree and index it uses. */
export interface GitLocation {
  /** The process's working directory; relative paths and pathspecs resolve against it. */
  cwd?: string;
  gitDir?: string;
  workTree?: string;
  /** An index file other than `<gitDir>/index` (sets GIT_INDEX_FILE). */
  indexFile?: string;
}

/** A git command that could not start or exited with a non-zero status. */
export class GitError extends AppError {
  /** The exit status, or null when git did not start (see `message`) or was killed. */
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(message: string, options: { exitCode: number | null; stderr: string; cause?: unknown }) {
    super('internal', message, { cause: options.cause });
    this.exitCode = options.exitCode;
    this.stderr = options.stderr;
  }
}

/**
 * Runs git and resolves with its standard output. Throws GitError when git is missing or exits
 * with a non-zero status; warnings on standard error alone never fail a call.
 */
export async function git(args: string[], location: GitLocation = {}, input?: string): Promise<string> {
  return (await gitWithStderr(args, location, input)).stdout;
}

/** Runs git like `git`, and also resolves with its standard error, for a caller that reads git's warnings. */
export function gitWithStderr(
  args: string[],
  location: GitLocation = {},
  input?: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      fullArgs(args, location),
      { cwd: location.cwd, env: gitEnv(location), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const code = (error as { code?: unknown }).code;
        reject(failure(args, location, typeof code === 'number' ? code : null, stderr, error));
      },
    );
    child.stdin?.on('error', () => {}); // git may exit before reading all of stdin; its exit status tells.
    child.stdin?.end(input);
  });
}

/**
 * Runs a fixed `/bin/sh` script that calls git several times, for a caller that would otherwise start
 * each of those git processes itself. Starting a process from this one costs milliseconds of CPU,
 * growing with its heap (the kernel copies its page tables, and tears them down again in the child),
 * while the small shell starts each git for a fraction of that. The script sees `scriptArgs` as
 * `$1`…, then git's pinned options, so it runs git as `git "$@" <command>` after shifting its own
 * arguments off; it gets the environment and working directory `git` would, with the repository and
 * work tree in GIT_DIR and GIT_WORK_TREE. A script reports a failed
 * git command by printing `${scriptFailure}<command>` as the last line of its standard error and
 * exiting with that command's status; this then rejects with the GitError `git` would have thrown.
 * Resolves with the script's standard output and error. Only constant scripts may be passed: nothing
 * a request supplies may become part of one.
 */
export function gitScript(
  script: string,
  scriptArgs: string[],
  location: GitLocation,
  firstCommand: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      '/bin/sh',
      shellArgs(script, scriptArgs),
      { cwd: location.cwd, env: scriptEnv(location), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const code = (error as { code?: unknown }).code;
        reject(scriptFailed(typeof code === 'number' ? code : null, stderr, error, location, firstCommand));
      },
    );
    child.stdin?.end();
  });
}

/** Like `gitScript`, with the script's standard output as a stream (see `streamGit`). */
export function streamGitScript(
  script: string,
  scriptArgs: string[],
  location: GitLocation,
  firstCommand: string,
): GitStream {
  return startStream(
    '/bin/sh',
    shellArgs(script, scriptArgs),
    location,
    scriptEnv(location),
    (code, stderr, cause) => scriptFailed(code, stderr, cause, location, firstCommand),
  );
}

/** What a `gitScript` prints before the name of the git command that failed. */
export const scriptFailure = 'baton: failed git ';

function shellArgs(script: string, scriptArgs: string[]): string[] {
  return ['-c', script, 'sh', ...scriptArgs, ...pinnedConfig];
}

/** `gitEnv`, with the repository and work tree in GIT_DIR and GIT_WORK_TREE, which a script may unset. */
function scriptEnv(location: GitLocation): NodeJS.ProcessEnv {
  const env = gitEnv(location);
  if (location.gitDir) env.GIT_DIR = location.gitDir;
  if (location.workTree) env.GIT_WORK_TREE = location.workTree;
  return env;
}

function scriptFailed(
  code: number | null,
  stderr: string,
  cause: unknown,
  location: GitLocation,
  firstCommand: string,
): GitError {
  // A shell that did not start (its working directory is gone) reports like a git that did not.
  if (code === null) return failure([firstCommand], location, null, stderr, cause);
  const at = stderr.lastIndexOf(scriptFailure);
  const command = at === -1 ? firstCommand : stderr.slice(at + scriptFailure.length).trim();
  const gitStderr = at === -1 ? stderr : stderr.slice(0, at);
  // The shell's "not found" is git missing from PATH, which `git` reports as ENOENT.
  if (code === 127) {
    const missing = Object.assign(new Error('git: not found'), { code: 'ENOENT' });
    return failure([command], {}, null, gitStderr, missing);
  }
  return failure([command], location, code, gitStderr, cause);
}

/** A git command whose standard output is read as a stream. */
export interface GitStream {
  stdout: Readable;
  /** Resolves when git exits cleanly or after `stop()`; rejects with GitError otherwise. */
  done: Promise<void>;
  /** Ends the command early, for a reader that has all it needs. */
  stop(): void;
}

/** Starts git with its standard output as a stream, for output too large to hold in memory. */
export function streamGit(args: string[], location: GitLocation = {}): GitStream {
  return startStream('git', fullArgs(args, location), location, gitEnv(location), (code, stderr, cause) =>
    failure(args, location, code, stderr, cause),
  );
}

function startStream(
  command: string,
  args: string[],
  location: GitLocation,
  env: NodeJS.ProcessEnv,
  failed: (code: number | null, stderr: string, cause?: unknown) => GitError,
): GitStream {
  const child = spawn(command, args, {
    cwd: location.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopped = false;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 16_384) stderr += text;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(failed(null, stderr, error)));
    child.on('close', (code) => {
      if (code === 0 || stopped) resolve();
      else reject(failed(code, stderr));
    });
  });
  done.catch(() => {}); // A reader that gives up early may never await it; it must not crash the process.
  return {
    stdout: child.stdout,
    done,
    stop() {
      stopped = true;
      child.kill();
    },
  };
}

function fullArgs(args: string[], location: GitLocation): string[] {
  const repository = [
    ...(location.gitDir ? [`--git-dir=${location.gitDir}`] : []),
    ...(location.workTree ? [`--work-tree=${location.workTree}`] : []),
  ];
  return [...pinnedConfig, ...repository, ...args];
}

/**
 * The parent's environment without variables that would redirect git (GIT_DIR, GIT_INDEX_FILE and
 * friends are set when baton itself runs inside a git hook), and with the system and global config
 * files switched off: a user's `diff.external`, `filter.lfs` or `core.hooksPath` must not run here.
 */
function gitEnv(location: GitLocation): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('GIT_') || name === 'GIT_EXEC_PATH') env[name] = value;
  }
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = devNull;
  env.GIT_TERMINAL_PROMPT = '0';
  if (location.indexFile) env.GIT_INDEX_FILE = location.indexFile;
  return env;
}

function failure(
  args: string[],
  location: GitLocation,
  exitCode: number | null,
  stderr: string,
  cause?: unknown,
): GitError {
  const command = `git ${args[0] ?? ''}`;
  if ((cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && exitCode === null) {
    // spawn reports a missing working directory with the same ENOENT as a missing executable.
    const message =
      location.cwd && !existsSync(location.cwd)
        ? `${command} could not start: the directory ${location.cwd} no longer exists.`
        : `${command} could not start: no git executable on PATH. Install git 2.32 or newer, or add it to PATH.`;
    return new GitError(message, { exitCode, stderr, cause });
  }
  const detail = stderr.trim().split('\n').slice(-3).join(' | ') || String(cause ?? 'no output');
  return new GitError(`${command} failed (exit status ${exitCode ?? 'none'}): ${detail}`, {
    exitCode,
    stderr,
    cause,
  });
}
