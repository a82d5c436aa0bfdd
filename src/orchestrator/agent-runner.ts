import { hostname } from 'node:os';
import {
  assertWorkingDirectory,
  startAgentRun,
  type AgentRunRequest,
  type AgentRunResult,
  type AgentRuntime,
  type AgentRunSink,
} from '../agent/run-agent.ts';
import type { UsageRecord } from '../agent/usage-meter.ts';
import { AppError, describeError } from '../core/errors.ts';
import type { EventDraft } from '../core/events.ts';
import { newId, shortId } from '../core/ids.ts';
import type { PromptAuthor } from '../core/statuses.ts';
import { insertAgent, setAgentStatus } from '../db/agents.ts';
import type { EventWriter } from '../db/event-writer.ts';
import { insertFileChanges } from '../db/file-changes.ts';
import { inTransaction, type Pool } from '../db/pool.ts';
import { insertPrompt } from '../db/prompts.ts';
import {
  finishRun,
  insertRun,
  latestSessionUsage,
  setRunAgentPid,
  setRunBeforeTree,
  setRunSession,
  type RunRow,
} from '../db/runs.ts';
import { isTransientDatabaseError } from '../db/transient.ts';
import { upsertUsage, type UsageEntry } from '../db/usage.ts';
import { createStreamPublisher } from './stream-publisher.ts';

export interface AgentRunnerDeps {
  pool: Pool;
  writer: EventWriter;
  runtime: AgentRuntime;
  /** How long finishing a run may wait for an unreachable database. @default 120000 */
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
  /** Sees every event as it is recorded (the CLI's live view). */
  onEvent?: (draft: EventDraft) => void;
}

export interface RecordedRun {
  runId: string;
  agentId: string;
  interrupt(): Promise<void>;
  /** The run's final row and what the runtime measured; rejects only when the ledger could not be written. */
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
    const agentId =
      input.agentId ??
      (
        await insertAgent(deps.pool, {
          name: input.agentName ?? `run-${shortId(runId)}`,
          model: input.model,
          workingDir: input.cwd,
          systemPrompt: input.systemPrompt,
          orchestratorId: input.orchestratorId,
          adwId: input.adwId,
          adwStep: input.adwStep,
        })
      ).id;
    await insertRun(deps.pool, {
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
    await insertPrompt(deps.pool, {
      agentId,
      runId,
      author: input.author,
      text: input.prompt,
      sessionId: input.resumeSessionId,
    });
    await setAgentStatus(deps.pool, agentId, 'executing');

    const usage: UsageEntry[] = [];
    let ledgerFailure: AppError | undefined;
    // Side writes (usage, session id, pid) run one after another; a failure is retried when the run ends.
    let sideWrites = Promise.resolve();
    const sideWrite = (write: () => Promise<unknown>) => {
      sideWrites = sideWrites.then(write).then(
        () => {},
        () => {},
      );
    };
    const stream = createStreamPublisher(deps.pool, { runId, agentId, adwId: input.adwId });

    const sink: AgentRunSink = {
      event(draft) {
        input.onEvent?.(draft);
        try {
          deps.writer.write(draft);
          deps.summarizer?.add(draft);
        } catch (error) {
          stopUnrecorded(
            error instanceof AppError ? error : new AppError('database_unavailable', describeError(error)),
          );
        }
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
      onEvent: _onEvent,
      ...request
    } = input;
    const handle = startAgentRun(
      {
        ...request,
        resume: resumeSessionId,
        sessionBaseline: resumeSessionId ? await latestSessionUsage(deps.pool, resumeSessionId) : undefined,
        scope: { agentId, runId, orchestratorId, adwId, adwStep },
      },
      deps.runtime,
      sink,
    );

    // The ledger is gone for good (see EventWriter): stop the agent rather than let it work unrecorded.
    function stopUnrecorded(error: AppError): void {
      if (ledgerFailure) return;
      ledgerFailure = error;
      void handle.interrupt();
    }
    const stopWatching = deps.writer.onFailure(stopUnrecorded);

    const done = (async () => {
      const result = await handle.result;
      stopWatching();
      stream.close();
      await sideWrites;
      if (ledgerFailure) throw ledgerFailure;
      await deps.writer.flush();
      const run = await whileReachable(() =>
        inTransaction(deps.pool, async (client) => {
          const finished = await finishRun(client, runId, {
            status: result.status,
            sessionId: result.sessionId,
            numTurns: result.numTurns,
            stopReason: result.stopReason,
            resultText: result.resultText,
            errorMessage: result.error,
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
            result.status === 'failed' ? 'blocked' : 'idle',
            result.sessionId,
          );
          return finished;
        }),
      );
      if (!run) throw new AppError('conflict', `Run ${runId} had already ended in the ledger`);
      return { run, result };
    })();

    return { runId, agentId, interrupt: handle.interrupt, done };
  }

  /** Retries `work` while the database is unreachable, for up to maxOutageMs. */
  async function whileReachable<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + maxOutageMs;
    for (let backoff = 100; ; backoff = Math.min(backoff * 2, 2_000)) {
      try {
        return await work();
      } catch (error) {
        if (!isTransientDatabaseError(error) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  return { start };
}

export type AgentRunner = ReturnType<typeof createAgentRunner>;
