import { plural } from '../core/plural.ts';
import { EventType } from '../core/events.ts';
import type { FileChangeSummary } from './file-tracker.ts';
import type { NormalizedEvent } from './normalize.ts';
import type { AgentRunRequest, AgentRunResult } from './run-agent.ts';
import { fileChangeSummary } from './run-outcome.ts';
import { oneLine } from './summaries.ts';

/** The events a run itself adds to what Claude Code reports: its start, its file changes, its end. */

/** The run waits for one of the host's `slots` Claude Code slots; `position` 1 is next in line. */
export function runQueuedEvent(position: number, slots: number): NormalizedEvent {
  return {
    category: 'system',
    type: EventType.RunQueued,
    payload: { position, slots },
    summary: `queued (position ${position}): waiting for one of ${plural(slots, 'Claude Code slot')}`,
  };
}

/** `warm`: the prompt goes into a process kept from an earlier run (`pid`), not a new one. */
export function runStartedEvent(
  request: AgentRunRequest,
  process: { warm: boolean; pid?: number },
): NormalizedEvent {
  return {
    category: 'system',
    type: EventType.RunStarted,
    payload: {
      prompt: request.prompt,
      warm: process.warm,
      pid: process.pid ?? null,
      model: request.model,
      cwd: request.cwd,
      resume: request.resume ?? null,
      max_turns: request.maxTurns ?? null,
      max_cost_usd: request.maxCostUsd ?? null,
    },
    summary: oneLine(`Run started: ${request.prompt}`),
  };
}

export function fileChangesEvent(changes: FileChangeSummary): NormalizedEvent {
  return {
    category: 'file_tracking',
    type: EventType.FileChanges,
    payload: {
      files: changes.files.map(({ diff: _diff, ...file }) => file),
      total_added: changes.totalAdded,
      total_removed: changes.totalRemoved,
      truncated_file_list: changes.truncatedFileList,
      error: changes.error ?? null,
    },
    summary: fileChangeSummary(changes),
  };
}

export function runEndedEvent(result: AgentRunResult): NormalizedEvent {
  return {
    category: 'system',
    type: EventType.RunEnded,
    payload: {
      status: result.status,
      stop_reason: result.stopReason ?? null,
      error: result.error ?? null,
      num_turns: result.numTurns,
      cost_usd: result.costUsd,
      sdk_cost_usd: result.sdkCostUsd ?? null,
      usage: result.usage,
      context_tokens: result.contextTokens,
      duration_ms: result.durationMs,
      queued_ms: result.queuedMs,
      files_changed: result.fileChanges.files.length,
      event_wait_ms: result.eventWaitMs,
      warm: result.warm,
      kept_warm: result.keptWarm,
    },
    summary: `Run ${result.status.replace('_', ' ')} after ${plural(result.numTurns, 'turn')} ($${result.costUsd.toFixed(4)})`,
  };
}
