import { spawn } from 'node:child_process';
import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';

/**
 * How a bare SDK query() starts Claude Code (the limit baton is measured against): a plain spawn, with
 * a way to await the process's exit, so a bare run is timed to the same end as a recorded one.
 */
export function plainSpawner() {
  let exited: Promise<void> = Promise.resolve();
  return {
    spawn(options: SpawnOptions) {
      const child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env,
        signal: options.signal,
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      return child;
    },
    /** Resolves when the last process spawned has exited. */
    exited: () => exited,
  };
}
