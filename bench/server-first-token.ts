import { performance } from 'node:perf_hooks';
import { query } from '@anthropic-ai/claude-agent-sdk';
import WebSocket from 'ws';
import type { AgentRuntime } from '../src/agent/run-agent.ts';
import type { ChatService } from '../src/orchestrator/chat-service.ts';
import type { ServerMessage } from '../src/protocol/ws-messages.ts';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { bareQueryOptions, plainSpawner } from './bare-query.ts';

/** What the orchestrator (and the bare query standing for the limit) says: one text block, streamed. */
const answer = 'Hello from the orchestrator: nothing is running yet.';

/** The fake model's turn for one prompt carrying `label`: the same for baton's orchestrator and the bare query. */
export function firstTokenTurn(label: string): Turn {
  return { ...reply(answer), match: { lastUserText: { contains: label } } };
}

export const firstTokenPrompt = (label: string) => `say hello (${label})`;

/**
 * Chat message → first streamed token, as a person sees it: from the POST of the message to the first
 * `event.delta` text fragment of the orchestrator reaching a WebSocket client subscribed to
 * `orchestrator`; then waits for the turn to settle. Seconds.
 */
export async function chatFirstToken(
  target: { origin: string; token: string; chat: ChatService },
  label: string,
): Promise<number> {
  const socket = new WebSocket(`${target.origin.replace('http', 'ws')}/ws`, {
    headers: { authorization: `Bearer ${target.token}` },
  });
  let started = 0;
  let subscribed!: () => void;
  let fragment!: (at: number) => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  const first = new Promise<number>((resolve) => (fragment = resolve));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    if (message.type === 'subscription.started') subscribed();
    if (message.type === 'event.delta' && message.delta.kind === 'text') fragment(performance.now());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', topic: 'orchestrator' }));
  await ready;
  started = performance.now();
  const response = await fetch(`${target.origin}/api/orchestrator/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: firstTokenPrompt(label) }),
  });
  if (response.status !== 202) throw new Error(`POST /api/orchestrator/messages: ${response.status}`);
  const sent = (await response.json()) as { message: { id: string } };
  const at = await first;
  await target.chat.settled(sent.message.id);
  socket.close();
  return (at - started) / 1000;
}

/**
 * The limit: a bare SDK query() of the same turn (same server, binary and environment, nothing
 * recorded), from the call to its first stream_event text delta; awaited to the process's exit. Seconds.
 */
export async function bareFirstToken(runtime: AgentRuntime, cwd: string, model: string, label: string) {
  const claude = plainSpawner();
  const started = performance.now();
  let first: number | undefined;
  for await (const message of query({
    prompt: firstTokenPrompt(label),
    options: bareQueryOptions(runtime, claude, { cwd, model, includePartialMessages: true }),
  })) {
    if (
      first === undefined &&
      message.type === 'stream_event' &&
      message.event.type === 'content_block_delta' &&
      message.event.delta.type === 'text_delta'
    )
      first = performance.now();
  }
  await claude.exited();
  if (first === undefined) throw new Error('the bare query streamed no text delta');
  return (first - started) / 1000;
}
