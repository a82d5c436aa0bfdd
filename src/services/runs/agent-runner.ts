import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertWorkingDirectory,
  startAgentRun,
  type AgentRunHandle,
  type AgentRunRequest,
  type AgentRunResult,
  type AgentRuntime,
  type AgentRunSink,
} from '../../agent/run-agent.ts';
import type { UsageRecord } from '../../agent/usage-meter.ts';
import { AppError, describeError } from '../../core/errors.ts';
import type { EventDraft } from '../../core/events.ts';
import { newId, shortId } from '../../core/ids.ts';
import type { PromptAuthor } from '../../core/statuses.ts';
import { insertAgent, setAgentStatus } from '../../db/agents.ts';
import type { EventStream, EventWriter } from '../../db/event-writer.ts';
import { insertFileChanges } from '../../db/file-changes.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import { insertPrompt, linkPromptToRun } from '../../db/prompts.ts';
import {
  finishRun,
  insertRun,
  latestSessionUsage,
  setRunAgentPid,
  setRunBeforeTree,
  setRunSession,
  type RunRow,
} from '../../db/runs.ts';
import type { RunSessionStore, SessionMirror } from '../../db/session-store.ts';
import { isTransientDatabaseError } from '../../db/transient.ts';
import { upsertUsage, type UsageEntry } from '../../db/usage.ts';
import { createStreamPublisher } from './stream-publisher.ts';

export interface AgentRunnerDeps {
  pool: Pool;
  writer: EventWriter;
  runtime: AgentRuntime;
  /** Mirrors each run's session transcript to PostgreSQL (the runtime's sessionStore), so another machine can resume it. */
  sessions?: SessionMirror;
  /** How long starting or finishing a run may wait for an unreachable database. @default 120000 */
  maxOutageMs?: number;
  /** Queues text and thinking events for a model summary (see summarizer.ts). */
  summarizer?: { add(event: EventDraft): void };
}

/** What the agent runtime takes, minus what the runner works out (scope, resume, baseline). */
type RuntimeRequest = Omit<AgentRunRequest, 'scope' | 'resume' | 'sessionBaseline'>;

export interface RunAgentInput extends RuntimeRequest {
  /** An existing agent to run; otherwise a new one is created with `agentName`. */
  agentId?: string;
  agentName?: string;
  resumeSessionId?: string;
  author: PromptAuthor;
  orchestratorId?: string;
  adwId?: string;
  adwStep?: string;
  /** The ADW step run (position) and attempt the run belongs to, for fencing. */
  adwStepIndex?: number;
  adwAttempt?: number;
  /** A prompt already recorded (a queued command): the run is linked to it instead of recording a new one. */
  promptId?: string;
  /** Sees every event as it is recorded (the CLI's live view). */
  onEvent?: (draft: EventDraft) => void;
}

export interface RecordedRun {
  runId: string;
  agentId: string;
  interrupt(): Promise<void>;
  /**
   * The run's final row and what the runtime measured. Rejects with an AppError when the run could not be
   * recorded completely (events refused or lost, 'database_unavailable' after an outage; its transcript
   * incomplete): the agent was stopped, and the run is recorded as failed if the database allows.
   */
  done: Promise<{ run: RunRow; result: AgentRunResult }>;
}

/**
 * Runs agents with everything recorded: an agent row, a run row, every event through the writer, one usage
 * row per model call, the run's file changes, and the run's outcome — failed runs included, with their error.
 */
export function createAgentRunner(deps: AgentRunnerDeps) {
  const host = hostname();
  const maxOutageMs = deps.maxOutageMs ?? 120_000;

  async function start(input: RunAgentInput): Promise<RecordedRun> {
    assertWorkingDirectory(input.cwd); // before anything is recorded
    const runId = newId();
    // The session's last figures are read beside the start (a warm process keeps its own; see LiveClaude).
    const baselineRead = input.resumeSessionId
      ? whileReachable(() => latestSessionUsage(deps.pool, input.resumeSessionId!))
      : Promise.resolve(undefined);
    baselineRead.catch(() => {}); // awaited below, after the start is recorded
    const agentId = await whileReachable(() => recordStart(runId, input));
    const events = deps.writer.open();
    const transcript = deps.sessions?.open();
    let handle: AgentRunHandle | undefined;
    let ledgerFailure: AppError | undefined;
    // The run's events or transcript cannot all be stored: stop the agent rather than let it work unrecorded.
    const stopUnrecorded = (error: AppError) => {
      if (ledgerFailure) return;
      ledgerFailure = error;
      void handle?.interrupt();
    };
    const unwatch = [
      events.onFailure(stopUnrecorded),
      transcript?.onFailure((error) => stopUnrecorded(notResumable(error))),
    ];

    const usage: UsageEntry[] = [];
    // Side writes (usage, session id, pid, agent status) run one after another and ride out an outage like
    // the run's other writes; one that still fails is given up (usage and session id are written again
    // when the run ends).
    let sideWrites = Promise.resolve();
    const sideWrite = (write: () => Promise<unknown>) => {
      sideWrites = sideWrites
        .then(() => whileReachable(write))
        .then(
          () => {},
          () => {},
        );
    };
    let queued = false;
    const stream = createStreamPublisher(deps.pool, {
      runId,
      agentId,
      adwId: input.adwId,
      orchestratorId: input.orchestratorId,
    });

    const sink: AgentRunSink = {
      async event(draft) {
        input.onEvent?.(draft);
        try {
          await events.write(draft); // waits while the writer's buffer is full
        } catch (error) {
          stopUnrecorded(asAppError(error)); // the stream failed: onFailure has seen it too
          return;
        }
        deps.summarizer?.add(draft);
      },
      usage(record: UsageRecord) {
        const entry = { runId, agentId, ...record };
        usage.push(entry);
        sideWrite(() => upsertUsage(deps.pool, [entry]));
      },
      stream: stream.publish,
      sessionStarted(sessionId) {
        sideWrite(() => setRunSession(deps.pool, runId, sessionId));
      },
      processStarted(pid) {
        sideWrite(() => setRunAgentPid(deps.pool, runId, pid));
      },
      trackingStarted(beforeTree) {
        sideWrite(() => setRunBeforeTree(deps.pool, runId, beforeTree));
      },
      queued() {
        if (queued) return;
        queued = true;
        sideWrite(() => setAgentStatus(deps.pool, agentId, 'waiting'));
      },
      admitted() {
        if (queued) sideWrite(() => setAgentStatus(deps.pool, agentId, 'executing'));
      },
    };

    // Everything that is not the runner's own travels to the runtime as it is.
    const {
      agentId: _agent,
      agentName: _name,
      resumeSessionId,
      author: _author,
      orchestratorId,
      adwId,
      adwStep,
      adwStepIndex: _index,
      adwAttempt: _attempt,
      promptId: _promptId,
      onEvent: _onEvent,
      ...request
    } = input;
    const sessionBaseline = resumeSessionId ? await baselineRead : undefined;
    handle = startAgentRun(
      {
        ...request,
        resume: resumeSessionId,
        sessionBaseline,
        scope: { agentId, runId, orchestratorId, adwId, adwStep },
      },
      { ...deps.runtime, sessionStore: transcript ?? deps.runtime.sessionStore },
      sink,
    );
    if (ledgerFailure) void handle.interrupt(); // failed while the run was starting

    const done = (async () => {
      const result = await handle.result;
      for (const stop of unwatch) stop?.();
      stream.close();
      await sideWrites;
      const failure = ledgerFailure ?? (await flushLedger(events, transcript));
      const outcome = failure ? { status: 'failed' as const, error: failure.message } : result;
      let run: RunRow | undefined;
      try {
        run = await whileReachable(() =>
          inTransaction(deps.pool, async (client) => {
            const finished = await finishRun(client, runId, {
              status: outcome.status,
              sessionId: result.sessionId,
              numTurns: result.numTurns,
              stopReason: result.stopReason,
              resultText: result.resultText,
              errorMessage: outcome.error,
              costUsd: result.costUsd,
              sdkCostUsd: result.sdkCostUsd,
              sdkSessionUsage: result.sessionUsage,
              agentProcessMs: result.agentProcessMs,
              inputTokens: result.usage.inputTokens,
              outputTokens: result.usage.outputTokens,
              cacheReadTokens: result.usage.cacheReadTokens,
              cacheCreationTokens: result.usage.cacheCreationTokens,
              contextTokens: result.contextTokens,
            });
            await upsertUsage(client, usage);
            await insertFileChanges(client, runId, agentId, result.fileChanges.files);
            await setAgentStatus(
              client,
              agentId,
              outcome.status === 'failed' ? 'blocked' : 'idle',
              result.sessionId,
            );
            return finished;
          }),
        );
      } catch (error) {
        throw failure ?? error; // the ledger's own failure says more than the last attempt to record it
      }
      if (failure) throw failure;
      if (!run) throw new AppError('conflict', `Run ${runId} had already ended in the ledger`);
      return { run, result };
    })();

    return { runId, agentId, interrupt: handle.interrupt, done };
  }

  /** The agent row (unless the run has one), the run row and its prompt; returns the agent's id. */
  function recordStart(runId: string, input: RunAgentInput): Promise<string> {
    // One transaction, so a retry after a lost connection starts from nothing.
    return inTransaction(deps.pool, async (client) => {
      const agentId =
        input.agentId ??
        (
          await insertAgent(client, {
            name: input.agentName ?? `run-${shortId(runId)}`,
            model: input.model,
            workingDir: input.cwd,
            systemPrompt: input.systemPrompt,
            orchestratorId: input.orchestratorId,
            adwId: input.adwId,
            adwStep: input.adwStep,
          })
        ).id;
      await insertRun(client, {
        id: runId,
        agentId,
        model: input.model,
        workingDir: input.cwd,
        resumedSessionId: input.resumeSessionId,
        adwId: input.adwId,
        adwStep: input.adwStep,
        adwStepIndex: input.adwStepIndex,
        adwAttempt: input.adwAttempt,
        maxTurns: input.maxTurns,
        maxCostUsd: input.maxCostUsd,
        host,
        pid: process.pid,
      });
      if (input.promptId) await linkPromptToRun(client, input.promptId, runId, input.resumeSessionId);
      else
        await insertPrompt(client, {
          agentId,
          runId,
          author: input.author,
          text: input.prompt,
          sessionId: input.resumeSessionId,
        });
      await setAgentStatus(client, agentId, 'executing');
      return agentId;
    });
  }

  /** Retries `work` while the database is unreachable, for up to maxOutageMs. */
  async function whileReachable<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + maxOutageMs;
    for (let backoff = 100; ; backoff = Math.min(backoff * 2, 2_000)) {
      try {
        return await work();
      } catch (error) {
        if (!isTransientDatabaseError(error)) throw error;
        if (Date.now() > deadline) {
          throw new AppError(
            'database_unavailable',
            `The database was unreachable for ${Math.round(maxOutageMs / 100) / 10} s (${describeError(error)}); ` +
              'the run could not be recorded. Check that PostgreSQL is running.',
            { cause: error, retryable: true },
          );
        }
        await sleep(backoff);
      }
    }
  }

  return { start };
}

/** Waits until the run's events and transcript are stored; returns why not, if they cannot be. */
async function flushLedger(
  events: EventStream,
  transcript: RunSessionStore | undefined,
): Promise<AppError | undefined> {
  try {
    await events.flush();
  } catch (error) {
    return asAppError(error);
  }
  try {
    await transcript?.flush();
  } catch (error) {
    return notResumable(asAppError(error));
  }
  return undefined;
}

function notResumable(error: AppError): AppError {
  return new AppError(
    error.code,
    `The run's session transcript is incomplete in the database, so it cannot be resumed elsewhere: ${error.message}`,
    { cause: error, retryable: error.retryable },
  );
}

function asAppError(error: unknown): AppError {
  return error instanceof AppError
    ? error
    : new AppError('database_unavailable', describeError(error), { cause: error });
}

export type AgentRunner = ReturnType<typeof createAgentRunner>;
