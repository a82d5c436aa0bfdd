import type { EventCategory } from './statuses.ts';

/**
 * Event types as stored in `events.type`. Agent blocks and hooks keep the names the reference system
 * and Claude Code use, so anyone who knows those recognises them.
 */
export const EventType = {
  // response: what the agent said and did
  SystemInit: 'SystemInit',
  TextBlock: 'TextBlock',
  ThinkingBlock: 'ThinkingBlock',
  ToolUseBlock: 'ToolUseBlock',
  ToolResultBlock: 'ToolResultBlock',
  Result: 'Result',
  // hook: Claude Code's hook callbacks, with the fields the SDK really sends
  PreToolUse: 'PreToolUse',
  PostToolUse: 'PostToolUse',
  PostToolUseFailure: 'PostToolUseFailure',
  UserPromptSubmit: 'UserPromptSubmit',
  Stop: 'Stop',
  SubagentStart: 'SubagentStart',
  SubagentStop: 'SubagentStop',
  PreCompact: 'PreCompact',
  Notification: 'Notification',
  SessionStart: 'SessionStart',
  SessionEnd: 'SessionEnd',
  // system: the run's own lifecycle
  /** The run waits for a Claude Code slot on its host; repeated as its position changes. */
  RunQueued: 'RunQueued',
  RunStarted: 'RunStarted',
  RunEnded: 'RunEnded',
  ApiRetry: 'ApiRetry',
  CompactBoundary: 'CompactBoundary',
  // file_tracking
  FileChanges: 'FileChanges',
  // adw_step: one step of an ADW
  StepStart: 'StepStart',
  StepEnd: 'StepEnd',
  StepSkipped: 'StepSkipped',
  /** A step run handed to the queue again: its attempt failed (with retries left), was lost, or its worker stopped. */
  StepRequeued: 'StepRequeued',
  // system: an ADW as a whole
  AdwCreated: 'AdwCreated',
  AdwStarted: 'AdwStarted',
  AdwPaused: 'AdwPaused',
  AdwResumed: 'AdwResumed',
  AdwEnded: 'AdwEnded',
  // system: a persistent command agent and its queue of commands
  AgentCreated: 'AgentCreated',
  AgentDeleted: 'AgentDeleted',
  CommandQueued: 'CommandQueued',
  CommandStarted: 'CommandStarted',
  /** A command ended: succeeded, failed, interrupted or cancelled (payload.command_id, payload.status). */
  CommandEnded: 'CommandEnded',
  // summary: a later one-line summary of an earlier event
  SummaryUpdated: 'SummaryUpdated',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Where an event belongs. All optional: a workflow-level event has no agent, a CLI run no orchestrator. */
export interface EventScope {
  orchestratorId?: string;
  agentId?: string;
  runId?: string;
  sessionId?: string;
  adwId?: string;
  adwStep?: string;
}

/** An event as its producer describes it, before it has a place (`seq`) in the log. */
export interface EventDraft extends EventScope {
  id: string;
  category: EventCategory;
  type: string;
  payload: Record<string, unknown>;
  summary?: string;
  occurredAt: Date;
}

/** An event as stored: the draft plus its global position. */
export interface LedgerEvent extends EventDraft {
  seq: number;
  recordedAt: Date;
}
