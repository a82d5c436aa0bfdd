import { realpathSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Services } from '../src/services/services.ts';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { callTool } from '../src/tools/call-tool.ts';
import { commandAgent } from '../src/tools/command-agent.ts';
import { createAgent } from '../src/tools/create-agent.ts';
import { agentTurns } from './agent-script.ts';
import { childrenRunning, cpuSeconds } from './process-stats.ts';

/** One command agent of the benchmark: its own workspace (with the file its script reads) and name. */
export interface BenchAgent {
  name: string;
  workspace: string;
}

export const commandText = (agent: BenchAgent) => `Look at the notes (bench-${agent.workspace})`;

/** `count` agents' workspaces, made before the fake model starts so its script can name them. */
export async function benchAgents(prefix: string, count: number): Promise<BenchAgent[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const workspace = await mkdtemp(join(tmpdir(), `baton-bench-${prefix}-${n}-`));
      await writeFile(join(workspace, 'notes.txt'), 'notes\n');
      return { name: `${prefix}-${n}`, workspace };
    }),
  );
}

export const commandTurns = (agents: BenchAgent[]): Turn[] =>
  agents.flatMap((agent) => agentTurns(`bench-${agent.workspace}`, agent.workspace));

export interface CommandsOutcome {
  wallS: number;
  /** CPU-seconds of this process and its reaped children (Claude Code and its shell) together. */
  cpuS: number;
  statuses: Map<string, number>;
}

/**
 * Creates `agents` (create_agent, no model turn, not timed), then gives each one command at once
 * (command_agent) and waits for all of them to end (wait_for_agent's service call, event-driven). Timed
 * from the first command_agent call until the last command has ended and its Claude Code has exited.
 */
export async function commandAll(services: Services, agents: BenchAgent[]): Promise<CommandsOutcome> {
  for (const agent of agents) {
    const created = await callTool(createAgent, { name: agent.name }, { services, cwd: agent.workspace });
    if (created.isError) throw new Error(created.text);
  }
  const service = await services.agents();
  const claudeCode = realpathSync(services.runtime.claudeCodePath!);
  const cpu = cpuSeconds();
  const started = performance.now();
  const statuses = await Promise.all(
    agents.map(async (agent) => {
      const queued = await callTool(
        commandAgent,
        { name: agent.name, command: commandText(agent) },
        { services, cwd: agent.workspace },
      );
      if (queued.isError) return `error: ${queued.text}`;
      const commandId = String((queued.structured as { prompt_id: string }).prompt_id);
      const { command } = await service.wait(agent.workspace, agent.name, { commandId, timeoutMs: 300_000 });
      return command?.status ?? 'no command';
    }),
  );
  // Its CPU counts for this process only once each Claude Code process has exited and been reaped; the
  // last ones stay warm for a follow-up, so they are closed as their idle time would.
  await services.runtime.warm?.clear();
  while (childrenRunning(claudeCode).length) await sleep(10);
  const wallS = (performance.now() - started) / 1000;
  const after = cpuSeconds();
  const counted = new Map<string, number>();
  for (const status of statuses) counted.set(status, (counted.get(status) ?? 0) + 1);
  return {
    wallS,
    cpuS: after.own - cpu.own + after.children - cpu.children,
    statuses: counted,
  };
}
