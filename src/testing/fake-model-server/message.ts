import type { StopReason, Turn } from './script.ts';

/** A response content block as sent; tool input is kept as JSON text so malformed input survives. */
export type ResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; inputJson: string };

/** The full usage figures every response reports. */
export interface ResponseUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** An assistant message ready to be sent as JSON or as a stream of events. */
export interface ResponseMessage {
  id: string;
  model: string;
  content: ResponseBlock[];
  stopReason: StopReason;
  usage: ResponseUsage;
}

/** Hands out deterministic ids, numbered per server. */
export interface IdSource {
  next(prefix: 'msg_fake' | 'toolu_fake' | 'sig_fake'): string;
}

export function createIdSource(): IdSource {
  const counters = new Map<string, number>();
  return {
    next(prefix) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}_${n}`;
    },
  };
}

/** A deterministic token estimate: one token per four characters. */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/**
 * Builds the assistant message a content (or cut) turn answers with.
 * @param requestBytes length of the raw request body, for the default input token estimate.
 */
export function buildMessage(
  turn: Turn,
  requestModel: string,
  requestBytes: number,
  ids: IdSource,
): ResponseMessage {
  const content = (turn.content ?? []).map((block): ResponseBlock => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text };
      case 'thinking':
        return { type: 'thinking', thinking: block.thinking, signature: ids.next('sig_fake') };
      case 'tool_use':
        return {
          type: 'tool_use',
          id: block.id ?? ids.next('toolu_fake'),
          name: block.name,
          inputJson: 'rawInput' in block ? block.rawInput : JSON.stringify(block.input),
        };
    }
  });
  const outputCharacters = content
    .map((block) =>
      block.type === 'text' ? block.text : block.type === 'thinking' ? block.thinking : block.inputJson,
    )
    .join('').length;
  return {
    id: ids.next('msg_fake'),
    model: turn.model ?? requestModel,
    content,
    stopReason:
      turn.stopReason ?? (content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    usage: {
      input_tokens: turn.usage?.input_tokens ?? estimateTokens(requestBytes),
      output_tokens: turn.usage?.output_tokens ?? estimateTokens(outputCharacters),
      cache_read_input_tokens: turn.usage?.cache_read_input_tokens ?? 0,
      cache_creation_input_tokens: turn.usage?.cache_creation_input_tokens ?? 0,
    },
  };
}

/** A content block as JSON text; tool input is spliced in verbatim, even when it is not valid JSON. */
export function blockJson(block: ResponseBlock): string {
  if (block.type !== 'tool_use') return JSON.stringify(block);
  const { id, name, inputJson } = block;
  return `{"type":"tool_use","id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"input":${inputJson}}`;
}

/** The non-streaming response body. */
export function messageJson(message: ResponseMessage): string {
  const head = JSON.stringify({ id: message.id, type: 'message', role: 'assistant', model: message.model });
  const tail = JSON.stringify({ stop_reason: message.stopReason, stop_sequence: null, usage: message.usage });
  return `${head.slice(0, -1)},"content":[${message.content.map(blockJson).join(',')}],${tail.slice(1)}`;
}
