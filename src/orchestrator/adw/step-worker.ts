import { hostname } from 'node:os';
import { resolveModel } from '../../agent/models.ts';
import { killProcessGroup } from '../../agent/spawn-claude-code.ts';
import { AppError, describeError } from '../../core/errors.ts';
import { shortId } from '../../core/ids.ts';
import { getAdw, getStep, setStepExecution, type AdwRow } from '../../db/adws.ts';
import { failRun, runningRunsOfStep, spentBy } from '../../db/runs.ts';
import { hasStoredSession } from '../../db/session-store.ts';
import type { EventBus } from '../../db/event-bus.ts';
import type { Pool } from '../../db/pool.ts';
import type { AdwEvent, AdwState, StepDefinition, StepRun } from '../../workflow/types.ts';
import type { AgentRunner, RecordedRun } from '../agent-runner.ts';
import { applyTransition, type TransitionDeps } from './apply-transition.ts';
import { artifactFor, checkArtifact, promptFor } from './step-inputs.ts';
import { definitionOf } from './step-settings.ts';
import type { StepJob, StepQueue } from './step-queue.ts';
import { workspaceExists } from './workspace.ts';

export interface StepWorkerDeps {
  pool: Pool;
  queue: StepQueue;
  runner: AgentRunner;
  bus: EventBus;
  log?: (line: string) => void;
}

/** Why a running step's agent was stopped, when baton stopped it. */
type StopReason = 'cancelled' | 'timeout' | 'shutdown';

interface ActiveStep {
  run: RecordedRun;
  stopped?: StopReason;
}

/**
 * Runs ADW steps from the queue. A step is one agent run in the ADW's working directory with a prompt
 * and an artifact path the engine chose; it counts as done only when the artifact exists and parses
 * (one follow-up in the same session is allowed). A failed attempt is retried by the queue and resumes
 * the same Claude session; only the last failure fails the ADW. A budget pauses the ADW instead.
 */
export function createStepWorker(deps: StepWorkerDeps) {
  const host = hostname();
  const log = deps.log ?? (() => {});
  const transitions: TransitionDeps = { pool: deps.pool, queue: deps.queue };
  const active = new Map<string, ActiveStep>();
  const key = (adwId: string, index: number) => `${adwId}:${index}`;
  let stopping = false;

  const stopListening = deps.bus.onControl((message) => {
    if (message.type !== 'stop_step') return;
    const step = active.get(key(message.adwId, message.index));
    if (step) {
      step.stopped ??= 'cancelled';
      void step.run.interrupt();
    }
  });

  async function handle(job: StepJob, attempt: { retryCount: number; retryLimit: number }): Promise<void> {
    const row = await getAdw(deps.pool, job.adwId);
    if (!row) return; // deleted meanwhile
    const state = row.state as AdwState;
    const stepRun = state.steps[job.index];
    // A job for a step that is no longer due (cancelled, paused, already done): nothing to do.
    if (!stepRun || state.status !== 'running' || !['pending', 'running'].includes(stepRun.status)) return;
    if (stopping)
      throw new AppError('internal', 'This worker is stopping; another worker will take the step');

    const definition = definitionOf(state, job.index);
    // Only a step that has started before can have an earlier attempt still at work.
    if (stepRun.attempts > 0) await fenceEarlierAttempts(row, stepRun);
    if (!workspaceExists(row.inputs.cwd)) {
      await fail(
        row,
        job.index,
        `The ADW's working directory ${row.inputs.cwd} is not on this machine (${host}).`,
        0,
      );
      return;
    }
    // Refused when the ADW moved on meanwhile (cancelled, or the step started elsewhere): nothing to do here.
    if (!(await transition(row.id, { type: 'step.started', index: job.index, at: now() }))) return;

    const budget = await remainingBudget(row, definition);
    if (budget.exhausted) {
      await transition(row.id, {
        type: 'step.paused',
        index: job.index,
        reason: budget.exhausted,
        costUsd: 0,
        at: now(),
      });
      return;
    }

    const step = await startAgent(row, state, definition, stepRun, budget);
    const outcome = await settle(row, job.index, step);
    if (outcome.kind === 'retry') {
      if (attempt.retryCount < attempt.retryLimit) {
        log(`adw ${shortId(row.id)} step ${stepRun.name}: attempt failed (${outcome.error}); retrying`);
        throw new AppError('step_failed', outcome.error, { retryable: true });
      }
      await fail(row, job.index, outcome.error, outcome.costUsd);
    }
  }

  /** A step retried after its worker died: make sure that worker's agent is not still editing files. */
  async function fenceEarlierAttempts(row: AdwRow, stepRun: StepRun): Promise<void> {
    for (const run of await runningRunsOfStep(deps.pool, row.id, stepRun.name)) {
      if (run.host === host && run.agent_pid) killProcessGroup(run.agent_pid);
      // On another host the agent died with its worker (it runs under a parent-death signal).
      await failRun(deps.pool, run.id, 'Superseded: its worker stopped and the step was retried');
    }
  }

  async function remainingBudget(row: AdwRow, definition: StepDefinition) {
    // What the ADW has used so far, from the ledger (failed attempts count too); only asked when limited.
    const used =
      row.max_cost_usd === null && row.inputs.maxTurns === undefined
        ? { costUsd: 0, turns: 0 }
        : await spentBy(deps.pool, { adwId: row.id });
    const costUsed = used.costUsd;
    const costLeft = row.max_cost_usd === null ? undefined : row.max_cost_usd - costUsed;
    const turnsLeft = row.inputs.maxTurns === undefined ? undefined : row.inputs.maxTurns - used.turns;
    const exhausted =
      costLeft !== undefined && costLeft <= 0
        ? `cost budget reached: $${costUsed.toFixed(4)} of $${row.max_cost_usd!.toFixed(4)} spent (raise it with --add-cost)`
        : turnsLeft !== undefined && turnsLeft <= 0
          ? `turn budget reached: ${row.inputs.maxTurns} turns used (raise it with --add-turns)`
          : undefined;
    return {
      exhausted,
      maxCostUsd: smallest(costLeft, definition.maxCostUsd ?? row.inputs.stepMaxCostUsd),
      maxTurns: smallest(turnsLeft, definition.maxTurns ?? row.inputs.stepMaxTurns),
    };
  }

  async function startAgent(
    row: AdwRow,
    state: AdwState,
    definition: StepDefinition,
    stepRun: StepRun,
    budget: { maxCostUsd?: number; maxTurns?: number },
  ): Promise<ActiveStep> {
    const previous = await getStep(deps.pool, row.id, stepRun.index);
    const agentId = previous?.agent_id ?? undefined;
    // Resume the earlier attempt's session only if its transcript reached the session store: a worker
    // killed in its first moments may not have mirrored anything yet, and then the step starts afresh.
    const earlierSession = previous?.session_id ?? undefined;
    const sessionId =
      earlierSession && (await hasStoredSession(deps.pool, earlierSession)) ? earlierSession : undefined;
    const prompt = await promptFor(row, state, definition, stepRun);
    const model = resolveModel(
      definition.model ?? (definition.kind === 'review' ? row.inputs.reviewModel : row.inputs.model),
      `the model of step ${definition.name}`,
    );
    const run = await deps.runner.start({
      // A retry resumes the attempt's session: the agent sees what it already did.
      prompt: sessionId
        ? `Your previous attempt at this step was interrupted. Carry on and finish it.\n\n${prompt}`
        : prompt,
      cwd: row.inputs.cwd,
      model,
      agentId,
      agentName: `${definition.name}${stepRun.iteration > 1 ? `-${stepRun.iteration}` : ''}-${shortId(row.id)}`,
      resumeSessionId: sessionId,
      allowedTools: definition.allowedTools,
      maxTurns: budget.maxTurns,
      maxCostUsd: budget.maxCostUsd,
      author: 'adw',
      orchestratorId: row.orchestrator_id ?? undefined,
      adwId: row.id,
      adwStep: definition.name,
      onEvent: (event) => {
        if (event.type === 'SystemInit') {
          void setStepExecution(deps.pool, row.id, stepRun.index, {
            sessionId: event.payload.session_id as string,
          });
        }
      },
    });
    await setStepExecution(deps.pool, row.id, stepRun.index, { agentId: run.agentId, runId: run.runId });
    const step: ActiveStep = { run };
    active.set(key(row.id, stepRun.index), step);
    return step;
  }

  /**
   * Waits for the agent and tells the engine how the step ended. Returns 'retry' for a failed attempt,
   * which the queue may retry.
   */
  async function settle(
    row: AdwRow,
    index: number,
    step: ActiveStep,
  ): Promise<{ kind: 'done' } | { kind: 'retry'; error: string; costUsd: number }> {
    const state = row.state as AdwState;
    const definition = definitionOf(state, index);
    const stepRun = state.steps[index]!;
    const timeoutSeconds = definition.timeoutSeconds ?? row.inputs.stepTimeoutSeconds;
    const timer = setTimeout(() => {
      step.stopped ??= 'timeout';
      void step.run.interrupt();
    }, timeoutSeconds * 1000);
    try {
      let { run, result } = await step.run.done;
      // Everything this step run's agent has spent (earlier attempts and follow-ups included) and the
      // state does not count yet.
      const unrecordedCost = async () => {
        // The usual case, one run of a first attempt: its own cost is all there is.
        if (stepRun.attempts === 0 && run.id === step.run.runId && !run.resumed_session_id)
          return run.cost_usd;
        const spent = await spentBy(deps.pool, { agentId: run.agent_id });
        const current = await getAdw(deps.pool, row.id);
        const recorded = (current?.state as AdwState | undefined)?.steps[index]?.costUsd ?? 0;
        return Math.max(0, spent.costUsd - recorded);
      };
      let costUsd = await unrecordedCost();
      const stopped = step.stopped;
      if (stopped === 'cancelled') {
        await transition(row.id, { type: 'step.cancelled', index, costUsd, at: now() });
        return { kind: 'done' };
      }
      if (stopped === 'shutdown')
        throw new AppError('internal', 'The worker stopped during the step; it will be retried');
      if (stopped === 'timeout')
        return { kind: 'retry', error: `The step timed out after ${timeoutSeconds} s`, costUsd };
      if (run.status === 'budget_exceeded') {
        await transition(row.id, {
          type: 'step.paused',
          index,
          reason: run.error_message ?? 'budget reached',
          costUsd,
          at: now(),
        });
        return { kind: 'done' };
      }
      if (run.status !== 'succeeded')
        return { kind: 'retry', error: run.error_message ?? `agent ${run.status}`, costUsd };

      const output: Record<string, unknown> = {
        sessionId: run.session_id ?? undefined,
        filesChanged: result.fileChanges.files.length,
      };
      const path = artifactFor(row, definition, stepRun);
      if (path) {
        let checked = await checkArtifact(row.inputs.cwd, definition, path);
        if (!checked.ok) {
          // One follow-up in the same session, then the step fails: the model had its chance.
          const followUp = await deps.runner.start({
            prompt: `${checked.error} Write ${path} now, following the required format exactly, then stop.`,
            cwd: row.inputs.cwd,
            model: run.model,
            agentId: run.agent_id,
            resumeSessionId: run.session_id ?? undefined,
            author: 'adw',
            adwId: row.id,
            adwStep: definition.name,
          });
          step.run = followUp;
          ({ run, result } = await followUp.done);
          costUsd = await unrecordedCost();
          checked = await checkArtifact(row.inputs.cwd, definition, path);
          if (!checked.ok) {
            await fail(row, index, `${checked.error} (still wrong after one follow-up)`, costUsd);
            return { kind: 'done' };
          }
        }
        Object.assign(output, checked.output);
      }
      await transition(row.id, { type: 'step.succeeded', index, output, costUsd, at: now() });
      return { kind: 'done' };
    } finally {
      clearTimeout(timer);
      active.delete(key(row.id, index));
    }
  }

  async function fail(row: AdwRow, index: number, error: string, costUsd: number): Promise<void> {
    await transition(row.id, { type: 'step.failed', index, error, costUsd, at: now() });
  }

  /** Applies an event; false when the engine refuses it because the ADW moved on (cancelled, resumed elsewhere). */
  async function transition(adwId: string, event: AdwEvent): Promise<boolean> {
    try {
      await applyTransition(transitions, adwId, event);
      return true;
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict') {
        log(`adw ${shortId(adwId)}: ${describeError(error)}`);
        return false;
      }
      throw error;
    }
  }

  return {
    handle,
    /** Stops the agents of running steps; their jobs fail and are retried by another worker. */
    async stop(): Promise<void> {
      stopping = true;
      stopListening();
      for (const step of active.values()) {
        step.stopped ??= 'shutdown';
        await step.run.interrupt();
      }
    },
  };
}

function smallest(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

function now(): string {
  return new Date().toISOString();
}
