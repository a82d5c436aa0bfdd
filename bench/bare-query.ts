import { spawn } from 'node:child_process';
import type { Options, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { AgentRuntime } from '../src/agent/run-agent.ts';

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

/**
 * The options of a bare query(): what baton gives Claude Code (binary, environment, permissions,
 * settings, preset prompt) and nothing it records with; `options` sets the directory and model and whatever else one bench varies.
 */
export function bareQueryOptions(
  runtime: AgentRuntime,
  claude: ReturnType<typeof plainSpawner>,
  options: { cwd: string; model: string } & Partial<Options>,
): Options {
  return {
    env: runtime.environment,
    pathToClaudeCodeExecutable: runtime.claudeCodePath,
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    settingSources: ['project', 'local'],
    systemPrompt: { type: 'preset', preset: 'claude_code' },
    spawnClaudeCodeProcess: claude.spawn,
    ...options,
  };
}
