import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { killProcessGroup, spawnClaudeCode } from './spawn-claude-code.ts';

/**
 * The Claude Code process of one run, as baton starts it (the SDK's `spawnClaudeCodeProcess`): leading its
 * own process group, so stopping the run takes its shell commands with it; dying with its parent where
 * `setpriv` exists; with the tail of its stderr kept to explain a crash, and its lifetime measured.
 */
export function createClaudeProcess(options: {
  setpriv?: string;
  abort: AbortController;
  onStarted?: (pid: number) => void;
}) {
  let pid: number | undefined;
  let stderrTail = '';
  let exited: Promise<number> | undefined;
  return {
    spawn(spawnOptions: SpawnOptions): ChildProcessWithoutNullStreams {
      const child = spawnClaudeCode(spawnOptions, {
        setpriv: options.setpriv,
        onStderr: (text) => {
          stderrTail = (stderrTail + text).slice(-4_000);
        },
      });
      pid = child.pid;
      const spawnedAt = Date.now();
      exited = new Promise((resolve) => child.once('exit', () => resolve(Date.now() - spawnedAt)));
      if (child.pid !== undefined) options.onStarted?.(child.pid);
      return child;
    },
    /** Kills Claude Code and everything it started. */
    kill(): void {
      options.abort.abort();
      if (pid !== undefined) killProcessGroup(pid);
    },
    /**
     * How long the process lived, once it has exited (undefined if it never started). What it left
     * behind in its process group (a tool's child still starting when the run was interrupted, a
     * background command) is killed then: a run leaves no process of its own running.
     */
    async lifetime(): Promise<number | undefined> {
      const lived = await (exited ?? Promise.resolve(undefined));
      if (pid !== undefined) killProcessGroup(pid);
      return lived;
    },
    get stderrTail(): string {
      return stderrTail;
    },
    /** The process's id once it has been spawned. */
    get pid(): number | undefined {
      return pid;
    },
  };
}

export type ClaudeProcess = ReturnType<typeof createClaudeProcess>;
