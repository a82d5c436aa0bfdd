import type { Block, TextBlock, ThinkingBlock, ToolUseBlock, Turn } from './script.ts';

/** A text block: `text('Done.')`. */
export function text(value: string): TextBlock {
  return { type: 'text', text: value };
}

/** A thinking block: `thinking('The file is missing, create it.')`. */
export function thinking(value: string): ThinkingBlock {
  return { type: 'thinking', thinking: value };
}

/** A tool call: `toolUse('Write', { file_path, content })`; the id is generated unless given. */
export function toolUse(name: string, input: unknown, id?: string): ToolUseBlock {
  return id === undefined ? { type: 'tool_use', name, input } : { type: 'tool_use', name, input, id };
}

/** A turn answering one request with these blocks: `turn(thinking('...'), toolUse('Bash', { command }))`. */
export function turn(...blocks: Block[]): Turn {
  return { content: blocks };
}

/** A final turn that only says `value` (stop reason `end_turn`). */
export function reply(value: string): Turn {
  return turn(text(value));
}
