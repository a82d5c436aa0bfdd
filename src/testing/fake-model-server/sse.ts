import type { ResponseBlock, ResponseMessage } from './message.ts';

/** One server-sent event of the Messages streaming format. */
export interface SseEvent {
  type: string;
  data: Record<string, unknown>;
}

/** How many deltas a text or tool input is split into, so clients really assemble tokens. */
const DELTAS_PER_BLOCK = 3;

/** `event: <type>\ndata: <json>\n\n` */
export function formatSse(event: SseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** `message_start` (output_tokens 1, as the real API reports before generating) and a `ping`. */
export function messageStartEvents(message: ResponseMessage): SseEvent[] {
  const start = {
    id: message.id,
    type: 'message',
    role: 'assistant',
    model: message.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...message.usage, output_tokens: 1 },
  };
  return [
    { type: 'message_start', data: { type: 'message_start', message: start } },
    { type: 'ping', data: { type: 'ping' } },
  ];
}

/** `content_block_start`, a few deltas, `content_block_stop` for the block at `index`. */
export function blockEvents(block: ResponseBlock, index: number): SseEvent[] {
  const event = (type: string, fields: Record<string, unknown>): SseEvent => ({
    type,
    data: { type, index, ...fields },
  });
  const deltas = (deltaType: string, key: string, text: string) =>
    splitText(text).map((part) => event('content_block_delta', { delta: { type: deltaType, [key]: part } }));
  switch (block.type) {
    case 'text':
      return [
        event('content_block_start', { content_block: { type: 'text', text: '' } }),
        ...deltas('text_delta', 'text', block.text),
        event('content_block_stop', {}),
      ];
    case 'thinking':
      return [
        event('content_block_start', { content_block: { type: 'thinking', thinking: '', signature: '' } }),
        ...deltas('thinking_delta', 'thinking', block.thinking),
        event('content_block_delta', { delta: { type: 'signature_delta', signature: block.signature } }),
        event('content_block_stop', {}),
      ];
    case 'tool_use':
      return [
        event('content_block_start', {
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        }),
        ...deltas('input_json_delta', 'partial_json', block.inputJson),
        event('content_block_stop', {}),
      ];
  }
}

/** `message_delta` with the stop reason and final usage, then `message_stop`. */
export function messageEndEvents(message: ResponseMessage): SseEvent[] {
  return [
    {
      type: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: message.stopReason, stop_sequence: null },
        usage: message.usage,
      },
    },
    { type: 'message_stop', data: { type: 'message_stop' } },
  ];
}

/** Splits text into up to {@link DELTAS_PER_BLOCK} parts on code point boundaries; empty text gives none. */
export function splitText(text: string): string[] {
  const codePoints = Array.from(text);
  const size = Math.ceil(codePoints.length / DELTAS_PER_BLOCK);
  const parts: string[] = [];
  for (let start = 0; start < codePoints.length; start += size) {
    parts.push(codePoints.slice(start, start + size).join(''));
  }
  return parts;
}
