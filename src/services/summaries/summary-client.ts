import { ModelBehaviorError } from '../../core/errors.ts';
import { anthropicClient, answerText, type ModelEndpoint } from '../anthropic-client.ts';

/** One event's text to summarize. */
export interface SummaryItem {
  id: string;
  /** The event type (TextBlock, ThinkingBlock). */
  type: string;
  text: string;
}

/** Turns a batch of texts into one-line summaries by event id, in one model call. */
export interface SummaryClient {
  /** The model id recorded with each summary. */
  readonly model: string;
  /** Summaries for the items the model answered; ids it left out or invented are absent. */
  summarize(items: readonly SummaryItem[]): Promise<Map<string, string>>;
}

export interface AnthropicSummaryClientOptions extends ModelEndpoint {
  /** A model id (resolve aliases with resolveModel first). */
  model: string;
  /** How long one call may take. @default 60000 */
  timeoutMs?: number;
}

/** The longest summary kept; the prompt asks for under 100 characters. */
export const maxSummaryLength = 120;

const systemPrompt =
  'You are a concise log summarizer for an AI coding agent. For each entry, write one sentence under ' +
  '100 characters that says what the agent said or was thinking about. No quotes, no markdown, no ' +
  'preamble. Answer with JSON only.';

/**
 * A SummaryClient on the Anthropic Messages API: one non-streaming request per batch, no tools, one
 * retry. Credentials come from the caller (the Config), never from the SDK's own environment lookup.
 */
export function createAnthropicSummaryClient(options: AnthropicSummaryClientOptions): SummaryClient {
  const anthropic = anthropicClient(options, { maxRetries: 1, timeoutMs: options.timeoutMs ?? 60_000 });
  return {
    model: options.model,
    async summarize(items) {
      if (items.length === 0) return new Map();
      const message = await anthropic.messages.create({
        model: options.model,
        max_tokens: 64 * items.length + 32,
        system: systemPrompt,
        messages: [{ role: 'user', content: summaryPrompt(items) }],
      });
      const text = answerText(message);
      return parseSummaries(
        text,
        items.map((item) => item.id),
      );
    },
  };
}

/** The user message: the entries numbered, each with its id, and the JSON shape to answer with. */
export function summaryPrompt(items: readonly SummaryItem[]): string {
  const entries = items.map(
    (item, index) =>
      `<entry number="${index + 1}" id="${item.id}" kind="${item.type === 'ThinkingBlock' ? 'thinking' : 'text'}">\n` +
      `${item.text}\n</entry>`,
  );
  return [
    `Summarize each of these ${items.length} log entries in one sentence under 100 characters.`,
    '',
    ...entries,
    '',
    'Answer with JSON only, one summary per entry, using the ids given:',
    '{"summaries":[{"id":"<entry id>","summary":"<one sentence>"}]}',
  ].join('\n');
}

/**
 * Reads the model's answer leniently: code fences and text around the JSON are ignored, ids not asked
 * for are dropped, and each summary is cut to one line of at most 120 characters. Throws a
 * ModelBehaviorError when there is no JSON to read at all.
 */
export function parseSummaries(text: string, ids: readonly string[]): Map<string, string> {
  const wanted = new Set(ids);
  const summaries = new Map<string, string>();
  for (const entry of summaryEntries(text)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, summary } = entry as { id?: unknown; summary?: unknown };
    if (typeof id !== 'string' || !wanted.has(id) || typeof summary !== 'string') continue;
    const line = summary.replace(/\s+/g, ' ').trim();
    if (line === '') continue;
    summaries.set(
      id,
      line.length > maxSummaryLength ? `${line.slice(0, maxSummaryLength - 1).trimEnd()}…` : line,
    );
  }
  return summaries;
}

function summaryEntries(text: string): unknown[] {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  const start = unfenced.search(/[{[]/);
  const end = Math.max(unfenced.lastIndexOf('}'), unfenced.lastIndexOf(']'));
  let parsed: unknown;
  try {
    parsed = start >= 0 && end > start ? JSON.parse(unfenced.slice(start, end + 1)) : undefined;
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) return parsed;
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    Array.isArray((parsed as { summaries?: unknown }).summaries)
  ) {
    return (parsed as { summaries: unknown[] }).summaries;
  }
  throw new ModelBehaviorError(
    `The summary model did not answer with JSON summaries: ${JSON.stringify(text.slice(0, 200))}`,
  );
}
