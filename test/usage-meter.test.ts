import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import type { PriceTable } from '../src/agent/pricing.ts';
import { UsageMeter, type UsageRecord } from '../src/agent/usage-meter.ts';

// USD per million tokens, round numbers so costs are easy to check by hand.
const prices: PriceTable = { 'model-a': { input: 1, output: 10, cacheRead: 0.1, cacheWrite: 2 } };

interface Usage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function sdk(value: Record<string, unknown>): SDKMessage {
  return { uuid: '00000000-0000-4000-8000-000000000001', session_id: 's', ...value } as unknown as SDKMessage;
}

function stream(event: Record<string, unknown>, parent: string | null = null): SDKMessage {
  return sdk({ type: 'stream_event', parent_tool_use_id: parent, event });
}

function messageStart(id: string, usage: Usage, model = 'model-a', parent: string | null = null): SDKMessage {
  return stream(
    {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage },
    },
    parent,
  );
}

function messageDelta(usage: Usage, parent: string | null = null): SDKMessage {
  return stream(
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage },
    parent,
  );
}

function messageStop(parent: string | null = null): SDKMessage {
  return stream({ type: 'message_stop' }, parent);
}

function assistant(id: string, usage: Usage, model = 'model-a', parent: string | null = null): SDKMessage {
  return sdk({
    type: 'assistant',
    parent_tool_use_id: parent,
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: null,
      usage,
    },
  });
}

function newMeter(table: PriceTable = prices) {
  const recorded: UsageRecord[] = [];
  const meter = new UsageMeter(table, (record) => recorded.push(record));
  return { meter, recorded };
}

const startUsage = {
  input_tokens: 10,
  output_tokens: 1,
  cache_read_input_tokens: 1000,
  cache_creation_input_tokens: 200,
};

describe('UsageMeter: streamed calls', () => {
  it('records a call at message_stop with the final output tokens from message_delta', () => {
    const { meter, recorded } = newMeter();
    meter.observe(messageStart('msg_1', startUsage));
    meter.observe(assistant('msg_1', startUsage));
    meter.observe(messageDelta({ output_tokens: 350 }));
    expect(recorded).toEqual([]);
    meter.observe(messageStop());
    expect(recorded).toEqual([
      {
        messageId: 'msg_1',
        model: 'model-a',
        inputTokens: 10,
        outputTokens: 350,
        cacheReadTokens: 1000,
        cacheCreationTokens: 200,
        // (10×1 + 350×10 + 1000×0.1 + 200×2) / 1e6
        costUsd: expect.closeTo(0.00401, 12),
      },
    ]);
    expect(meter.records).toEqual(recorded);
  });

  it('lets message_delta override any figure it reports, but not with null', () => {
    const { meter, recorded } = newMeter();
    meter.observe(messageStart('msg_1', startUsage));
    meter.observe(
      messageDelta({
        input_tokens: 12,
        output_tokens: 40,
        cache_read_input_tokens: null,
        cache_creation_input_tokens: 300,
      }),
    );
    meter.observe(messageStop());
    expect(recorded[0]).toMatchObject({
      inputTokens: 12,
      outputTokens: 40,
      cacheReadTokens: 1000,
      cacheCreationTokens: 300,
    });
  });

  it('does not record the same call again when the run finishes', () => {
    const { meter, recorded } = newMeter();
    meter.observe(messageStart('msg_1', startUsage));
    meter.observe(assistant('msg_1', startUsage));
    meter.observe(assistant('msg_1', startUsage));
    meter.observe(messageDelta({ output_tokens: 350 }));
    meter.observe(messageStop());
    meter.finish();
    expect(recorded).toHaveLength(1);
    expect(meter.totals.outputTokens).toBe(350);
  });

  it('ignores message_delta and message_stop without a message_start', () => {
    const { meter, recorded } = newMeter();
    meter.observe(messageDelta({ output_tokens: 5 }));
    meter.observe(messageStop());
    expect(recorded).toEqual([]);
  });

  it('ignores a subagent’s stream events', () => {
    const { meter, recorded } = newMeter();
    meter.observe(messageStart('msg_sub', startUsage, 'model-a', 'toolu_task'));
    meter.observe(messageDelta({ output_tokens: 70 }, 'toolu_task'));
    meter.observe(messageStop('toolu_task'));
    expect(recorded).toEqual([]);
  });
});

describe('UsageMeter: calls seen only as assistant messages', () => {
  it('records them once when the run finishes, from the assistant message usage', () => {
    const { meter, recorded } = newMeter();
    meter.observe(assistant('msg_1', { ...startUsage, output_tokens: 90 }));
    meter.observe(assistant('msg_1', { ...startUsage, output_tokens: 90 }));
    expect(recorded).toEqual([]);
    meter.finish();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ messageId: 'msg_1', inputTokens: 10, outputTokens: 90 });
  });

  it('treats missing and null figures as zero', () => {
    const { meter, recorded } = newMeter();
    meter.observe(assistant('msg_1', { input_tokens: 7, output_tokens: null }));
    meter.finish();
    expect(recorded[0]).toMatchObject({
      inputTokens: 7,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
    });
  });

  it('does not record twice when finish() is called twice', () => {
    const { meter, recorded } = newMeter();
    meter.observe(assistant('msg_1', startUsage));
    meter.finish();
    meter.finish();
    expect(recorded).toHaveLength(1);
  });
});

describe('UsageMeter: totals, cost and context', () => {
  it('adds every call to the totals and the cost', () => {
    const { meter } = newMeter();
    meter.observe(messageStart('msg_1', { input_tokens: 100, output_tokens: 1 }));
    meter.observe(messageDelta({ output_tokens: 1000 }));
    meter.observe(messageStop());
    meter.observe(
      assistant(
        'msg_2',
        { input_tokens: 50, output_tokens: 500, cache_read_input_tokens: 2000 },
        'model-a',
        'toolu_task',
      ),
    );
    meter.finish();
    expect(meter.totals).toEqual({
      inputTokens: 150,
      outputTokens: 1500,
      cacheReadTokens: 2000,
      cacheCreationTokens: 0,
    });
    // (150×1 + 1500×10 + 2000×0.1) / 1e6
    expect(meter.costUsd).toBeCloseTo(0.01535, 12);
  });

  it('sets contextTokens to the latest main-thread call’s input and cache tokens', () => {
    const { meter } = newMeter();
    meter.observe(
      messageStart('msg_1', {
        input_tokens: 5,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 20,
      }),
    );
    meter.observe(messageStop());
    expect(meter.contextTokens).toBe(125);
    meter.observe(
      messageStart('msg_2', {
        input_tokens: 6,
        cache_read_input_tokens: 120,
        cache_creation_input_tokens: 30,
      }),
    );
    meter.observe(messageDelta({ output_tokens: 999 }));
    meter.observe(messageStop());
    expect(meter.contextTokens).toBe(156);
  });

  it('sets contextTokens from a main-thread call recorded at finish', () => {
    const { meter } = newMeter();
    meter.observe(assistant('msg_1', { input_tokens: 3, cache_read_input_tokens: 40, output_tokens: 9 }));
    meter.finish();
    expect(meter.contextTokens).toBe(43);
  });

  it('leaves contextTokens alone for a subagent’s call', () => {
    const { meter } = newMeter();
    meter.observe(messageStart('msg_1', { input_tokens: 5, cache_read_input_tokens: 100 }));
    meter.observe(messageStop());
    meter.observe(
      assistant('msg_sub', { input_tokens: 9000, cache_read_input_tokens: 50_000 }, 'model-a', 'toolu_task'),
    );
    meter.finish();
    expect(meter.contextTokens).toBe(105);
    expect(meter.totals.inputTokens).toBe(9005);
  });

  // A non-streamed main-thread call (msg_1) followed by a streamed one (msg_2): finish() records msg_1
  // last, so contextTokens ends up describing the older call, not "the latest call" its JSDoc promises.
  it('keeps contextTokens from the latest call when an earlier one is recorded at finish', () => {
    const { meter } = newMeter();
    meter.observe(assistant('msg_1', { input_tokens: 5, cache_read_input_tokens: 100 }));
    meter.observe(messageStart('msg_2', { input_tokens: 6, cache_read_input_tokens: 200 }));
    meter.observe(assistant('msg_2', { input_tokens: 6, cache_read_input_tokens: 200 }));
    meter.observe(messageStop());
    meter.finish();
    expect(meter.contextTokens).toBe(206);
  });

  it('collects models without a price and records their cost as undefined', () => {
    const { meter, recorded } = newMeter();
    meter.observe(messageStart('msg_1', { input_tokens: 100 }, 'mystery-model'));
    meter.observe(messageStop());
    meter.observe(messageStart('msg_2', { input_tokens: 1_000_000 }));
    meter.observe(messageStop());
    expect(recorded[0]?.costUsd).toBeUndefined();
    expect([...meter.unpricedModels]).toEqual(['mystery-model']);
    expect(meter.costUsd).toBeCloseTo(1, 12);
    expect(meter.totals.inputTokens).toBe(1_000_100);
  });

  it('calls onRecord once per call, in the order calls are recorded', () => {
    const { meter, recorded } = newMeter();
    meter.observe(messageStart('msg_1', startUsage));
    meter.observe(assistant('msg_1', startUsage));
    meter.observe(messageStop());
    meter.observe(assistant('msg_2', startUsage, 'model-a', 'toolu_task'));
    meter.observe(messageStart('msg_3', startUsage));
    meter.observe(messageStop());
    meter.finish();
    expect(recorded.map((record) => record.messageId)).toEqual(['msg_1', 'msg_3', 'msg_2']);
  });
});
