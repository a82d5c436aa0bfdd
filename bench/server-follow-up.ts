import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ServerMessage } from '../src/protocol/ws-messages.ts';
import type { Services } from '../src/services/services.ts';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { callTool } from '../src/tools/call-tool.ts';
import { commandAgent } from '../src/tools/command-agent.ts';
import { createAgent } from '../src/tools/create-agent.ts';

/** The agent of one repetition: its workspace, and the labels of its three commands. */
export interface FollowUpAgent {
  name: string;
  workspace: string;
  labels: { prime: string; warm: string; cold: string };
}

export async function followUpAgent(rep: number): Promise<FollowUpAgent> {
  const workspace = await mkdtemp(join(tmpdir(), `baton-bench-follow-up-${rep}-`));
  await writeFile(join(workspace, 'notes.txt'), 'notes\n');
  const label = (kind: string) => `follow-up ${kind} ${rep} (${workspace})`;
  return {
    name: `follow-up-${rep}`,
    workspace,
    labels: { prime: label('prime'), warm: label('warm'), cold: label('cold') },
  };
}

/** One reply for each command: the model's own time is the same for both, the process is the difference. */
export const followUpTurns = (agents: FollowUpAgent[]): Turn[] =>
  agents.flatMap((agent) =>
    Object.values(agent.labels).map((label) => ({
      ...reply('Noted.'),
      match: { lastUserText: { contains: label } },
    })),
  );

/** Events that are baton's own, not Claude Code's: what comes before the agent's process answers. */
const batonOwn = new Set(['CommandQueued', 'CommandStarted', 'RunQueued', 'RunStarted']);

export interface FollowUpTiming {
  /** command_agent call → the run's RunStarted at a WebSocket client, ms. */
  runStartedMs: number;
  /** command_agent call → the run's first event from Claude Code (SystemInit, SessionStart…), ms. */
  firstEventMs: number;
  /** RunStarted said the prompt went into a warm process. */
  warm: boolean;
}

/**
 * A primed agent (one command run, not timed), then one follow-up into its warm process and, after its
 * warm process is closed, one follow-up that resumes the session in a new process (a cold one): each timed
 * from the command_agent call to its first events at a WebSocket client subscribed to `agent:<id>`.
 */
export async function warmAndCold(
  target: { services: Services; origin: string; token: string },
  agent: FollowUpAgent,
): Promise<{ warm: FollowUpTiming; cold: FollowUpTiming }> {
  const { services } = target;
  const created = await callTool(createAgent, { name: agent.name }, { services, cwd: agent.workspace });
  if (created.isError) throw new Error(created.text);
  const agentId = String((created.structured as { agent: { id: string } }).agent.id);
  const socket = new WebSocket(`${target.origin.replace('http', 'ws')}/ws`, {
    headers: { authorization: `Bearer ${target.token}` },
  });
  let onEvent: (type: string, payload: Record<string, unknown>, at: number) => void = () => {};
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    if (message.type === 'subscription.started') subscribed();
    if (message.type === 'event.appended')
      onEvent(message.event.type, message.event.payload as Record<string, unknown>, performance.now());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', topic: `agent:${agentId}` }));
  await ready;
  const service = await services.agents();

  async function command(label: string): Promise<FollowUpTiming> {
    let runStarted: number | undefined;
    let warm = false;
    let first!: (at: number) => void;
    const firstEvent = new Promise<number>((resolve) => (first = resolve));
    onEvent = (type, payload, at) => {
      if (type === 'RunStarted') {
        runStarted ??= at;
        warm = payload.warm === true;
      } else if (runStarted !== undefined && !batonOwn.has(type)) first(at);
    };
    const started = performance.now();
    const queued = await callTool(
      commandAgent,
      { name: agent.name, command: label },
      { services, cwd: agent.workspace },
    );
    if (queued.isError) throw new Error(queued.text);
    const commandId = String((queued.structured as { prompt_id: string }).prompt_id);
    const at = await firstEvent;
    const { command: row } = await service.wait(agent.workspace, agent.name, {
      commandId,
      timeoutMs: 120_000,
    });
    if (row?.status !== 'succeeded')
      throw new Error(`follow-up ${label}: ${row?.status} ${row?.error_message}`);
    return { runStartedMs: runStarted! - started, firstEventMs: at - started, warm };
  }

  await command(agent.labels.prime);
  const warm = await command(agent.labels.warm);
  await services.runtime.warm!.close(agentId); // what the idle timeout does: the next one starts a process
  const cold = await command(agent.labels.cold);
  await services.runtime.warm!.close(agentId);
  socket.close();
  return { warm, cold };
}
