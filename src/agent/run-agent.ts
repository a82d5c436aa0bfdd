import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  query,
  type HookCallbackMatcher,
  type HookEvent,
  type McpServerConfig,
  type Options,
  type Query,
  type SDKMessage,
  type SDKResultMessage,
  type SessionStore,
} from '@anthropic-ai/claude-agent-sdk';
import { UserError } from '../core/errors.ts';
import { EventType, type EventDraft, type EventScope } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import type { RunStatus } from '../core/statuses.ts';
import type { SessionUsage, TokenUsage } from '../core/usage.ts';
import { startFileTracking, type FileChangeSummary, type FileTracking } from './file-tracker.ts';
import { classify, fileChangeSummary } from './run-outcome.ts';
import { killProcessGroup, spawnClaudeCode } from './spawn-claude-code.ts';
import {
  eventFromHook,
  eventsFromMessage,
  callbackHooks,
  type NormalizeContext,
  type NormalizedEvent,
} from './normalize.ts';
import type { PriceTable } from './pricing.ts';
import { PromptStream } from './prompt-stream.ts';
import { sessionHookSettings, sessionStartFrom, takeSessionEnds } from './session-hooks.ts';
import { oneLine } from './summaries.ts';
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
  durationMs: number;
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
 * messages, hooks, per-call usage and cost, token fragments, and the files the run changed.
 */
export function startAgentRun(
  request: AgentRunRequest,
  runtime: AgentRuntime,
  sink: AgentRunSink,
): AgentRunHandle {
  assertWorkingDirectory(request.cwd);
  const startedAt = Date.now();
  const context: NormalizeContext = { cwd: request.cwd, toolCalls: new Map() };
  const abort = new AbortController();
  const input = new PromptStream();
  let sessionId: string | undefined = request.resume;
  let stopRequested: 'interrupted' | 'max_cost' | undefined;
  let activeQuery: Query | undefined;
  let stderrTail = '';
  const sessionEndLog = join(tmpdir(), `baton-session-end-${newId()}.jsonl`);
  let processExited: Promise<number> | undefined;
  let trackingStarted: Promise<FileTracking> | undefined;
  // The "after" snapshot is taken as soon as the result arrives, while Claude Code shuts down; any tool
  // call after that (a background task finishing) makes it stale and it is taken again at the end.
  const earlyChanges: { changes?: Promise<FileChangeSummary>; stale: boolean } = { stale: false };

  let eventWaitMs = 0;
  const emit = async (event: NormalizedEvent): Promise<void> => {
    const taken = sink.event({
      id: newId(),
      ...request.scope,
      sessionId,
      category: event.category,
      type: event.type,
      payload: event.payload,
      summary: event.summary,
      occurredAt: new Date(),
    });
    if (!taken) return;
    const waitStart = Date.now();
    await taken;
    eventWaitMs += Date.now() - waitStart;
  };

  const meter = new UsageMeter(runtime.prices, (record) => {
    sink.usage(record);
    if (request.maxCostUsd !== undefined && meter.costUsd >= request.maxCostUsd && !stopRequested) {
      void stop('max_cost');
    }
  });

  let agentPid: number | undefined;
  // Kills Claude Code and everything it started (its shell commands share its process group).
  function kill(): void {
    abort.abort();
    if (agentPid !== undefined) killProcessGroup(agentPid);
  }

  async function stop(reason: 'interrupted' | 'max_cost'): Promise<void> {
    stopRequested ??= reason;
    if (!activeQuery) return; // not started yet: the run checks stopRequested before it starts
    const killer = setTimeout(kill, interruptGraceMs);
    killer.unref();
    try {
      await activeQuery.interrupt();
    } catch {
      kill();
    }
  }

  const hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>> = {};
  for (const name of callbackHooks) {
    hooks[name] = [
      {
        hooks: [
          async (hookInput) => {
            await emit(eventFromHook(hookInput, context));
            if (hookInput.hook_event_name === 'PreToolUse') {
              // No tool may touch a file before the "before" snapshot exists (it is taken while Claude Code starts).
              await trackingStarted;
              earlyChanges.stale = true;
            }
            return {};
          },
        ],
      },
    ];
  }

  const options: Options = {
    cwd: request.cwd,
    model: request.model,
    env: runtime.environment,
    abortController: abort,
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    settingSources: ['project', 'local'],
    systemPrompt: {
      type: 'preset',
      preset: 'claude_code',
      ...(request.systemPrompt ? { append: request.systemPrompt } : {}),
    },
    includePartialMessages: true,
    hooks,
    mcpServers: request.mcpServers,
    mcpServersDelivery: 'initialize',
    settings: sessionHookSettings(sessionEndLog),
    maxTurns: request.maxTurns,
    resume: request.resume,
    ...(request.allowedTools
      ? {
          tools: request.allowedTools.filter((tool) => !tool.startsWith('mcp__')),
          allowedTools: request.allowedTools,
        }
      : {}),
    disallowedTools: request.disallowedTools,
    pathToClaudeCodeExecutable: runtime.claudeCodePath,
    // Our own spawn: the process leads its own group (so an interrupt can take its shell children with it)
    // and we keep the tail of its stderr to explain a crash.
    spawnClaudeCodeProcess: (spawnOptions) => {
      const child = spawnClaudeCode(spawnOptions, {
        setpriv: runtime.setpriv,
        onStderr: (text) => {
          stderrTail = (stderrTail + text).slice(-4_000);
        },
      });
      agentPid = child.pid;
      const spawnedAt = Date.now();
      processExited = new Promise((resolve) => child.once('exit', () => resolve(Date.now() - spawnedAt)));
      if (child.pid !== undefined) sink.processStarted?.(child.pid);
      return child;
    },
    sessionStore: runtime.sessionStore,
    // Every transcript entry reaches the store at once, so a run killed mid-turn can still be resumed.
    sessionStoreFlush: 'eager',
  };

  const result = (async (): Promise<AgentRunResult> => {
    trackingStarted = startFileTracking({
      cwd: request.cwd,
      snapshotsRoot: runtime.snapshotsRoot,
      diffLimitBytes: runtime.diffLimitBytes,
    });
    void trackingStarted.then((tracking) => {
      if (tracking.beforeTree) sink.trackingStarted?.(tracking.beforeTree);
    });
    await emit({
      category: 'system',
      type: EventType.RunStarted,
      payload: {
        prompt: request.prompt,
        model: request.model,
        cwd: request.cwd,
        resume: request.resume ?? null,
        max_turns: request.maxTurns ?? null,
        max_cost_usd: request.maxCostUsd ?? null,
      },
      summary: oneLine(`Run started: ${request.prompt}`),
    });

    let final: SDKResultMessage | undefined;
    let thrown: unknown;
    input.push(request.prompt);
    try {
      activeQuery = query({ prompt: input, options });
      if (stopRequested) void stop(stopRequested);
      for await (const message of activeQuery) {
        await observe(message);
        if (message.type === 'result') {
          final = message;
          input.end();
          earlyChanges.stale = false;
          earlyChanges.changes = (earlyChanges.changes ?? Promise.resolve(undefined)).then(() =>
            trackingStarted!.then((tracking) => tracking.changes()),
          );
        }
      }
    } catch (error) {
      // After an error result Claude Code's iterator also throws "returned an error result"; the result says more.
      if (!final) thrown = error;
    } finally {
      input.end();
    }

    // The iterator ends when Claude Code closes its output; its exit follows at once. One that lingers is killed.
    const lingering = setTimeout(kill, 5_000);
    const agentProcessMs = await processExited;
    clearTimeout(lingering);
    for (const hookInput of await takeSessionEnds(sessionEndLog))
      await emit(eventFromHook(hookInput, context));
    meter.finish();
    const sessionUsage = final ? sessionUsageOf(final) : undefined;
    if (sessionUsage) meter.reconcile(sessionUsage, request.sessionBaseline);
    const tracking = await trackingStarted;
    const early = await earlyChanges.changes;
    const tracked = early && !earlyChanges.stale ? early : await tracking.changes();
    await tracking.dispose();
    const fileChanges = tracked;
    await emit({
      category: 'file_tracking',
      type: EventType.FileChanges,
      payload: {
        files: fileChanges.files.map(({ diff: _diff, ...file }) => file),
        total_added: fileChanges.totalAdded,
        total_removed: fileChanges.totalRemoved,
        truncated_file_list: fileChanges.truncatedFileList,
        error: fileChanges.error ?? null,
      },
      summary: fileChangeSummary(fileChanges),
    });

    const outcome = classify(final, thrown, stopRequested, stderrTail);
    const runResult: AgentRunResult = {
      ...outcome,
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
      agentProcessMs,
      eventWaitMs,
    };
    await emit({
      category: 'system',
      type: EventType.RunEnded,
      payload: {
        status: runResult.status,
        stop_reason: runResult.stopReason ?? null,
        error: runResult.error ?? null,
        num_turns: runResult.numTurns,
        cost_usd: runResult.costUsd,
        sdk_cost_usd: runResult.sdkCostUsd ?? null,
        usage: runResult.usage,
        context_tokens: runResult.contextTokens,
        duration_ms: runResult.durationMs,
        files_changed: fileChanges.files.length,
        event_wait_ms: runResult.eventWaitMs,
      },
      summary: `Run ${runResult.status.replace('_', ' ')} after ${runResult.numTurns} turns ($${runResult.costUsd.toFixed(4)})`,
    });
    return runResult;
  })();

  async function observe(message: SDKMessage): Promise<void> {
    meter.observe(message);
    if (message.type === 'system' && message.subtype === 'init' && message.session_id !== sessionId) {
      sessionId = message.session_id;
      sink.sessionStarted?.(message.session_id);
    }
    if (message.type === 'stream_event' && message.parent_tool_use_id === null && sink.stream) {
      const event = message.event;
      if (event.type === 'content_block_delta') {
        const delta = event.delta;
        if (delta.type === 'text_delta') sink.stream({ index: event.index, kind: 'text', text: delta.text });
        else if (delta.type === 'thinking_delta')
          sink.stream({ index: event.index, kind: 'thinking', text: delta.thinking });
        else if (delta.type === 'input_json_delta')
          sink.stream({ index: event.index, kind: 'tool_input', text: delta.partial_json });
      }
    }
    const sessionStart = sessionStartFrom(message);
    if (sessionStart) await emit(eventFromHook(sessionStart, context));
    for (const event of eventsFromMessage(message, context)) await emit(event);
  }

  return {
    result,
    interrupt: () => stop('interrupted'),
  };
}
