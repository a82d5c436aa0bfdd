import { plural } from '../../core/plural.ts';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveModel } from '../../agent/models.ts';
import { AppError, describeError } from '../../core/errors.ts';
import { EventType } from '../../core/events.ts';
import { shortId } from '../../core/ids.ts';
import { findAdwAgent, insertAgent } from '../../db/agents.ts';
import { getAdw, getStep, setStepExecution, stepStanding, type AdwRow } from '../../db/adws.ts';
import type { EventBus } from '../../db/event-bus.ts';
import type { Pool } from '../../db/pool.ts';
import { runningRunsOfStep, spentBy, type RunRow } from '../../db/runs.ts';
import { hasStoredSession } from '../../db/session-store.ts';
import { isTransientDatabaseError } from '../../db/transient.ts';
import { parseAdwState } from '../../workflow/state.ts';
import type {
  AdwEvent,
  AdwState,
  AttemptOutcome,
  StepDefinition,
  StepRun,
  Transition,
} from '../../workflow/types.ts';
import { endAbandonedRun, type AbandonedRunDeps } from '../runs/abandoned-runs.ts';
import type { AgentRunner, RecordedRun } from '../runs/agent-runner.ts';
import { applyTransition, type TransitionDeps } from './apply-transition.ts';
import { unrecordedStepCost } from './step-cost.ts';
import { artifactFor, checkArtifact, promptFor } from './step-inputs.ts';
import { definitionOf } from './step-settings.ts';
import { runExpertStep, type ExpertStepOutcome } from './expert-step.ts';
import type { StepJob, StepQueue } from './step-queue.ts';
import { workspaceExists } from './workspace.ts';

/** The points of an attempt where a cancel, a crash or a shutdown can land. */
export type StepPoint = 'registered' | 'started' | 'agent_started' | 'agent_ended';

export interface StepWorkerDeps {
  pool: Pool;
  queue: StepQueue;
  runner: AgentRunner;
  bus: EventBus;
  runtime: AbandonedRunDeps['runtime'];
  log?: (line: string) => void;
  /** How often a running attempt reads the ledger for a cancel or a newer attempt it was not told of. @default 2000 */
  watchMs?: number;
  /** How long reporting an outcome may wait for an unreachable database. @default 120000 */
  maxOutageMs?: number;
  /** Awaited at each StepPoint: fault tests pause there to land a cancel or a kill exactly. */
  checkpoint?: (point: StepPoint, job: StepJob) => Promise<void>;
}

/** An attempt's outcome without what every outcome carries (step, attempt, cost, time). */
type OutcomeFields = AttemptOutcome extends infer Outcome
  ? Outcome extends AttemptOutcome
    ? Omit<Outcome, 'index' | 'attempt' | 'at' | 'costUsd'>
    : never
  : never;

/** Why baton stopped a running attempt's agent. */
type StopReason = 'cancelled' | 'superseded' | 'timeout' | 'shutdown';

/** An attempt this worker runs. Registered before it starts anything, so a stop request always finds it. */
interface ActiveAttempt {
  job: StepJob;
  attempt?: number;
  run?: RecordedRun;
  stopped?: StopReason;
  settled: Promise<void>;
}

/**
 * Runs ADW steps from the queue. A step is one agent run in the ADW's working directory with a prompt and
 * an artifact path the engine chose; it counts as done only when the artifact exists and parses (one
 * follow-up in the same session is allowed). Each attempt holds a token (its number): it stops as soon as
 * its ADW is cancelled or a newer attempt exists, and reports exactly one outcome to the engine, which
 * decides retries. A worker that shuts down gives its attempts back without using a retry.
 */
export function createStepWorker(deps: StepWorkerDeps) {
  const host = hostname();
  const log = deps.log ?? (() => {});
  const watchMs = deps.watchMs ?? 2_000;
  const maxOutageMs = deps.maxOutageMs ?? 120_000;
  const checkpoint = deps.checkpoint ?? (async () => {});
  const transitions: TransitionDeps = { pool: deps.pool, queue: deps.queue };
  const active = new Map<string, ActiveAttempt>();
  const key = (adwId: string, index: number) => `${adwId}:${index}`;
  let stopping = false;

  function stop(attempt: ActiveAttempt, reason: StopReason): void {
    attempt.stopped ??= reason;
    void attempt.run?.interrupt();
  }

  const stopListening = deps.bus.onControl((message) => {
    const attempt = message.type === 'stop_step' ? active.get(key(message.adwId, message.index)) : undefined;
    if (attempt) stop(attempt, 'cancelled');
  });

  /** The ledger's word on a running attempt: the control message may have been missed (a reconnect). */
  async function checkStanding(attempt: ActiveAttempt): Promise<void> {
    const standing = await stepStanding(deps.pool, attempt.job.adwId, attempt.job.index).catch(
      () => undefined,
    );
    if (!standing || attempt.attempt === undefined) return;
    if (standing.adwStatus === 'cancelled') stop(attempt, 'cancelled');
    else if (standing.stepStatus !== 'running' || standing.attempts !== attempt.attempt)
      stop(attempt, 'superseded');
  }

  async function handle(job: StepJob): Promise<void> {
    const running = active.get(key(job.adwId, job.index));
    if (running) {
      await running.settled;
      // The same dispatch delivered again to this worker (its heartbeat lapsed): its attempt here has
      // reported, and this delivery stayed open with it, so the job never ended before the attempt did.
      if (running.job.dispatch === job.dispatch) return;
      // A newer dispatch (a resume after a cancel) waited for the old attempt to finish; now it runs.
    }
    const row = await getAdw(deps.pool, job.adwId);
    if (!row) return; // deleted meanwhile
    const run = parseAdwState(row.state).steps[job.index];
    // A stale job (an older dispatch), or a step no longer due (cancelled, paused, done): nothing to do.
    if (!run || run.dispatch !== job.dispatch || !['pending', 'running'].includes(run.status)) return;
    // Not started yet, so no attempt is used: the job is delivered again, to another worker.
    if (stopping) throw new AppError('internal', 'This worker is stopping; the step goes to another worker');

    let release!: () => void;
    const attempt: ActiveAttempt = { job, settled: new Promise<void>((resolve) => (release = resolve)) };
    active.set(key(job.adwId, job.index), attempt);
    try {
      await checkpoint('registered', job);
      const started = await report(job.adwId, {
        type: 'step.started',
        index: job.index,
        dispatch: job.dispatch,
        at: now(),
      });
      // Refused (the ADW moved on), or the engine failed the step (earlier attempts never reported).
      const stepRun = started?.state.steps[job.index];
      if (!started || stepRun?.status !== 'running') return;
      attempt.attempt = stepRun.attempts;
      const outcome = await runAttempt(started.row, started.state, stepRun, attempt);
      if (outcome) await report(job.adwId, outcome);
    } finally {
      active.delete(key(job.adwId, job.index));
      release();
    }
  }

  /** One attempt, from fencing its predecessors to its outcome (none when a newer attempt owns the step). */
  async function runAttempt(
    row: AdwRow,
    state: AdwState,
    stepRun: StepRun,
    attempt: ActiveAttempt,
  ): Promise<AttemptOutcome | undefined> {
    const { index } = stepRun;
    const number = attempt.attempt!;
    const definition = definitionOf(state, index);
    // The step's agent, once known: its spend is then read without looking the step up again.
    let agentId: string | undefined;
    const cost = () => unrecordedStepCost(deps.pool, row.id, state, index, agentId);
    const outcome = async (fields: OutcomeFields): Promise<AttemptOutcome> =>
      ({ ...fields, index, attempt: number, costUsd: await cost(), at: now() }) as AttemptOutcome;

    await checkpoint('started', attempt.job);
    await fenceEarlierAttempts(row.id, index, number);
    if (!workspaceExists(row.inputs.cwd)) {
      const error = `The ADW's working directory ${row.inputs.cwd} is not on this machine (${host}).`;
      return outcome({ type: 'step.failed', error, retryable: false });
    }
    const budget = await remainingBudget(row, definition);
    if (budget.exhausted) return outcome({ type: 'step.paused', reason: budget.exhausted });

    const timeoutSeconds = definition.timeoutSeconds ?? row.inputs.stepTimeoutSeconds;
    // The step's time runs from its agent's start: waiting for a Claude Code slot on this host is not work.
    let timer: NodeJS.Timeout | undefined;
    const startClock = () => {
      timer ??= setTimeout(() => stop(attempt, 'timeout'), timeoutSeconds * 1000);
    };
    const watcher = setInterval(() => void checkStanding(attempt), watchMs);
    try {
      await checkStanding(attempt);
      if (attempt.stopped) return stoppedOutcome(attempt.stopped, outcome, timeoutSeconds);
      if (definition.kind === 'expert_improve') {
        return await expertAttempt(row, definition, stepRun, number, budget, attempt, startClock, (id) => {
          agentId = id;
        }).then(async (result) => {
          if (attempt.stopped) return stoppedOutcome(attempt.stopped, outcome, timeoutSeconds);
          if (result.ok) return outcome({ type: 'step.succeeded', output: result.output });
          if (result.lastRun?.status === 'budget_exceeded')
            return outcome({
              type: 'step.paused',
              reason: await pauseReason(row, definition, result.lastRun),
            });
          return outcome({ type: 'step.failed', error: result.error, retryable: result.retryable });
        });
      }
      let ended;
      try {
        attempt.run = await startAgent(
          row,
          state,
          definition,
          stepRun,
          number,
          budget,
          startClock,
          (id) => (agentId = id),
        );
        if (attempt.stopped) void attempt.run.interrupt();
        await checkpoint('agent_started', attempt.job);
        ended = await attempt.run.done;
      } catch (error) {
        // The agent could not be started or its run not recorded: a failed attempt, like any other.
        return outcome({ type: 'step.failed', error: describeError(error), retryable: true });
      }
      await checkpoint('agent_ended', attempt.job);
      const { run } = ended;
      if (run.status !== 'succeeded') {
        if (attempt.stopped) return stoppedOutcome(attempt.stopped, outcome, timeoutSeconds);
        if (run.status === 'budget_exceeded')
          return outcome({ type: 'step.paused', reason: await pauseReason(row, definition, run) });
        return outcome({
          type: 'step.failed',
          error: run.error_message ?? `agent ${run.status}`,
          retryable: true,
        });
      }

      const output: Record<string, unknown> = {
        sessionId: run.session_id ?? undefined,
        filesChanged: ended.result.fileChanges.files.length,
      };
      const path = artifactFor(row, definition, stepRun);
      if (path) {
        let checked = await checkArtifact(row.inputs.cwd, definition, path);
        if (!checked.ok) {
          if (attempt.stopped) return stoppedOutcome(attempt.stopped, outcome, timeoutSeconds);
          // One follow-up in the same session, with what is left of the step's limits; then the step fails.
          const followUp = await deps.runner.start({
            prompt: `${checked.error} Write ${path} now, following the required format exactly, then stop.`,
            cwd: row.inputs.cwd,
            model: run.model,
            agentId: run.agent_id,
            resumeSessionId: run.session_id ?? undefined,
            allowedTools: definition.allowedTools,
            ...(await remainingBudget(row, definition)).limits,
            author: 'adw',
            orchestratorId: row.orchestrator_id ?? undefined,
            adwId: row.id,
            adwStep: definition.name,
            adwStepIndex: index,
            adwAttempt: number,
          });
          attempt.run = followUp;
          const again = await followUp.done;
          checked = await checkArtifact(row.inputs.cwd, definition, path);
          if (!checked.ok) {
            if (attempt.stopped) return stoppedOutcome(attempt.stopped, outcome, timeoutSeconds);
            if (again.run.status === 'budget_exceeded')
              return outcome({ type: 'step.paused', reason: await pauseReason(row, definition, again.run) });
            const error = `${checked.error} (still wrong after one follow-up)`;
            return outcome({ type: 'step.failed', error, retryable: false });
          }
        }
        Object.assign(output, checked.output);
      }
      return outcome({ type: 'step.succeeded', output });
    } finally {
      clearTimeout(timer);
      clearInterval(watcher);
    }
  }

  /** What an attempt that baton stopped reports; a superseded one reports nothing (a newer attempt owns the step). */
  async function stoppedOutcome(
    reason: StopReason,
    outcome: (fields: OutcomeFields) => Promise<AttemptOutcome>,
    timeoutSeconds: number,
  ): Promise<AttemptOutcome | undefined> {
    switch (reason) {
      case 'cancelled':
        return outcome({ type: 'step.cancelled' });
      case 'shutdown':
        return outcome({ type: 'step.released' });
      case 'timeout':
        return outcome({
          type: 'step.failed',
          error: `The step timed out after ${timeoutSeconds} s`,
          retryable: true,
        });
      case 'superseded':
        return undefined;
    }
  }

  /**
   * Before an attempt starts its agent, earlier attempts of the step must be over: one whose worker died
   * may still have its agent editing the tree (killed here when it runs on this host), and its run is
   * ended with what it changed attributed to it, before this attempt's own before-snapshot.
   */
  async function fenceEarlierAttempts(adwId: string, index: number, current: number): Promise<void> {
    for (const run of await runningRunsOfStep(deps.pool, adwId, index)) {
      await endAbandonedRun(
        { pool: deps.pool, runtime: deps.runtime },
        run,
        `Superseded by attempt ${current} of the step: the attempt it belonged to stopped without reporting`,
      );
    }
  }

  /**
   * Why a step whose agent stopped at a budget pauses the ADW: the ADW's budget, with the amounts
   * ("cost budget reached: $0.50 of $0.50 spent"), when that is what ran out; else the run's own limit.
   */
  async function pauseReason(row: AdwRow, definition: StepDefinition, run: RunRow): Promise<string> {
    const { exhausted } = await remainingBudget(row, definition);
    return exhausted ?? run.error_message ?? 'budget reached';
  }

  async function remainingBudget(row: AdwRow, definition: StepDefinition) {
    // What the ADW has used so far, from the usage ledger (killed and failed attempts count too).
    const limited = row.max_cost_usd !== null || row.inputs.maxTurns !== undefined;
    const used = limited ? await spentBy(deps.pool, { adwId: row.id }) : { costUsd: 0, turns: 0 };
    const costLeft = row.max_cost_usd === null ? undefined : row.max_cost_usd - used.costUsd;
    const turnsLeft = row.inputs.maxTurns === undefined ? undefined : row.inputs.maxTurns - used.turns;
    const exhausted =
      costLeft !== undefined && costLeft <= 0
        ? `cost budget reached: ${dollars(used.costUsd)} of ${dollars(row.max_cost_usd!)} spent (raise it with --add-cost)`
        : turnsLeft !== undefined && turnsLeft <= 0
          ? `turn budget reached: ${plural(row.inputs.maxTurns!, 'turn')} used (raise it with --add-turns)`
          : undefined;
    return {
      exhausted,
      limits: {
        maxCostUsd: smallest(costLeft, definition.maxCostUsd ?? row.inputs.stepMaxCostUsd),
        maxTurns: smallest(turnsLeft, definition.maxTurns ?? row.inputs.stepMaxTurns),
      },
    };
  }

  async function startAgent(
    row: AdwRow,
    state: AdwState,
    definition: StepDefinition,
    stepRun: StepRun,
    attemptNumber: number,
    budget: Awaited<ReturnType<typeof remainingBudget>>,
    onAgentStarted: () => void,
    onAgent: (agentId: string) => void,
  ): Promise<RecordedRun> {
    const model = resolveModel(
      definition.model ?? (definition.kind === 'review' ? row.inputs.reviewModel : row.inputs.model),
      `the model of step ${definition.name}`,
    );
    const step = await getStep(deps.pool, row.id, stepRun.index);
    const agentId = await stepAgent(row, definition, stepRun, model, step?.agent_id ?? undefined);
    onAgent(agentId);
    // Resume the earlier attempt's session only if its transcript reached the session store: a worker
    // killed in its first moments may not have mirrored anything yet, and then the step starts afresh.
    const earlierSession = step?.session_id ?? undefined;
    const sessionId =
      earlierSession && (await hasStoredSession(deps.pool, earlierSession)) ? earlierSession : undefined;
    const prompt = await promptFor(row, state, definition, stepRun);
    return deps.runner.start({
      // A retry resumes the attempt's session: the agent sees what it already did.
      prompt: sessionId
        ? `Your previous attempt at this step was interrupted. Carry on and finish it.\n\n${prompt}`
        : prompt,
      ...stepRunFields(row, definition, stepRun, attemptNumber, model, agentId),
      resumeSessionId: sessionId,
      ...budget.limits,
      onEvent: (event) => {
        if (event.type === EventType.RunStarted) onAgentStarted();
        if (event.type === 'SystemInit') {
          void setStepExecution(deps.pool, row.id, stepRun.index, {
            sessionId: event.payload.session_id as string,
          }).catch(() => {});
        }
      },
    });
  }

  /** An `expert_improve` attempt: its runs go through the step's agent, limits and stop handling. */
  async function expertAttempt(
    row: AdwRow,
    definition: StepDefinition,
    stepRun: StepRun,
    attemptNumber: number,
    budget: Awaited<ReturnType<typeof remainingBudget>>,
    attempt: ActiveAttempt,
    onAgentStarted: () => void,
    onAgent: (agentId: string) => void,
  ): Promise<ExpertStepOutcome> {
    const model = resolveModel(definition.model ?? row.inputs.model, `the model of step ${definition.name}`);
    const step = await getStep(deps.pool, row.id, stepRun.index);
    const agentId = await stepAgent(row, definition, stepRun, model, step?.agent_id ?? undefined);
    onAgent(agentId);
    let first = true;
    return runExpertStep({
      pool: deps.pool,
      row,
      definition,
      start: async (prompt, resumeSessionId) => {
        const limits = first ? budget.limits : (await remainingBudget(row, definition)).limits;
        first = false;
        const run = await deps.runner.start({
          prompt,
          ...stepRunFields(row, definition, stepRun, attemptNumber, model, agentId),
          resumeSessionId,
          ...limits,
          onEvent: (event) => {
            if (event.type === EventType.RunStarted) onAgentStarted();
          },
        });
        attempt.run = run;
        if (attempt.stopped) void run.interrupt();
        return run;
      },
    });
  }

  /** What every run of a step attempt is started with: where, by which agent, and its place in the ADW. */
  function stepRunFields(
    row: AdwRow,
    definition: StepDefinition,
    stepRun: StepRun,
    attemptNumber: number,
    model: string,
    agentId: string,
  ) {
    return {
      cwd: row.inputs.cwd,
      model,
      agentId,
      allowedTools: definition.allowedTools,
      author: 'adw' as const,
      orchestratorId: row.orchestrator_id ?? undefined,
      adwId: row.id,
      adwStep: definition.name,
      adwStepIndex: stepRun.index,
      adwAttempt: attemptNumber,
    };
  }

  /**
   * The agent of a step run: one per run, kept across its attempts and follow-ups, so its spend and
   * session stay together. Found again by name when an attempt died before linking it to the step.
   */
  async function stepAgent(
    row: AdwRow,
    definition: StepDefinition,
    stepRun: StepRun,
    model: string,
    linked: string | undefined,
  ) {
    if (linked) return linked;
    const name = `${definition.name}${stepRun.iteration > 1 ? `-${stepRun.iteration}` : ''}-${shortId(row.id)}`;
    const agent =
      (await findAdwAgent(deps.pool, row.id, name)) ??
      (await insertAgent(deps.pool, {
        name,
        model,
        workingDir: row.inputs.cwd,
        orchestratorId: row.orchestrator_id ?? undefined,
        adwId: row.id,
        adwStep: definition.name,
      }));
    await setStepExecution(deps.pool, row.id, stepRun.index, { agentId: agent.id });
    return agent.id;
  }

  /**
   * Applies an event, riding out a database outage (an outcome must not be lost to a restart). Returns
   * undefined when the engine refuses it because the ADW moved on (cancelled, a newer attempt).
   */
  async function report(adwId: string, event: AdwEvent): Promise<(Transition & { row: AdwRow }) | undefined> {
    const deadline = Date.now() + maxOutageMs;
    for (let backoff = 100; ; backoff = Math.min(backoff * 2, 2_000)) {
      try {
        return await applyTransition(transitions, adwId, event);
      } catch (error) {
        if (error instanceof AppError && error.code === 'conflict') {
          log(`adw ${shortId(adwId)}: ${describeError(error)}`);
          return undefined;
        }
        if (!isTransientDatabaseError(error) || Date.now() > deadline) throw error;
        await sleep(backoff);
      }
    }
  }

  return {
    handle,
    /**
     * Stops the agents of running attempts and waits until each has reported (released back to the queue,
     * no retry used; or its real outcome, if it finished first).
     */
    async stop(): Promise<void> {
      stopping = true;
      stopListening();
      const attempts = [...active.values()];
      for (const attempt of attempts) stop(attempt, 'shutdown');
      await Promise.all(attempts.map((attempt) => attempt.settled));
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

/** "$0.50", "$12.00"; amounts under a cent keep four decimals ("$0.0042"), or they would read $0.00. */
function dollars(amount: number): string {
  return `$${amount.toFixed(Math.abs(amount) >= 0.01 || amount === 0 ? 2 : 4)}`;
}
