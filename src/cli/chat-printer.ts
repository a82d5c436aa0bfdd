import type { StreamDelta } from '../db/event-bus.ts';
import type { ChatRow } from '../db/chat.ts';
import { printError } from './error-output.ts';
import { paint, printable } from './terminal.ts';

/** Like `printable`, but a reply's line breaks stay line breaks. */
const printableText = (text: string) => text.split('\n').map(printable).join('\n');

/**
 * Prints an orchestrator turn to the terminal: the reply's tokens as they stream (the bus's deltas), and
 * every finished chat item once. Deltas are a best-effort preview that may arrive before or after the
 * recorded text block, so a block's text is printed exactly once: what streamed is matched against the
 * block, the rest of the block is printed when it is recorded, and deltas of a block already printed in
 * full are swallowed.
 */
export function createChatPrinter(
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (message: string) => void = printError,
) {
  let streamed = ''; // reply text printed from deltas that no recorded block has claimed yet
  let swallow = 0; // characters of late deltas whose block was already printed in full
  const printed = new Set<string>(); // an item comes again when its status changes

  return {
    delta(delta: Pick<StreamDelta, 'kind' | 'text'>): void {
      if (delta.kind !== 'text') return;
      const skipped = Math.min(swallow, delta.text.length);
      swallow -= skipped;
      const text = delta.text.slice(skipped);
      if (!text) return;
      streamed += text;
      out(printableText(text));
    },
    item(item: ChatRow): void {
      if (item.sender_type === 'user' || printed.has(item.id)) return;
      printed.add(item.id);
      const text = item.message;
      if (item.kind === 'text') {
        if (streamed.startsWith(text)) {
          streamed = streamed.slice(text.length); // streamed in full already
          out('\n');
        } else if (text.startsWith(streamed)) {
          out(`${printableText(text.slice(streamed.length))}\n`);
          swallow += text.length - streamed.length;
          streamed = '';
        } else {
          out(`${streamed ? '\n' : ''}${printableText(text)}\n`);
          streamed = '';
        }
      } else if (item.kind === 'thinking') out(`${paint('dim', `thinking: ${printable(text)}`)}\n`);
      else if (item.kind === 'tool_use') {
        const input = printable(JSON.stringify(item.metadata.input ?? {}));
        out(`${paint('dim', `⚙ ${printable(text).replace(/^mcp__baton__/, '')} ${input}`)}\n`);
      } else err(printable(text));
    },
  };
}
