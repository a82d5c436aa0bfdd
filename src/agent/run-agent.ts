import { statSync } from 'node:fs';
import type {
  McpServerConfig,
  SDKMessage,
  SDKResultMessage,
  SessionStore,
} from '@anthropic-ai/claude-agent-sdk';
import { describeError, UserError } from '../core/errors.ts';
import type { EventDraft, EventScope } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import type { RunStatus } from '../core/statuses.ts';
import type { SessionUsage, TokenUsage } from '../core/usage.ts';
import type { AdmissionGate, AdmissionSlot, AdmissionTicket } from './admission-gate.ts';
import { noFileChanges, type FileChangeSummary } from './file-tracker.ts';
import { fileChangesEvent, runEndedEvent, runQueuedEvent, runStartedEvent } from './run-events.ts';
import { trackRunFiles, untrackedFiles } from './run-file-changes.ts';
import { classify } from './run-outcome.ts';
import { LiveClaude, processSetup, type TurnListener } from './live-claude.ts';
import {
  eventFromHook,
  eventsFromMessage,
  type NormalizeContext,
  type NormalizedEvent,
} from './normalize.ts';
import type { PriceTable } from './pricing.ts';
import { sessionStartFrom } from './session-hooks.ts';
import { UsageMeter, sessionUsageOf, type UsageRecord } from './usage-meter.ts';
import type { WarmPool } from './warm-pool.ts';

export interface AgentRunRequest {
  prompt: string;
  /** The directory the agent works in; it must exist. */
  cwd: string;
  /** A resolved model id (see resolveModel). */
  model: string;
  /** Added to Claude Code's own system prompt, which keeps its tool instructions. */
  systemPrompt?: string;
  /**
   * `systemPrompt` is the whole system prompt instead of an addition to Claude Code's own: for an agent
   * with no built-in tools, which needs none of Claude Code's instructions (Nile's home-page agent).
   */
  replaceSystemPrompt?: boolean;
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
  /**
   * Runs of one key (a command agent's id) share a warm process: this run uses the one kept for the key
   * when it fits, and leaves its own there when it succeeds (see AgentRuntime.warm).
   */
  warmKey?: string;
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
  /** Claude Code processes kept alive between the runs of a `warmKey`. */
  warm?: WarmPool;
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
  /**
   * The run's time in Claude Code without baton's own work: spawn to exit for a process of its own, or
   * prompt to result when the process outlives the run (it was warm, or is kept warm).
   */
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
  /** The run's prompt went into a process kept warm from an earlier run (nothing was spawned). */
  warm: boolean;
  /** The run's process was kept warm for the next run of its key. */
  keptWarm: boolean;
}

export interface AgentRunHandle {
  readonly result: Promise<AgentRunResult>;
  /** Stops the run as soon as Claude Code can: it is recorded as interrupted. */
  interrupt(): Promise<void>;
}

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
 * ends as interrupted without starting anything. With a `warmKey` and a warm pool, the run pushes its
 * prompt into the process kept for that key when there is one (no slot to wait for, nothing to spawn),
 * and a run that succeeds leaves its process there for the next.
 */
export function startAgentRun(
  request: AgentRunRequest,
  runtime: AgentRuntime,
  sink: AgentRunSink,
): AgentRunHandle {
  assertWorkingDirectory(request.cwd);
  const requestedAt = Date.now();
  const context: NormalizeContext = { cwd: request.cwd, toolCalls: new Map() };
  let sessionId: string | undefined = request.resume;
  let stopRequested: 'interrupted' | 'max_cost' | undefined;
  /** The process, once the run has one, and whether its turn (this run's prompt) has begun. */
  let live: LiveClaude | undefined;
  let turnBegun = false;
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
    if (!live) {
      ticket?.cancel(); // waiting for a slot: out of the queue at once
      return; // not started yet: the run checks stopRequested before it starts
    }
    if (turnBegun) await live.interrupt(); // else the turn is interrupted as it begins
  }

  /** Waits for a Claude Code slot; undefined when the run was stopped first. */
  async function admit(gate: AdmissionGate | undefined): Promise<AdmissionSlot | undefined> {
    if (stopRequested) return undefined;
    if (!gate) return { release() {}, idle() {}, busy() {} };
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

  const listener: TurnListener = {
    async message(message) {
      await observe(message);
      if (message.type === 'result') files.resultArrived();
    },
    async hook(hookInput) {
      await emit(eventFromHook(hookInput, context));
      // No tool may touch a file before the "before" snapshot exists.
      if (hookInput.hook_event_name === 'PreToolUse') await files.toolWillRun();
    },
    started: (pid) => sink.processStarted?.(pid),
  };

  /** Keeps the process for the next run of its key when this one succeeded; false when it is not kept. */
  function keepWarm(claude: LiveClaude, final: SDKResultMessage | undefined): boolean {
    const succeeded = final?.subtype === 'success' && !final.is_error && !stopRequested;
    if (!succeeded || request.warmKey === undefined || !runtime.warm) return false;
    return runtime.warm.keep(request.warmKey, claude);
  }

  /**
   * The run from its process to its end. A new process is closed at the end unless it is kept warm; its
   * slot is given back once Claude Code has exited.
   */
  async function runOn(
    claude: LiveClaude,
    warm: boolean,
    queuedMs: number,
  ): Promise<{ result: AgentRunResult; kept: boolean }> {
    const startedAt = Date.now();
    sink.admitted?.();
    if (warm && claude.pid !== undefined) sink.processStarted?.(claude.pid);
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
    await emit(runStartedEvent(request, { warm, pid: claude.pid }));
    // Claude Code's session figures are cumulative over its claude (and a resumed session): this run's
    // share is what they grow by from here.
    const baseline = claude.sessionUsage;
    const turnStartedAt = Date.now();
    const ending = claude.turn(request.prompt, listener, {
      sessionStore: runtime.sessionStore,
      scope: request.scope,
    });
    turnBegun = true;
    if (stopRequested) void claude.interrupt();
    const { final, thrown } = await ending;
    const kept = keepWarm(claude, final);
    let agentProcessMs: number | undefined;
    if (kept || warm) agentProcessMs = Date.now() - turnStartedAt; // the claude outlives the run
    if (!kept) {
      const closed = await claude.close();
      agentProcessMs ??= closed.lifetimeMs;
      for (const hookInput of closed.sessionEnds) await emit(eventFromHook(hookInput, context));
    }
    meter.finish();
    const sessionUsage = final ? sessionUsageOf(final) : undefined;
    if (sessionUsage) meter.reconcile(sessionUsage, baseline);
    const fileChanges = await files.finish();
    if (files !== untrackedFiles) await emit(fileChangesEvent(fileChanges));

    const runResult: AgentRunResult = {
      ...classify(final, thrown, stopRequested, claude.stderrTail),
      sessionId,
      numTurns: final?.num_turns ?? 0,
      resultText: final?.subtype === 'success' ? final.result : undefined,
      usage: { ...meter.totals },
      costUsd: meter.costUsd,
      sdkCostUsd: sessionUsage && sessionUsage.totalCostUsd - (baseline?.totalCostUsd ?? 0),
      sessionUsage,
      contextTokens: meter.contextTokens,
      unpricedModels: [...meter.unpricedModels],
      fileChanges,
      durationMs: Date.now() - startedAt,
      queuedMs,
      agentProcessMs,
      eventWaitMs,
      warm,
      keptWarm: kept,
    };
    await emit(runEndedEvent(runResult));
    return { result: runResult, kept };
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
      warm: false,
      keptWarm: false,
    };
    await emit(runEndedEvent(runResult));
    return runResult;
  }

  const result = (async (): Promise<AgentRunResult> => {
    const setup = processSetup(request);
    const warm =
      request.warmKey !== undefined && !stopRequested
        ? runtime.warm?.take(request.warmKey, setup, request.resume)
        : undefined;
    let claude = warm;
    let queuedMs = 0;
    if (!claude) {
      let slot: AdmissionSlot | undefined;
      try {
        slot = await admit(runtime.admission);
      } catch (error) {
        const failure = `No Claude Code slot could be had: ${describeError(error)}`;
        return endUnstarted(Date.now() - requestedAt, { status: 'failed', error: failure });
      }
      queuedMs = Date.now() - requestedAt;
      if (!slot) return endUnstarted(queuedMs, { status: 'interrupted', stopReason: 'interrupted' });
      claude = new LiveClaude(request, runtime, slot);
    }
    live = claude;
    let kept = false;
    try {
      const outcome = await runOn(claude, warm !== undefined, queuedMs);
      kept = outcome.kept;
      return outcome.result;
    } finally {
      if (!kept) void claude.close(); // also when the run failed before its claude exited
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
