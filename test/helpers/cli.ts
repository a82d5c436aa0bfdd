import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { invocationFor, type Invocation } from '../../src/cli/invocation.ts';
import { testHome } from './home.ts';

const batonBin = fileURLToPath(new URL('../../bin/baton.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A clean environment for a `baton` process: nothing from the developer's shell leaks into a test. It runs
 * the TypeScript sources (BATON_FROM_SOURCE), so a test never exercises a `dist/` built from older code.
 */
export function cliEnvironment(extra: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: testHome(),
    NO_COLOR: '1',
    BATON_FROM_SOURCE: '1',
  };
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/**
 * The form in which a `baton` spawned with `env` prints the commands it suggests (`baton …` or
 * `npx baton …`, src/cli/invocation.ts): the tests' PATH decides it, as a person's does.
 */
export function batonAs(env: Record<string, string>): Invocation {
  return invocationFor({ path: env.PATH, npmCommand: env.npm_command, launcher: batonBin });
}

/** The arguments of a suggested command, `baton adw show ID` or `npx baton adw show ID` → `adw show ID`. */
export function hintArguments(command: string): string[] {
  return command.replace(/^(npx )?baton /, '').split(' ');
}

/** Runs the real `baton` executable to the end. */
export function runBaton(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [batonBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A long-running `baton` process (up, events tail) and a way to wait for its output. It is spawned as
 * `npx baton` runs it, `node bin/baton.js`, so a signal sent to it reaches what users' Ctrl-C reaches.
 */
export function startBaton(args: string[], env: Record<string, string>, options: { cwd?: string } = {}) {
  const child: ChildProcess = spawn(process.execPath, [batonBin, ...args], {
    env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    exited,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`never printed ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
