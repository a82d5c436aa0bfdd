import { plural } from '../core/plural.ts';
import { reportableErrors } from './result-errors.ts';
import type { HookInput, SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { EventType } from '../core/events.ts';
import type { EventCategory } from '../core/statuses.ts';
import { describeToolCall, oneLine, toolResultText } from './summaries.ts';

/** An event before it has an id, a time and a scope: what the normalizer decides. */
export interface NormalizedEvent {
  category: EventCategory;
  type: string;
  payload: Record<string, unknown>;
  summary: string;
}

/** What the normalizer remembers across messages of one run. */
export interface NormalizeContext {
  cwd: string;
  /** tool_use id → tool name and input, so results and hooks can say which call they belong to. */
  toolCalls: Map<string, { name: string; input: unknown }>;
}

/**
 * The ledger events one SDK message stands for. Partial (token) messages produce none: they go to the
 * live stream instead. Assistant blocks become TextBlock/ThinkingBlock/ToolUseBlock, tool results
 * ToolResultBlock, and the final message Result.
 */
export function eventsFromMessage(message: SDKMessage, context: NormalizeContext): NormalizedEvent[] {
  switch (message.type) {
    case 'system':
      return systemEvents(message);
    case 'assistant':
      return assistantEvents(message, context);
    case 'user':
      return toolResultEvents(message, context);
    case 'result':
      return [resultEvent(message)];
    default:
      return [];
  }
}

function systemEvents(message: Extract<SDKMessage, { type: 'system' }>): NormalizedEvent[] {
  if (message.subtype === 'init') {
    return [
      {
        category: 'response',
        type: EventType.SystemInit,
        payload: {
          session_id: message.session_id,
          model: message.model,
          cwd: message.cwd,
          tools: message.tools,
          mcp_servers: message.mcp_servers,
          permission_mode: message.permissionMode,
          slash_commands: message.slash_commands,
          claude_code_version: message.claude_code_version,
        },
        summary: `Session started: ${message.model}, ${plural(message.tools.length, 'tool')}`,
      },
    ];
  }
  if (message.subtype === 'api_retry') {
    return [
      {
        category: 'system',
        type: EventType.ApiRetry,
        payload: {
          attempt: message.attempt,
          max_retries: message.max_retries,
          retry_delay_ms: message.retry_delay_ms,
          error_status: message.error_status,
          error: message.error,
        },
        summary: `Model API error ${message.error_status ?? '(no response)'}: retry ${message.attempt} of ${message.max_retries}`,
      },
    ];
  }
  if (message.subtype === 'compact_boundary') {
    return [
      {
        category: 'system',
        type: EventType.CompactBoundary,
        payload: { ...message.compact_metadata },
        summary: `Context compacted (${message.compact_metadata.trigger}, ${message.compact_metadata.pre_tokens} tokens before)`,
      },
    ];
  }
  return [];
}

function assistantEvents(
  message: Extract<SDKMessage, { type: 'assistant' }>,
  context: NormalizeContext,
): NormalizedEvent[] {
  const common = {
    message_id: message.message.id,
    model: message.message.model,
    parent_tool_use_id: message.parent_tool_use_id,
  };
  const events: NormalizedEvent[] = [];
  for (const block of message.message.content) {
    if (block.type === 'text') {
      events.push({
        category: 'response',
        type: EventType.TextBlock,
        payload: { ...common, text: block.text },
        summary: oneLine(block.text),
      });
    } else if (block.type === 'thinking') {
      events.push({
        category: 'response',
        type: EventType.ThinkingBlock,
        payload: { ...common, thinking: block.thinking },
        summary: oneLine(`Thinking: ${block.thinking}`),
      });
    } else if (
      block.type === 'tool_use' ||
      block.type === 'server_tool_use' ||
      block.type === 'mcp_tool_use'
    ) {
      context.toolCalls.set(block.id, { name: block.name, input: block.input });
      events.push({
        category: 'response',
        type: EventType.ToolUseBlock,
        payload: {
          ...common,
          tool_name: block.name,
          tool_input: block.input,
          tool_use_id: block.id,
        },
        summary: describeToolCall(block.name, block.input, context.cwd),
      });
    }
  }
  return events;
}

function toolResultEvents(
  message: Extract<SDKMessage, { type: 'user' }>,
  context: NormalizeContext,
): NormalizedEvent[] {
  const content = message.message.content;
  if (!Array.isArray(content)) return [];
  const events: NormalizedEvent[] = [];
  for (const block of content) {
    if (block.type !== 'tool_result') continue;
    const call = context.toolCalls.get(block.tool_use_id);
    const text = toolResultText(block.content);
    const toolName = call?.name ?? 'tool';
    events.push({
      category: 'response',
      type: EventType.ToolResultBlock,
      payload: {
        tool_use_id: block.tool_use_id,
        tool_name: call?.name ?? null,
        is_error: block.is_error ?? false,
        content: text,
        parent_tool_use_id: message.parent_tool_use_id,
      },
      summary: block.is_error
        ? oneLine(`${toolName} failed: ${text}`)
        : oneLine(`${toolName} result: ${text}`),
    });
  }
  return events;
}

function resultEvent(message: Extract<SDKMessage, { type: 'result' }>): NormalizedEvent {
  const text = message.subtype === 'success' ? message.result : undefined;
  const errors = message.subtype === 'success' ? [] : message.errors;
  const failed = message.is_error || message.subtype !== 'success';
  return {
    category: 'response',
    type: EventType.Result,
    payload: {
      subtype: message.subtype,
      is_error: message.is_error,
      num_turns: message.num_turns,
      duration_ms: message.duration_ms,
      duration_api_ms: message.duration_api_ms,
      total_cost_usd: message.total_cost_usd,
      usage: message.usage,
      stop_reason: message.stop_reason,
      result: text ?? null,
      errors,
    },
    summary: failed
      ? failedResultSummary(message.subtype, text ?? reportableErrors(errors).join('; '))
      : `Run completed in ${plural(message.num_turns, 'turn')}`,
  };
}

/**
 * The hooks Claude Code calls back in-process. SessionStart and SessionEnd are recorded too, but Claude
 * Code runs those only from settings, never as SDK callbacks: see session-hooks.ts.
 */
export const callbackHooks = [
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'UserPromptSubmit',
  'Stop',
  'SubagentStart',
  'SubagentStop',
  'PreCompact',
  'Notification',
] as const;

/** A hook callback's input as a ledger event; the payload is the SDK's input minus session plumbing. */
export function eventFromHook(input: HookInput, context: NormalizeContext): NormalizedEvent {
  const { session_id: _session, transcript_path: _transcript, cwd: _cwd, ...fields } = input;
  return {
    category: 'hook',
    type: input.hook_event_name,
    payload: fields as Record<string, unknown>,
    summary: hookSummary(input, context),
  };
}

function hookSummary(input: HookInput, context: NormalizeContext): string {
  switch (input.hook_event_name) {
    case 'PreToolUse':
      return describeToolCall(input.tool_name, input.tool_input, context.cwd);
    case 'PostToolUse':
      return `${describeToolCall(input.tool_name, input.tool_input, context.cwd)} ✓`;
    case 'PostToolUseFailure':
      return oneLine(`${describeToolCall(input.tool_name, input.tool_input, context.cwd)} ✗ ${input.error}`);
    case 'UserPromptSubmit':
      return oneLine(`Prompt: ${input.prompt}`);
    case 'Stop':
      return 'Agent stopped';
    case 'SubagentStart':
      return `Subagent ${input.agent_type} started`;
    case 'SubagentStop':
      return `Subagent ${input.agent_type} finished`;
    case 'PreCompact':
      return `Compacting context (${input.trigger})`;
    case 'Notification':
      return oneLine(`Notification: ${input.message}`);
    case 'SessionStart':
      return `Session ${input.source}`;
    case 'SessionEnd':
      return `Session ended (${input.reason})`;
    default:
      return input.hook_event_name;
  }
}

function failedResultSummary(subtype: string, detail: string): string {
  // Nothing but Claude Code's diagnostics: the turn was stopped (an interrupt, a cancelled step).
  if (!detail && subtype === 'error_during_execution') return 'Turn stopped before it finished';
  return oneLine(`Run ended with an error (${subtype})${detail ? `: ${detail}` : ''}`);
}
