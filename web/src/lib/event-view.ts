import type { WireEvent } from '@protocol';

/** The stream's filter categories: what a person thinks of a row as, not the ledger's category. */
export const viewCategories = ['response', 'tool', 'thinking', 'hook', 'system'] as const;
export type ViewCategory = (typeof viewCategories)[number];

const toolTypes = new Set(['ToolUseBlock', 'ToolResultBlock']);

/** Which filter a row belongs to; undefined: never a row of its own (a summary update). */
export function viewCategory(event: WireEvent): ViewCategory | undefined {
  if (event.category === 'summary') return undefined;
  if (event.type === 'ThinkingBlock') return 'thinking';
  if (toolTypes.has(event.type)) return 'tool';
  if (event.category === 'hook') return 'hook';
  if (event.category === 'response' || event.category === 'file_tracking') return 'response';
  return 'system';
}

const icons: Record<ViewCategory, string> = {
  response: '💬',
  tool: '🛠️',
  thinking: '🧠',
  hook: '🪝',
  system: '⚙️',
};

export function eventIcon(event: WireEvent): string {
  if (event.type === 'FileChanges') return '📝';
  if (event.type === 'StepStart') return '▶';
  if (event.type === 'StepEnd') return '■';
  const category = viewCategory(event);
  return category ? icons[category] : '·';
}

/** The row's label: the tool's name for tool rows, else the event type. */
export function eventLabel(event: WireEvent): string {
  const tool = event.payload.tool_name;
  return toolTypes.has(event.type) && typeof tool === 'string' ? tool : event.type;
}

/** Tokens a row reports (a run's result or end): input + output. */
export function eventTokens(event: WireEvent): number | undefined {
  const usage = event.payload.usage as Record<string, unknown> | undefined;
  if (!usage || typeof usage !== 'object') return undefined;
  const input = Number(usage.input_tokens ?? 0);
  const output = Number(usage.output_tokens ?? 0);
  const total = input + output;
  return Number.isFinite(total) && total > 0 ? total : undefined;
}

/** The full text of a row, shown as Markdown when it is expanded. */
export function eventText(event: WireEvent): string | undefined {
  const { payload } = event;
  for (const key of ['text', 'thinking', 'content', 'result', 'prompt', 'error'] as const) {
    const value = payload[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** The words search looks in: type, tool, agent name, summary, step, and the row's text. */
export function searchableText(event: WireEvent, agentName: string | undefined): string {
  return [
    eventLabel(event),
    event.type,
    agentName ?? '',
    event.summary ?? '',
    event.adwStep ?? '',
    eventText(event) ?? '',
  ].join('\n');
}

/** One formatter for every row: toLocaleTimeString builds a new one per call (a tenth of a streaming frame, measured by bench:ui). */
let timeFormat: Intl.DateTimeFormat | undefined;

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return timeFormat.format(date);
}
