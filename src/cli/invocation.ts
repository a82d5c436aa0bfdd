import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { packageRoot } from '../config/package-root.ts';

/** How a person runs this install of baton from a shell: the form every hint the CLI prints starts with. */
export type Invocation = 'baton' | 'npx baton';

export interface InvocationContext {
  /** The shell's search path (`PATH`). */
  path: string | undefined;
  /** What npm ran us as (`npm_command`): `exec` under `npx`. */
  npmCommand: string | undefined;
  /** This install's launcher, `<package root>/bin/baton.js`. */
  launcher: string;
}

/**
 * `baton` when typing it runs this install: the first `baton` on the PATH outside a `node_modules/.bin`
 * (such a shim is only on the PATH while npm runs something) resolves to this install's launcher, as
 * after `npm link` or a global install. Otherwise `npx baton`, which works in the install's directory
 * after `npm ci`. Under `npx` (npm_command `exec`) the answer is `npx baton` too: the person typed that,
 * and npx puts shims on the PATH that the shell they return to does not have.
 */
export function invocationFor(context: InvocationContext): Invocation {
  if (context.npmCommand === 'exec') return 'npx baton';
  const launcher = realPath(context.launcher);
  for (const dir of (context.path ?? '').split(delimiter)) {
    if (dir === '' || isNpmShimDir(dir)) continue;
    const candidate = join(dir, 'baton');
    if (!isExecutable(candidate)) continue;
    // The first `baton` the shell would run decides: another install's earlier on the PATH wins over ours.
    return launcher !== undefined && realPath(candidate) === launcher ? 'baton' : 'npx baton';
  }
  return 'npx baton';
}

let cached: Invocation | undefined;

/** This process's invocation, decided once (a few stat calls, only when a hint is printed). */
export function baton(): Invocation {
  cached ??= invocationFor({
    path: process.env.PATH,
    npmCommand: process.env.npm_command,
    launcher: join(packageRoot(), 'bin', 'baton.js'),
  });
  return cached;
}

/**
 * A message with every backquoted command (`` `baton …` ``) in the form that works here. Messages from
 * the services (the server and the MCP tools say them too) name commands as `baton …`; the CLI prints
 * them through this.
 */
export function withInvocation(message: string, invocation: Invocation = baton()): string {
  return invocation === 'baton' ? message : message.replace(/`baton(?=[ `])/g, `\`${invocation}`);
}

function isNpmShimDir(dir: string): boolean {
  return (
    dir.replace(/[\\/]+$/, '').endsWith(`${sep}node_modules${sep}.bin`) || dir === `node_modules${sep}.bin`
  );
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function realPath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}
