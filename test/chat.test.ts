import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelAliases } from '../src/agent/models.ts';
import { createChatService, type ChatService } from '../src/orchestrator/chat-service.ts';
import { loadConfig } from '../src/config/index.ts';
import { startServices, type Services } from '../src/services/services.ts';
import {
  lastUserMessage,
  messageText,
  type MessagesRequest,
} from '../src/testing/fake-model-server/request.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { defineTool } from '../src/tools/tool.ts';
import { useAdwHarness } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

/** A tool of the test's own: it reads the ledger, so a call shows the orchestrator really reached baton. */
const countRuns = defineTool({
  name: 'count_runs',
  description: 'Counts the agent runs in the ledger.',
  input: z.object({ status: z.enum(['running', 'succeeded']).optional() }),
  async run(input, { services }) {
    const { rows } = await services.db.pool.query<{ n: number }>(
      'select count(*)::int as n from agent_runs where $1::text is null or status = $1',
      [input.status ?? null],
    );
    return { text: `There are ${rows[0]!.n} runs.`, structured: { runs: rows[0]!.n } };
  },
});

function chatFor(services: Services, cwd: string): ChatService {
  return createChatService({
    services,
    tools: [countRuns],
    cwd,
    model: modelAliases.sonnet,
    promptContext: async () => ({ templates: [], workflows: [], slashCommands: [] }),
  });
}

describe('chat with the orchestrator', () => {
  const db = useTestDatabase();
  const harness = useAdwHarness(db);
  /** The chat of `cwd` in a fresh set of services on the same database and data directory: a restart. */
  async function chatInNextProcess(env: Record<string, string>, cwd: string): Promise<ChatService> {
    const next = await startServices(loadConfig(env));
    harness.defer(() => next.close());
    const chat = chatFor(next, cwd);
    harness.defer(() => chat.close());
    return chat;
  }

  it('runs a turn that calls a baton tool and records user, tool and text items in order', async () => {
    const { services, repo, server } = await harness.setUp([
      {
        ...turn(toolUse('mcp__baton__count_runs', {})),
        match: { lastUserText: { contains: 'how many runs' } },
      },
      {
        ...reply('You have one run so far: this chat.'),
        match: { lastToolResult: { contains: 'There are 1 runs.' } },
      },
    ]);
    const chat = chatFor(services, repo);
    harness.defer(() => chat.close());
    const { message } = await chat.send('how many runs are there?');
    expect(message.status).toBe('queued');
    await chat.settled(message.id);

    const history = await chat.history();
    expect(history.filter((item) => item.kind === 'error').map((item) => item.message)).toEqual([]);
    expect(history.map((item) => [item.sender_type, item.kind, item.status])).toEqual([
      ['user', 'text', 'done'],
      ['orchestrator', 'tool_use', 'done'],
      ['orchestrator', 'text', 'done'],
    ]);
    expect(history[1]!.message).toBe('mcp__baton__count_runs');
    expect(history[2]!.message).toBe('You have one run so far: this chat.');
    expect(history[0]!.run_id).toBeTruthy();
    server.assertComplete();
    // Its run, usage and events are recorded under the orchestrator's own agent.
    const orchestrator = await chat.orchestrator();
    const { rows } = await services.db.pool.query(
      `select (select count(*)::int from usage where agent_id = $1) as calls,
              (select count(*)::int from events where orchestrator_id = $2 and type = 'TextBlock') as texts`,
      [orchestrator.agent_id, orchestrator.id],
    );
    expect(rows[0]).toMatchObject({ texts: 1 });
    expect(rows[0].calls).toBeGreaterThanOrEqual(2);
  });

  it('queues a message sent during a turn, runs it after, resuming the session', async () => {
    const { services, repo, server } = await harness.setUp([
      { ...reply('First answer.'), match: { lastUserText: { contains: 'first question' } }, delayMs: 1_500 },
      {
        ...reply('Second answer.'),
        // The second turn resumes the first one's session: the model sees the earlier exchange.
        match: { lastUserText: { contains: 'second question' }, anyText: { contains: 'First answer.' } },
      },
    ]);
    const chat = chatFor(services, repo);
    harness.defer(() => chat.close());
    const first = await chat.send('first question');
    const second = await chat.send('second question');
    expect(second.message.status).toBe('queued');
    await chat.settled(second.message.id);
    const history = await chat.history();
    expect(history.map((item) => item.message)).toEqual([
      'first question',
      'second question',
      'First answer.',
      'Second answer.',
    ]);
    expect(history.every((item) => item.status === 'done')).toBe(true);
    expect(history.find((item) => item.id === first.message.id)!.run_id).not.toBe(
      history.find((item) => item.id === second.message.id)!.run_id,
    );
    server.assertComplete();
  });

  it('a message queued when its process stops runs when the next process starts', async () => {
    const { services, repo, server, env } = await harness.setUp([
      // First: the message after the restart also quotes the unanswered 'slow one'.
      { ...reply('Picked up after the restart.'), match: { lastUserText: { contains: 'waiting one' } } },
      { ...reply('Held up.'), match: { lastUserText: { contains: 'slow one' } }, delayMs: 60_000 },
      { ...reply('Third answer.'), match: { lastUserText: { contains: 'third one' } } },
    ]);
    const chat = chatFor(services, repo);
    const slow = await chat.send('slow one');
    const waiting = await chat.send('waiting one');
    await chat.close(); // interrupts the slow turn; the waiting message stays queued
    await services.close();

    const resumed = await chatInNextProcess(env, repo);
    expect((await resumed.orchestrator()).id).toBe((await chat.orchestrator()).id);
    void resumed.resume();
    await resumed.settled(waiting.message.id);
    const history = await resumed.history();
    const status = (id: string) => history.find((item) => item.id === id)!.status;
    expect(status(slow.message.id)).toBe('interrupted');
    expect(status(waiting.message.id)).toBe('done');
    expect(history.at(-1)!.message).toBe('Picked up after the restart.');
    // The model is told what it never answered, once: the turn after an answered one carries no note.
    const lastUserText = () =>
      messageText(lastUserMessage(server.messageRequests().at(-1)!.body as MessagesRequest));
    expect(lastUserText()).toContain('> slow one');
    const third = await resumed.send('third one');
    await resumed.settled(third.message.id);
    expect(lastUserText()).toContain('third one');
    expect(lastUserText()).not.toContain('slow one');
    expect(server.failures).toEqual([]);
  });

  it('resumes its session in the next process: the model sees the turns from before the restart', async () => {
    const { services, repo, server, env } = await harness.setUp([
      { ...reply('I will remember it.'), match: { lastUserText: { contains: 'pineapple' } } },
      { ...reply('You said pineapple.'), match: { lastUserText: { contains: 'which word' } } },
    ]);
    const chat = chatFor(services, repo);
    const first = await chat.send('Remember the word pineapple');
    await chat.settled(first.message.id);
    await chat.close();
    await services.close();

    const resumed = await chatInNextProcess(env, repo);
    const second = await resumed.send('which word did I say?');
    await resumed.settled(second.message.id);
    const request = JSON.stringify(server.messageRequests().at(-1)!.body);
    expect(request).toContain('Remember the word pineapple');
    expect(request).toContain('I will remember it.');
    server.assertComplete();
  });

  it('starts an ADW from `start adw: <workflow>: <prompt>` without a model turn', async () => {
    const { services, repo, server } = await harness.setUp([]);
    const chat = chatFor(services, repo);
    harness.defer(() => chat.close());
    const sent = await chat.send('Start ADW: plan-build: add a /health route');
    expect(sent.adwId).toBeTruthy();
    const adw = await (await services.adws()).get(sent.adwId!);
    expect(adw).toMatchObject({ workflow: 'plan_build', orchestrator_id: (await chat.orchestrator()).id });
    const history = await chat.history();
    expect(history.map((item) => item.sender_type)).toEqual(['user', 'orchestrator']);
    expect(history[1]!.message).toContain(sent.adwId!);
    expect(server.messageRequests()).toHaveLength(0);
  });

  it('refuses an empty message and an unknown workflow, recording nothing', async () => {
    const { services, repo } = await harness.setUp([]);
    const chat = chatFor(services, repo);
    harness.defer(() => chat.close());
    await expect(chat.send('   ')).rejects.toThrow(/message is empty/);
    await expect(chat.send('start adw: no-such-flow: do it')).rejects.toThrow(/no_such_flow/);
    expect(await chat.history()).toEqual([]);
  });

  it("shows one process's chat items to another, and either can interrupt the running turn", async () => {
    const { services, repo, env } = await harness.setUp([
      { ...reply('Never said.'), match: { lastUserText: { contains: 'take your time' } }, delayMs: 120_000 },
    ]);
    const { startServices } = await import('../src/services/services.ts');
    const { loadConfig } = await import('../src/config/index.ts');
    const other = await startServices(loadConfig(env));
    harness.defer(() => other.close());
    const here = chatFor(services, repo);
    const there = chatFor(other, repo);
    harness.defer(() => here.close());
    harness.defer(() => there.close());
    await there.orchestrator();
    await other.bus().ready();
    const seenThere: string[] = [];
    there.onItem((item) => seenThere.push(`${item.message}:${item.status}`));

    const { message } = await here.send('take your time');
    await until(
      async () => (seenThere.includes('take your time:running') ? true : undefined),
      'the other process sees the turn running',
    );
    expect(await there.interrupt()).toBe(true);
    await here.settled(message.id);
    const settled = (await here.history()).find((item) => item.id === message.id)!;
    expect(settled.status).toBe('interrupted');
    await until(
      async () => (seenThere.includes('take your time:interrupted') ? true : undefined),
      'the other process sees it interrupted',
    );
    expect(seenThere[0]).toBe('take your time:queued');
    expect(await there.interrupt()).toBe(false);
  });
});
