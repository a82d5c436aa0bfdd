import { styleText } from 'node:util';
import type { EventDraft } from '../core/events.ts';

type Style = Parameters<typeof styleText>[0];

/** Colour only when a person is watching. */
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return stream.isTTY && !process.env.NO_COLOR ? styleText(style, text) : text;
}

const icons: Record<string, string> = {
  SystemInit: '⚙',
  TextBlock: '💬',
  ThinkingBlock: '🧠',
  ToolUseBlock: '🛠',
  ToolResultBlock: '↩',
  Result: '✓',
  RunQueued: '⏳',
  RunStarted: '▶',
  RunEnded: '■',
  ApiRetry: '⚠',
  FileChanges: '📂',
  StepStart: '▶',
  StepEnd: '■',
};

/** Event types worth a line in the live view; the rest (hooks mirroring tool calls) would only repeat. */
const shownTypes = new Set([
  'RunQueued',
  'TextBlock',
  'ThinkingBlock',
  'ToolUseBlock',
  'ApiRetry',
  'PostToolUseFailure',
  'SubagentStart',
  'PreCompact',
  'Notification',
  'FileChanges',
  'StepStart',
  'StepEnd',
]);

export function isShownLive(event: Pick<EventDraft, 'type'>): boolean {
  return shownTypes.has(event.type);
}

/** "  12.3s 🛠  Edit src/app.ts (+12 −3)" */
export function eventLine(event: Pick<EventDraft, 'type' | 'summary'>, elapsedMs: number): string {
  const time = paint('dim', `${(elapsedMs / 1000).toFixed(1).padStart(6)}s`);
  const icon = icons[event.type] ?? '·';
  return `${time} ${icon}  ${printable(event.summary ?? event.type)}`;
}

// C0 and C1 control characters, DEL included: escape sequences a prompt or an agent's output may carry.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from prompts, agents and models made safe to print: control characters (which could move the
 * cursor, rewrite the screen or set the terminal's title) are shown as visible escapes instead.
 */
export function printable(text: string): string {
  return text.replace(controlCharacters, (character) =>
    character === '\n' || character === '\t'
      ? ' '
      : `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export function usd(amount: number): string {
  return `$${amount.toFixed(amount < 1 ? 4 : 2)}`;
}
