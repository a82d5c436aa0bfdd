import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelAliases, resolveModel } from '../src/agent/models.ts';
import { oneLine } from '../src/agent/summaries.ts';
import { loadConfig } from '../src/config/index.ts';
import { UserError } from '../src/core/errors.ts';
import { EventType, type EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { createEventWriter, type EventWriter } from '../src/db/event-writer.ts';
import { createSummarizer, type Summarizer } from '../src/services/summaries/summarizer.ts';
import {
  createAnthropicSummaryClient,
  parseSummaries,
  type SummaryClient,
  type SummaryItem,
} from '../src/services/summaries/summary-client.ts';
import { startFakeModelServer, text, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { useTestDatabase } from './helpers/database.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run's scope, as the runner stamps it on every event. */
function newScope() {
  return {
    agentId: newId(),
    runId: newId(),
    adwId: newId(),
    adwStep: 'build',
    sessionId: `session-${newId()}`,
  };
}

function responseEvent(scope: ReturnType<typeof newScope>, type: string, payload: Record<string, unknown>) {
  const said = typeof payload.text === 'string' ? payload.text : String(payload.thinking ?? type);
  return {
    id: newId(),
    category: 'response',
    type,
    payload,
    summary: oneLine(said),
    occurredAt: new Date(),
    ...scope,
  } satisfies EventDraft;
}

function textOrThinking(scope: ReturnType<typeof newScope>, n: number): EventDraft {
  const words = `Step ${n}: the agent explains at some length what it found in the code and what it will do next. `;
  return n % 2 === 0
    ? responseEvent(scope, EventType.TextBlock, { text: words.repeat(3) })
    : responseEvent(scope, EventType.ThinkingBlock, { thinking: words.repeat(3) });
}

/** A SummaryClient that records its calls, answers after `delayMs`, and fails the calls `fails` picks. */
function fakeClient(options: { delayMs?: number; fails?: (call: number) => boolean } = {}) {
  const calls: SummaryItem[][] = [];
  let active = 0;
  let maxActive = 0;
  const client: SummaryClient = {
    model: 'fake-summary-model',
    async summarize(items) {
      calls.push([...items]);
      const call = calls.length;
      active += 1;
      maxActive = Math.max(maxActive, active);
      try {
        await sleep(options.delayMs ?? 20);
        if (options.fails?.(call)) throw new Error('model down');
        return new Map(
          items.map((item) => [item.id, `Model summary of ${item.type} ${item.id.slice(0, 8)}`]),
        );
      } finally {
        active -= 1;
      }
    },
  };
  return {
    client,
    calls,
    get maxActive() {
      return maxActive;
    },
  };
}

describe('summarizer', () => {
  const db = useTestDatabase();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function setUp(
    client: SummaryClient,
    options: { batchSize?: number; intervalMs?: number } = {},
  ): { writer: EventWriter; summarizer: Summarizer; log: string[]; record(event: EventDraft): void } {
    const writer = createEventWriter(db.current.pool);
    const log: string[] = [];
    const summarizer = createSummarizer({
      writer,
      pool: db.current.pool,
      client,
      log: (line) => log.push(line),
      ...options,
    });
    cleanup.push(() => writer.close());
    cleanup.push(() => summarizer.close());
    // What the runner's sink does with each event.
    const record = (event: EventDraft) => {
      writer.write(event);
      summarizer.add(event);
    };
    return { writer, summarizer, log, record };
  }

  async function rows(ids: string[]) {
    const result = await db.current.pool.query<{ id: string; seq: number; summary: string | null }>(
      'select id, seq, summary from events where id = any($1::uuid[])',
      [ids],
    );
    return new Map(result.rows.map((row) => [row.id, row]));
  }

  async function summaryEvents(ids: string[]) {
    const result = await db.current.pool.query<{
      seq: number;
      category: string;
      summary: string;
      agent_id: string;
      run_id: string;
      adw_id: string;
      adw_step: string;
      session_id: string;
      payload: { event_id: string; summary: string; model: string };
    }>(`select * from events where type = 'SummaryUpdated' and payload->>'event_id' = any($1::text[])`, [
      ids,
    ]);
    return result.rows;
  }

  it('summarizes 45 text and thinking events in 3 model calls of at most 20, one at a time', async () => {
    const fake = fakeClient({ delayMs: 30 });
    const { writer, summarizer, log, record } = setUp(fake.client);
    const scope = newScope();
    const events = Array.from({ length: 45 }, (_, n) => textOrThinking(scope, n));
    for (const event of events) record(event);

    await summarizer.flush();
    await writer.flush();

    expect(fake.calls.map((call) => call.length)).toEqual([20, 20, 5]);
    expect(fake.maxActive).toBe(1);
    expect(fake.calls.flat().map((item) => item.id)).toEqual(events.map((event) => event.id));
    expect(fake.calls[0]![1]).toEqual({
      id: events[1]!.id,
      type: 'ThinkingBlock',
      text: String(events[1]!.payload.thinking).trim(),
    });
    const ids = events.map((event) => event.id);
    const stored = await rows(ids);
    const updates = new Map((await summaryEvents(ids)).map((row) => [row.payload.event_id, row]));
    expect(updates.size).toBe(45);
    for (const event of events) {
      const row = stored.get(event.id)!;
      expect(row.summary).toBe(`Model summary of ${event.type} ${event.id.slice(0, 8)}`);
      const update = updates.get(event.id)!;
      expect(update.seq).toBeGreaterThan(row.seq);
      expect(update).toMatchObject({
        category: 'summary',
        summary: row.summary,
        agent_id: scope.agentId,
        run_id: scope.runId,
        adw_id: scope.adwId,
        adw_step: scope.adwStep,
        session_id: scope.sessionId,
        payload: { event_id: event.id, summary: row.summary, model: 'fake-summary-model' },
      });
    }
    expect(log).toEqual([]);
  });

  it('ignores every event but text and thinking, and sends at most 2,000 characters of each', async () => {
    const fake = fakeClient();
    const { summarizer, record } = setUp(fake.client);
    const scope = newScope();
    record(responseEvent(scope, EventType.ToolUseBlock, { name: 'Bash', input: { command: 'ls' } }));
    record(responseEvent(scope, EventType.ToolResultBlock, { content: 'a.txt' }));
    record({ ...responseEvent(scope, EventType.PreToolUse, { tool_name: 'Bash' }), category: 'hook' });
    record({ ...responseEvent(scope, EventType.RunEnded, { status: 'succeeded' }), category: 'system' });
    record(responseEvent(scope, EventType.TextBlock, { text: '   \n ' }));
    await summarizer.flush();
    expect(fake.calls).toEqual([]);

    const long = responseEvent(scope, EventType.TextBlock, { text: `  ${'x'.repeat(5_000)}  ` });
    record(long);
    await summarizer.flush();
    expect(fake.calls).toEqual([[{ id: long.id, type: 'TextBlock', text: 'x'.repeat(2_000) }]]);
  });

  it('keeps the deterministic summaries when the model fails, logs it and does not retry the batch', async () => {
    const fake = fakeClient({ fails: (call) => call === 1 });
    const { writer, summarizer, log, record } = setUp(fake.client, { batchSize: 2 });
    const scope = newScope();
    const events = Array.from({ length: 3 }, (_, n) => textOrThinking(scope, n));
    expect(() => events.forEach(record)).not.toThrow();

    await expect(summarizer.flush()).resolves.toBeUndefined();
    await writer.flush();

    expect(fake.calls.map((call) => call.map((item) => item.id))).toEqual([
      [events[0]!.id, events[1]!.id],
      [events[2]!.id],
    ]);
    const stored = await rows(events.map((event) => event.id));
    expect(stored.get(events[0]!.id)!.summary).toBe(events[0]!.summary);
    expect(stored.get(events[1]!.id)!.summary).toBe(events[1]!.summary);
    expect(stored.get(events[2]!.id)!.summary).toMatch(/^Model summary of TextBlock/);
    expect(log).toEqual([
      expect.stringMatching(/event summaries by fake-summary-model failed \(model down\)/),
    ]);
    expect(await summaryEvents(events.map((event) => event.id))).toHaveLength(1);
  });

  it('says a failure that repeats once, with the variable that turns summaries off', async () => {
    const fake = fakeClient({ fails: () => true });
    const { summarizer, log, record } = setUp(fake.client, { batchSize: 1 });
    const scope = newScope();
    for (let n = 0; n < 3; n++) record(textOrThinking(scope, n));
    await summarizer.flush();

    expect(fake.calls).toHaveLength(3);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/Turn them off with BATON_SUMMARIES=off, or give them a model that answers/);
    expect(log[0]).toMatch(/ANTHROPIC_API_KEY/);
  });

  it('sends a lone event once the interval has passed since it was queued', async () => {
    const fake = fakeClient();
    const { record } = setUp(fake.client, { intervalMs: 300 });
    const queuedAt = Date.now();
    record(textOrThinking(newScope(), 0));

    await sleep(100);
    expect(fake.calls).toHaveLength(0);
    await vi.waitFor(() => expect(fake.calls).toHaveLength(1), { timeout: 5_000, interval: 10 });
    expect(Date.now() - queuedAt).toBeGreaterThanOrEqual(290);
  });

  it('sends what is queued on close, then ignores new events', async () => {
    const fake = fakeClient();
    const { summarizer, record } = setUp(fake.client, { intervalMs: 60_000 });
    const scope = newScope();
    record(textOrThinking(scope, 0));
    record(textOrThinking(scope, 1));
    await summarizer.close();
    expect(fake.calls.map((call) => call.length)).toEqual([2]);

    summarizer.add(textOrThinking(scope, 2));
    await summarizer.flush();
    expect(fake.calls).toHaveLength(1);
  });

  it('stores summaries from the Anthropic client end to end (fake model server)', async () => {
    const server = await startFakeModelServer({
      script: [
        {
          match: { hasTools: false },
          times: 'always',
          // Echoes the first entry's id out of the raw (JSON-escaped) request body.
          content: [
            text('{"summaries":[{"id":"{{request:id=\\\\"([0-9a-f-]{36})}}","summary":"Agent greets."}]}'),
          ],
        },
      ],
    });
    cleanup.push(() => server.close());
    const client = createAnthropicSummaryClient({
      apiKey: 'sk-ant-test',
      baseUrl: server.url,
      model: 'claude-x',
    });
    const { writer, summarizer, record } = setUp(client);
    const event = responseEvent(newScope(), EventType.TextBlock, {
      text: 'Hello! I will look at the repository first.',
    });
    record(event);
    await summarizer.flush();
    await writer.flush();

    expect((await rows([event.id])).get(event.id)!.summary).toBe('Agent greets.');
    expect(await summaryEvents([event.id])).toMatchObject([
      { payload: { event_id: event.id, summary: 'Agent greets.', model: 'claude-x' } },
    ]);
    server.assertComplete();
  });
});

describe('Anthropic summary client', () => {
  const servers: FakeModelServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('makes one non-streaming call without tools and reads the JSON answer leniently', async () => {
    const items: SummaryItem[] = [
      { id: newId(), type: 'TextBlock', text: 'I fixed the failing test by correcting the date parser.' },
      { id: newId(), type: 'ThinkingBlock', text: 'The parser treats months as 0-based; that is the bug.' },
      { id: newId(), type: 'TextBlock', text: 'Done.' },
    ];
    const long = 'Reasoned about the parser\nand its months '.repeat(10);
    const answer = [
      'Here you go:',
      '```json',
      JSON.stringify({
        summaries: [
          { id: items[0]!.id, summary: '  Fixed the failing date parser test.  ' },
          { id: items[1]!.id, summary: long },
          { id: items[2]!.id, summary: '   ' },
          { id: newId(), summary: 'Not asked for.' },
        ],
      }),
      '```',
    ].join('\n');
    const model = resolveModel('haiku');
    const server = await startFakeModelServer({
      script: [{ match: { hasTools: false, stream: false, model }, content: [text(answer)] }],
    });
    servers.push(server);
    const client = createAnthropicSummaryClient({ apiKey: 'sk-ant-test', baseUrl: server.url, model });

    const summaries = await client.summarize(items);

    server.assertComplete();
    expect(client.model).toBe(modelAliases.haiku);
    expect([...summaries.keys()]).toEqual([items[0]!.id, items[1]!.id]);
    expect(summaries.get(items[0]!.id)).toBe('Fixed the failing date parser test.');
    const capped = summaries.get(items[1]!.id)!;
    expect(capped).not.toContain('\n');
    expect(capped.length).toBeLessThanOrEqual(120);
    expect(capped.endsWith('…')).toBe(true);

    const [request] = server.messageRequests();
    const body = request!.body as Record<string, unknown>;
    expect(body.model).toBe(modelAliases.haiku);
    expect(body.stream ?? false).toBe(false);
    expect(body.tools).toBeUndefined();
    expect(body.max_tokens).toBeGreaterThanOrEqual(64 * items.length);
    expect(String(body.system)).toMatch(/concise log summarizer.*one sentence under 100 characters/s);
    const prompt = JSON.stringify(body.messages);
    for (const item of items) {
      expect(prompt).toContain(item.id);
      expect(prompt).toContain(item.text);
    }
    // SDK 1.14 sends an API key as a bearer token; older ones used x-api-key.
    expect(request!.headers['x-api-key'] ?? request!.headers.authorization).toMatch(/sk-ant-test$/);
  });

  it('rejects after one retry when the model keeps failing', async () => {
    const server = await startFakeModelServer({
      script: [{ error: { status: 529, retryAfterSeconds: 0 }, times: 'always' }],
    });
    servers.push(server);
    const client = createAnthropicSummaryClient({
      authToken: 'token',
      baseUrl: server.url,
      model: 'claude-x',
    });

    await expect(client.summarize([{ id: newId(), type: 'TextBlock', text: 'hi' }])).rejects.toThrow();
    expect(server.messageRequests()).toHaveLength(2);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer token');
  });

  it('refuses an answer with no JSON in it', () => {
    expect(() => parseSummaries('I cannot help with that.', [newId()])).toThrow(/did not answer with JSON/);
    expect(parseSummaries('[{"id":"a","summary":"Bare array."}]', ['a'])).toEqual(
      new Map([['a', 'Bare array.']]),
    );
  });
});

describe('summary config', () => {
  it('is on with haiku by default, can be turned off, and names a bad value', () => {
    expect(loadConfig({}).summaries).toEqual({ enabled: true, model: 'haiku' });
    expect(loadConfig({ BATON_SUMMARIES: 'OFF', BATON_SUMMARY_MODEL: 'claude-haiku-4-5' }).summaries).toEqual(
      {
        enabled: false,
        model: 'claude-haiku-4-5',
      },
    );
    expect(() => loadConfig({ BATON_SUMMARIES: 'maybe' })).toThrow(UserError);
    expect(() => loadConfig({ BATON_SUMMARIES: 'maybe' })).toThrow(/BATON_SUMMARIES must be on or off/);
  });
});
