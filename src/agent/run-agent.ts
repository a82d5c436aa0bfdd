import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  query,
  type HookCallback,
  type HookCallbackMatcher,
  type HookEvent,
  type McpServerConfig,
  type Query,
  type SDKMessage,
  type SDKResultMessage,
  type SessionStore,
} from '@anthropic-ai/claude-agent-sdk';
import { describeError, UserError } from '../core/errors.ts';
import type { EventDraft, EventScope } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import type { RunStatus } from '../core/statuses.ts';
import type { SessionUsage, TokenUsage } from '../core/usage.ts';
import type { AdmissionGate, AdmissionSlot, AdmissionTicket } from './admission-gate.ts';
import { claudeCodeOptions } from './claude-options.ts';
import { createClaudeProcess } from './claude-process.ts';
import { noFileChanges, type FileChangeSummary } from './file-tracker.ts';
import { fileChangesEvent, runEndedEvent, runQueuedEvent, runStartedEvent } from './run-events.ts';
import { trackRunFiles, untrackedFiles } from './run-file-changes.ts';
import { classify } from './run-outcome.ts';
import {
  eventFromHook,
  eventsFromMessage,
  callbackHooks,
  type NormalizeContext,
  type NormalizedEvent,
} from './normalize.ts';
import type { PriceTable } from './pricing.ts';
import { PromptStream } from './prompt-stream.ts';
import { sessionStartFrom, takeSessionEnds } from './session-hooks.ts';
import { UsageMeter, sessionUsageOf, type UsageRecord } from './usage-meter.ts';

export interface AgentRunRequest {
  prompt: string;
  /** The directory the agent works in; it must exist. */
  cwd: string;
  /** A resolved model id (see resolveModel). */
  model: string;
  /** Added to Claude Code's own system prompt, which keeps its tool instructions. */
  systemPrompt?: string;
  /** Restricts the agent to these tools (built-in names and `mcp__server__tool`). Omitted: all. */
  allowedTools?: string[];
  disallowedTools?: string[];
  mcpServers?: Record<string, McpServerConfig>;
  maxTurns?: number;
  /** Spend limit in USD, as baton prices the run's model calls. */
  maxCostUsd?: number;
  /** Track the files the run changes (the default). Off for an agent that cannot write, like the orchestrator. */
  trackFiles?: boolean;
  /** A session id from an earlier run to continue. */
  resume?: string;
  /** The session figures Claude Code reported at the end of the previous run of `resume`. */
  sessionBaseline?: SessionUsage;
  /** Where the run's events belong (agent, run, ADW...). */
  scope: EventScope;
}

/** Where a run's observations go; the agent layer records nothing itself. */
export interface AgentRunSink {
  /**
   * Takes an event; a promise makes the run wait (back-pressure: the SDK's message loop and hook callbacks
   * await it, so Claude Code is slowed down too). It must not reject: the sink handles its own failures.
   */
  event(draft: EventDraft): Promise<void> | void;
  usage(record: UsageRecord): void;
  /** Token-level fragments of the message being generated (not stored). */
  stream?(fragment: { index: number; kind: 'text' | 'thinking' | 'tool_input'; text: string }): void;
  sessionStarted?(sessionId: string): void;
  processStarted?(pid: number): void;
  /** The before-snapshot of file tracking exists: what a killed run changed can be computed from it. */
  trackingStarted?(beforeTree: string): void;
  /** The run waits for a Claude Code slot (see AdmissionGate); called again as its position changes. */
  queued?(position: number): void;
  /** The run has its slot (at once, or after waiting): Claude Code starts now. */
  admitted?(): void;
}

export interface AgentRuntime {
  /** The Claude Code process environment (see agentEnvironment). */
  environment: Record<string, string>;
  prices: PriceTable;
  /** Where file-tracking snapshots live (BATON_HOME/snapshots). */
  snapshotsRoot: string;
  diffLimitBytes: number;
  claudeCodePath?: string;
  /** Mirrors session transcripts (to PostgreSQL) so another machine can resume them. */
  sessionStore?: SessionStore;
  /** See findSetpriv: makes Claude Code die with the process that started it. */
  setpriv?: string;
  /** The host's limit on Claude Code processes: a run waits for a slot before its process starts. */
  admission?: AdmissionGate;
  /** Load the person's own Claude Code settings (user scope) as well as the project's. */
  userSettings?: boolean;
}

export interface AgentRunResult {
  status: RunStatus;
  sessionId?: string;
  numTurns: number;
  resultText?: string;
  error?: string;
  /** Why a run stopped early: 'interrupted', 'max_turns', 'max_cost'. */
  stopReason?: string;
  usage: TokenUsage;
  costUsd: number;
  /** How long the Claude Code process lived (spawn to exit): the run's time without baton's own work. */
  agentProcessMs?: number;
  /** What Claude Code itself reported for this run, kept for comparison with baton's own pricing. */
  sdkCostUsd?: number;
  /** Claude Code's cumulative session figures: the baseline for the next run that resumes this session. */
  sessionUsage?: SessionUsage;
  contextTokens: number;
  unpricedModels: string[];
  fileChanges: FileChangeSummary;
  /** From the slot being granted to the end: the run's own time. */
  durationMs: number;
  /** How long the run waited for a Claude Code slot. */
  queuedMs: number;
  /** How long the run's events waited for the sink to take them (the sum over events), in ms. */
  eventWaitMs: number;
}

export interface AgentRunHandle {
  readonly result: Promise<AgentRunResult>;
  /** Stops the run as soon as Claude Code can: it is recorded as interrupted. */
  interrupt(): Promise<void>;
}

// After an interrupt Claude Code normally ends its turn at once; if it does not, the process is killed.
const interruptGraceMs = 5_000;

/** Fails fast, before anything is recorded, when the working directory is unusable. */
export function assertWorkingDirectory(cwd: string, flag = '--cwd'): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch {
    throw new UserError(
      `The working directory ${cwd} does not exist: pass an existing directory with ${flag}.`,
    );
  }
  if (!isDirectory) throw new UserError(`${cwd} is not a directory: pass a directory with ${flag}.`);
}

/**
 * Runs one real Claude Code agent to the end of its prompt and reports everything it does to the sink:
 * messages, hooks, per-call usage and cost, token fragments, and the files the run changed. With an
 * admission gate, the run first waits for a slot (RunQueued events say where it is in line); the slot is
 * held while the Claude Code process lives. Interrupted while it waits, it leaves the queue at once and
 * ends as interrupted without starting anything.
 */
export function startAgentRun(
  request: AgentRunRequest,
  runtime: AgentRuntime,
  sink: AgentRunSink,
): AgentRunHandle {
  assertWorkingDirectory(request.cwd);
  const requestedAt = Date.now();
  const context: NormalizeContext = { cwd: request.cwd, toolCalls: new Map() };
  const abort = new AbortController();
  const claude = createClaudeProcess({ setpriv: runtime.setpriv, abort, onStarted: sink.processStarted });
  const input = new PromptStream();
  const sessionEndLog = join(tmpdir(), `baton-session-end-${newId()}.jsonl`);
  let sessionId: string | undefined = request.resume;
  let stopRequested: 'interrupted' | 'max_cost' | undefined;
  let activeQuery: Query | undefined;
  let ticket: AdmissionTicket | undefined;
  let eventWaitMs = 0;

  /** Hands an event to the sink, waiting while it asks to (back-pressure). */
  async function emit(event: NormalizedEvent): Promise<void> {
    const taken = sink.event({ id: newId(), ...request.scope, sessionId, ...event, occurredAt: new Date() });
    if (!taken) return;
    const waitStart = Date.now();
    await taken;
    eventWaitMs += Date.now() - waitStart;
  }

  const meter = new UsageMeter(runtime.prices, (record) => {
    sink.usage(record);
    if (request.maxCostUsd !== undefined && meter.costUsd >= request.maxCostUsd && !stopRequested) {
      void stop('max_cost');
    }
  });

  async function stop(reason: 'interrupted' | 'max_cost'): Promise<void> {
    stopRequested ??= reason;
    if (!activeQuery) {
      ticket?.cancel(); // waiting for a slot: out of the queue at once
      return; // not started yet: the run checks stopRequested before it starts
    }
    const killer = setTimeout(claude.kill, interruptGraceMs);
    killer.unref();
    try {
      await activeQuery.interrupt();
    } catch {
      claude.kill();
    }
  }

  /** Waits for a Claude Code slot; undefined when the run was stopped first. */
  async function admit(gate: AdmissionGate | undefined): Promise<AdmissionSlot | undefined> {
    if (stopRequested) return undefined;
    if (!gate) return { release() {} };
    let announced = Promise.resolve();
    ticket = gate.enter((position) => {
      sink.queued?.(position);
      announced = announced.then(() => emit(runQueuedEvent(position, gate.slots)));
    });
    const slot = await ticket.granted;
    await announced;
    if (slot && stopRequested) slot.release();
    return stopRequested ? undefined : slot;
  }

  // Started once the run has its slot: a run that waits must not take its "before" snapshot early.
  let files!: ReturnType<typeof trackRunFiles>;
  const hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>> = {};
  for (const name of callbackHooks) {
    const callback: HookCallback = async (hookInput) => {
      await emit(eventFromHook(hookInput, context));
      // No tool may touch a file before the "before" snapshot exists.
      if (hookInput.hook_event_name === 'PreToolUse') await files.toolWillRun();
      return {};
    };
    hooks[name] = [{ hooks: [callback] }];
  }
  const options = claudeCodeOptions(request, runtime, { abort, process: claude, hooks, sessionEndLog });

  async function observe(message: SDKMessage): Promise<void> {
    meter.observe(message);
    if (message.type === 'system' && message.subtype === 'init' && message.session_id !== sessionId) {
      sessionId = message.session_id;
      sink.sessionStarted?.(message.session_id);
    }
    if (message.type === 'stream_event' && message.parent_tool_use_id === null && sink.stream) {
      const fragment = streamFragment(message.event);
      if (fragment) sink.stream(fragment);
    }
    const sessionStart = sessionStartFrom(message);
    if (sessionStart) await emit(eventFromHook(sessionStart, context));
    for (const event of eventsFromMessage(message, context)) await emit(event);
  }

  /** Runs the query to its end: the result message (if any) and what was thrown (if anything). */
  async function converse(): Promise<{ final?: SDKResultMessage; thrown?: unknown }> {
    let final: SDKResultMessage | undefined;
    input.push(request.prompt);
    try {
      activeQuery = query({ prompt: input, options });
      if (stopRequested) void stop(stopRequested);
      for await (const message of activeQuery) {
        await observe(message);
        if (message.type === 'result') {
          final = message;
          input.end();
          files.resultArrived();
        }
      }
      return { final };
    } catch (error) {
      // After an error result Claude Code's iterator also throws "returned an error result"; the result says more.
      return final ? { final } : { thrown: error };
    } finally {
      input.end();
    }
  }

  /** The run from its slot to its end; the slot is given back as soon as Claude Code has exited. */
  async function runAdmitted(slot: AdmissionSlot, queuedMs: number): Promise<AgentRunResult> {
    const startedAt = Date.now();
    sink.admitted?.();
    files =
      request.trackFiles === false
        ? untrackedFiles
        : trackRunFiles(
            {
              cwd: request.cwd,
              snapshotsRoot: runtime.snapshotsRoot,
              diffLimitBytes: runtime.diffLimitBytes,
            },
            sink.trackingStarted,
          );
    await emit(runStartedEvent(request));
    const { final, thrown } = await converse();
    // The iterator ends when Claude Code closes its output; its exit follows at once. One that lingers is killed.
    const lingering = setTimeout(claude.kill, 5_000);
    const agentProcessMs = await claude.lifetime();
    clearTimeout(lingering);
    slot.release();
    for (const hookInput of await takeSessionEnds(sessionEndLog))
      await emit(eventFromHook(hookInput, context));
    meter.finish();
    const sessionUsage = final ? sessionUsageOf(final) : undefined;
    if (sessionUsage) meter.reconcile(sessionUsage, request.sessionBaseline);
    const fileChanges = await files.finish();
    if (files !== untrackedFiles) await emit(fileChangesEvent(fileChanges));

    const runResult: AgentRunResult = {
      ...classify(final, thrown, stopRequested, claude.stderrTail),
      sessionId,
      numTurns: final?.num_turns ?? 0,
      resultText: final?.subtype === 'success' ? final.result : undefined,
      usage: { ...meter.totals },
      costUsd: meter.costUsd,
      sdkCostUsd: sessionUsage && sessionUsage.totalCostUsd - (request.sessionBaseline?.totalCostUsd ?? 0),
      sessionUsage,
      contextTokens: meter.contextTokens,
      unpricedModels: [...meter.unpricedModels],
      fileChanges,
      durationMs: Date.now() - startedAt,
      queuedMs,
      agentProcessMs,
      eventWaitMs,
    };
    await emit(runEndedEvent(runResult));
    return runResult;
  }

  /** A run that never got its slot (stopped while it waited, or no slot to be had): nothing ran. */
  async function endUnstarted(
    queuedMs: number,
    outcome: Pick<AgentRunResult, 'status' | 'stopReason' | 'error'>,
  ): Promise<AgentRunResult> {
    const runResult: AgentRunResult = {
      ...outcome,
      sessionId,
      numTurns: 0,
      usage: { ...meter.totals },
      costUsd: 0,
      contextTokens: 0,
      unpricedModels: [],
      fileChanges: noFileChanges(),
      durationMs: 0,
      queuedMs,
      eventWaitMs,
    };
    await emit(runEndedEvent(runResult));
    return runResult;
  }

  const result = (async (): Promise<AgentRunResult> => {
    let slot: AdmissionSlot | undefined;
    try {
      slot = await admit(runtime.admission);
    } catch (error) {
      const failure = `No Claude Code slot could be had: ${describeError(error)}`;
      return endUnstarted(Date.now() - requestedAt, { status: 'failed', error: failure });
    }
    const queuedMs = Date.now() - requestedAt;
    if (!slot) return endUnstarted(queuedMs, { status: 'interrupted', stopReason: 'interrupted' });
    try {
      return await runAdmitted(slot, queuedMs);
    } finally {
      slot.release(); // also when the run failed before its process exited
    }
  })();

  return {
    result,
    interrupt: () => stop('interrupted'),
  };
}

/** A token-level fragment of the main thread's output, from a stream event. */
function streamFragment(
  event: Extract<SDKMessage, { type: 'stream_event' }>['event'],
): { index: number; kind: 'text' | 'thinking' | 'tool_input'; text: string } | undefined {
  if (event.type !== 'content_block_delta') return undefined;
  const { delta, index } = event;
  if (delta.type === 'text_delta') return { index, kind: 'text', text: delta.text };
  if (delta.type === 'thinking_delta') return { index, kind: 'thinking', text: delta.thinking };
  if (delta.type === 'input_json_delta') return { index, kind: 'tool_input', text: delta.partial_json };
  return undefined;
}
