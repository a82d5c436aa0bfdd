import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';

/**
 * util-linux's `setpriv` can ask the kernel to kill a process when its parent dies. A Claude Code
 * process outliving its baton process (killed with SIGKILL, a crashed machine session) would otherwise
 * keep running its turns and editing files while a retried step works in the same tree.
 */
export function findSetpriv(): string | undefined {
  return ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
}

export interface ClaudeCodeProcessOptions {
  /** `setpriv` path: when given, Claude Code is killed as soon as this process dies. */
  setpriv?: string;
  onStderr(text: string): void;
}

/**
 * Starts Claude Code the way the SDK would, with two changes: the process leads its own process group
 * (so stopping a run can take its shell commands with it) and, where possible, dies with its parent.
 */
export function spawnClaudeCode(
  spawnOptions: SpawnOptions,
  options: ClaudeCodeProcessOptions,
): ChildProcessWithoutNullStreams {
  const [command, args] = options.setpriv
    ? [options.setpriv, ['--pdeathsig', 'KILL', '--', spawnOptions.command, ...spawnOptions.args]]
    : [spawnOptions.command, spawnOptions.args];
  const child = spawn(command, args, {
    cwd: spawnOptions.cwd,
    env: spawnOptions.env,
    signal: spawnOptions.signal,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stderr.on('data', (chunk: Buffer) => options.onStderr(chunk.toString('utf8')));
  return child;
}

/** Kills a process group started by spawnClaudeCode; a group that is already gone is fine. */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
