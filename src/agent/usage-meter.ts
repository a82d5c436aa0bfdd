import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { SessionUsage, TokenUsage } from '../core/usage.ts';
import { priceUsage, type PriceTable } from './pricing.ts';

/** One model call as the usage ledger stores it. */
export interface UsageRecord extends TokenUsage {
  /** The Messages API message id: one per model call. */
  messageId: string;
  model: string;
  /** undefined when the price table has no entry for the model. */
  costUsd: number | undefined;
}

interface ApiUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function tokens(usage: ApiUsage): TokenUsage {
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheCreationTokens: usage.cache_creation_input_tokens ?? 0,
  };
}

/**
 * Meters a run one model call at a time. The final figures of a call are in the stream's
 * `message_delta` (assistant messages carry the `message_start` figures, with output still at ~1), so
 * calls are recorded at `message_stop`. A call seen only as assistant messages (a non-streaming fallback,
 * a subagent) is recorded from those when the run ends. Spend only ever grows: compaction resets nothing.
 */
export class UsageMeter {
  readonly records: UsageRecord[] = [];
  readonly totals: TokenUsage = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
  };
  costUsd = 0;
  /** Input + cache tokens of the latest call: how much of the context window the conversation fills. */
  contextTokens = 0;
  readonly unpricedModels = new Set<string>();
  private readonly byModel = new Map<string, TokenUsage>();

  private readonly recorded = new Set<string>();
  private readonly seenInMessages = new Map<
    string,
    { model: string; usage: ApiUsage; mainThread: boolean }
  >();
  private current: { id: string; model: string; usage: ApiUsage } | undefined;
  /** When each call was first seen, so a call recorded late (at finish) cannot pose as the latest one. */
  private readonly firstSeen = new Map<string, number>();
  private contextFrom = -1;

  constructor(
    private readonly prices: PriceTable,
    private readonly onRecord: (record: UsageRecord) => void,
  ) {}

  observe(message: SDKMessage): void {
    if (message.type === 'stream_event' && message.parent_tool_use_id === null) {
      const event = message.event;
      if (event.type === 'message_start') {
        this.see(event.message.id);
        this.current = {
          id: event.message.id,
          model: event.message.model,
          usage: { ...event.message.usage },
        };
      } else if (event.type === 'message_delta' && this.current) {
        const usage = event.usage as ApiUsage;
        for (const key of Object.keys(usage) as (keyof ApiUsage)[]) {
          if (usage[key] !== null && usage[key] !== undefined) this.current.usage[key] = usage[key];
        }
      } else if (event.type === 'message_stop' && this.current) {
        this.record(this.current.id, this.current.model, this.current.usage, true);
        this.current = undefined;
      }
    } else if (message.type === 'assistant') {
      this.see(message.message.id);
      this.seenInMessages.set(message.message.id, {
        model: message.message.model,
        usage: message.message.usage,
        mainThread: message.parent_tool_use_id === null,
      });
    }
  }

  /** Records calls that never streamed to the end in front of us, from their assistant messages. */
  finish(): void {
    for (const [id, { model, usage, mainThread }] of this.seenInMessages)
      this.record(id, model, usage, mainThread);
  }

  /**
   * Calls Claude Code made without streaming them to us (compaction summaries, some retries) show only in
   * its session totals. What those totals grew by during this run, beyond what was metered call by call,
   * is recorded as one usage row per model, so spend is complete.
   */
  reconcile(session: SessionUsage, baseline: SessionUsage | undefined): void {
    for (const [model, total] of Object.entries(session.byModel)) {
      const before = baseline?.byModel[model];
      const metered = this.byModel.get(model);
      const missing = (key: keyof TokenUsage) =>
        Math.max(0, total[key] - (before?.[key] ?? 0) - (metered?.[key] ?? 0));
      const figures: ApiUsage = {
        input_tokens: missing('inputTokens'),
        output_tokens: missing('outputTokens'),
        cache_read_input_tokens: missing('cacheReadTokens'),
        cache_creation_input_tokens: missing('cacheCreationTokens'),
      };
      if (Object.values(figures).some((value) => (value ?? 0) > 0)) {
        this.record(`unstreamed:${model}`, model, figures, false);
      }
    }
  }

  private see(messageId: string): void {
    if (!this.firstSeen.has(messageId)) this.firstSeen.set(messageId, this.firstSeen.size);
  }

  private record(messageId: string, model: string, usage: ApiUsage, mainThread: boolean): void {
    if (this.recorded.has(messageId)) return;
    this.recorded.add(messageId);
    const figures = tokens(usage);
    const costUsd = priceUsage(this.prices, model, figures);
    if (costUsd === undefined) this.unpricedModels.add(model);
    this.totals.inputTokens += figures.inputTokens;
    this.totals.outputTokens += figures.outputTokens;
    this.totals.cacheReadTokens += figures.cacheReadTokens;
    this.totals.cacheCreationTokens += figures.cacheCreationTokens;
    const modelTotals = this.byModel.get(model) ?? {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
    };
    modelTotals.inputTokens += figures.inputTokens;
    modelTotals.outputTokens += figures.outputTokens;
    modelTotals.cacheReadTokens += figures.cacheReadTokens;
    modelTotals.cacheCreationTokens += figures.cacheCreationTokens;
    this.byModel.set(model, modelTotals);
    this.costUsd += costUsd ?? 0;
    // A subagent's calls cost money but live in their own context window; a call recorded late is not the latest.
    const seen = this.firstSeen.get(messageId) ?? this.firstSeen.size;
    if (mainThread && seen > this.contextFrom) {
      this.contextFrom = seen;
      this.contextTokens = figures.inputTokens + figures.cacheReadTokens + figures.cacheCreationTokens;
    }
    const record = { messageId, model, ...figures, costUsd };
    this.records.push(record);
    this.onRecord(record);
  }
}

/** The session figures of a result message, in baton's token vocabulary. */
export function sessionUsageOf(result: Extract<SDKMessage, { type: 'result' }>): SessionUsage {
  return {
    totalCostUsd: result.total_cost_usd,
    byModel: Object.fromEntries(
      Object.entries(result.modelUsage ?? {}).map(([model, usage]) => [
        model,
        {
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cacheReadTokens: usage.cacheReadInputTokens,
          cacheCreationTokens: usage.cacheCreationInputTokens,
        },
      ]),
    ),
  };
}
