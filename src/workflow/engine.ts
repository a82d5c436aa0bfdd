/**
 * The ADW interpreter. `advance` folds one event into a new state and says what the shell must do next;
 * it never touches its input, so the shell can persist both and a recorded event log replays exactly.
 *
 * Steps run one at a time, in definition order. A step whose `runIf` does not hold is skipped. When the
 * loop's last step ends and its `until` does not hold, the steps from `first` to `last` get new runs
 * (appended, so indexes stay stable) for the next pass, up to `maxIterations` passes.
 */

import { AppError, ConflictError, UserError } from '../core/errors.ts';
import type { AdwStatus, StepStatus } from '../core/statuses.ts';
import { describeCondition, evaluate } from './conditions.ts';
import type {
  AdwCommand,
  AdwEvent,
  AttemptOutcome,
  AdwState,
  LoopDefinition,
  StepDefinition,
  StepRun,
  Transition,
  WorkflowDefinition,
} from './types.ts';

/** An event that cannot happen in the ADW's current state: the shell and the ledger disagree. */
export class InvalidTransitionError extends ConflictError {
  constructor(event: AdwEvent, state: AdwState, reason: string) {
    const subject = 'index' in event ? `${event.type} (step ${event.index})` : event.type;
    super(`Cannot apply ${subject} to ADW ${state.workflow.name} (${state.status}): ${reason}.`);
  }
}

/** The state of a new ADW: every step planned once, nothing run. */
export function initialState(workflow: WorkflowDefinition, options: { retries?: number } = {}): AdwState {
  checkShape(workflow);
  return {
    v: 2,
    workflow,
    status: 'pending',
    steps: workflow.steps.map((step, index) => planRun(index, step.name, 1)),
    iteration: 1,
    retries: options.retries ?? 2,
    costUsd: 0,
  };
}

export function advance(state: AdwState, event: AdwEvent): Transition {
  const draft: AdwState = { ...state, steps: state.steps.map((run) => ({ ...run })) };
  const invalid = (reason: string) => new InvalidTransitionError(event, state, reason);
  const expectAdw = (...allowed: AdwStatus[]) => {
    if (!allowed.includes(state.status))
      throw invalid(`${event.type} needs an ADW that is ${allowed.join(' or ')}`);
  };
  const expectRun = (index: number, ...allowed: StepStatus[]): StepRun => {
    const run = draft.steps.find((candidate) => candidate.index === index);
    if (run === undefined) throw invalid(`the ADW has no step ${index} (it has ${state.steps.length})`);
    if (!allowed.includes(run.status))
      throw invalid(`step ${label(run)} is ${run.status}, not ${allowed.join(' or ')}`);
    return run;
  };
  const expectDispatch = (run: StepRun, dispatch: number) => {
    if (run.dispatch !== dispatch)
      throw invalid(
        `dispatch ${dispatch} of step ${label(run)} is stale (the current one is ${run.dispatch})`,
      );
  };
  /** The running attempt an outcome belongs to; an outcome of a superseded attempt is refused. */
  const expectAttempt = (outcome: AttemptOutcome): StepRun => {
    expectAdw('running', 'cancelled');
    const run = expectRun(outcome.index, 'running');
    if (run.attempts !== outcome.attempt) {
      throw invalid(
        `attempt ${outcome.attempt} of step ${label(run)} was superseded by attempt ${run.attempts}`,
      );
    }
    addCost(draft, run, outcome.costUsd);
    return run;
  };
  const done = (): Transition => ({ state: draft, commands: [] });

  switch (event.type) {
    case 'adw.started': {
      expectAdw('pending');
      draft.status = 'running';
      draft.startedAt = event.at;
      return { state: draft, commands: proceed(draft, event.at) };
    }
    case 'step.started': {
      expectAdw('running');
      const run = expectRun(event.index, 'pending', 'running');
      expectDispatch(run, event.dispatch);
      if (run.status === 'running') {
        // The job is delivered again while its attempt is still open: that attempt never reported (its
        // worker died or lost the database), which counts as a failed attempt.
        const error = `attempt ${run.attempts} stopped without reporting an outcome (its worker died or lost the database)`;
        if (!retryLeft(draft, run)) return failStep(draft, run, error, event.at);
        run.failures += 1;
        run.error = error;
      } else {
        const running = draft.steps.find((candidate) => candidate.status === 'running');
        if (running !== undefined) throw invalid(`step ${label(running)} is still running`);
        const next = nextPending(draft);
        if (next !== run)
          throw invalid(`the step to run next is ${next === undefined ? 'none' : label(next)}`);
      }
      run.status = 'running';
      run.attempts += 1;
      run.startedAt ??= event.at;
      return done();
    }
    case 'step.succeeded': {
      const run = expectAttempt(event);
      run.status = 'succeeded';
      run.output = event.output;
      run.endedAt = event.at;
      delete run.error;
      // A step that finished after its ADW was cancelled keeps its result; the ADW stays cancelled.
      if (state.status === 'cancelled') return done();
      return { state: draft, commands: proceed(draft, event.at, run) };
    }
    case 'step.failed': {
      const run = expectAttempt(event);
      if (state.status === 'cancelled') {
        run.status = 'failed';
        run.error = event.error;
        run.endedAt = event.at;
        return done();
      }
      if (event.retryable && retryLeft(draft, run)) return retry(draft, run, event.error);
      return failStep(draft, run, event.error, event.at);
    }
    case 'step.released': {
      const run = expectAttempt(event);
      if (state.status === 'cancelled') return stopStep(draft, run, event.at);
      // Not the step's fault: back to the queue without using a retry.
      run.status = 'pending';
      return { state: draft, commands: [dispatch(run)] };
    }
    case 'step.paused': {
      const run = expectAttempt(event);
      if (state.status === 'cancelled') return stopStep(draft, run, event.at);
      // Back to pending: on resume the step runs again, resuming its session.
      run.status = 'pending';
      draft.status = 'paused';
      draft.pausedReason = event.reason;
      return { state: draft, commands: [{ type: 'pause', reason: event.reason }] };
    }
    case 'step.cancelled': {
      const run = expectAttempt(event);
      stopStep(draft, run, event.at);
      if (state.status === 'cancelled') return done();
      // Stopped from outside the ADW (someone interrupted its agent): nothing is left to run it.
      cancelAdw(draft, event.at);
      return { state: draft, commands: [{ type: 'finish', status: 'cancelled' }] };
    }
    case 'step.lost': {
      expectAdw('running', 'cancelled');
      const run = expectRun(event.index, 'pending', 'running');
      expectDispatch(run, event.dispatch);
      addCost(draft, run, event.costUsd);
      if (state.status === 'cancelled') return stopStep(draft, run, event.at);
      if (retryLeft(draft, run)) return retry(draft, run, event.reason);
      return failStep(draft, run, event.reason, event.at);
    }
    case 'adw.cancelled': {
      expectAdw('pending', 'running', 'paused');
      // A running step stays running until its own outcome reports what it cost.
      const stops: AdwCommand[] = draft.steps
        .filter((run) => run.status === 'running')
        .map((run) => ({ type: 'stop_step', index: run.index }));
      cancelAdw(draft, event.at);
      return { state: draft, commands: [...stops, { type: 'finish', status: 'cancelled' }] };
    }
    case 'adw.resumed': {
      expectAdw('paused', 'failed', 'cancelled');
      const running = draft.steps.find((run) => run.status === 'running');
      if (running !== undefined) {
        throw invalid(`step ${label(running)} has not reported its outcome yet; resume after it does`);
      }
      for (const run of draft.steps) {
        if (run.status !== 'failed' && run.status !== 'cancelled' && run.status !== 'pending') continue;
        // A resumed step starts with its retries restored.
        run.status = 'pending';
        run.failures = 0;
        delete run.error;
        delete run.endedAt;
      }
      delete draft.error;
      delete draft.pausedReason;
      delete draft.endedAt;
      draft.status = 'running';
      draft.startedAt ??= event.at;
      return { state: draft, commands: proceed(draft, event.at) };
    }
  }
}

/** Whether another attempt of `run` is allowed: its failures so far are within its retries. */
function retryLeft(draft: AdwState, run: StepRun): boolean {
  return run.failures < (definition(draft.workflow, run.name).retries ?? draft.retries);
}

/** Counts a failed attempt and hands the step to the queue again. */
function retry(draft: AdwState, run: StepRun, error: string): Transition {
  run.failures += 1;
  run.error = error;
  run.status = 'pending';
  return { state: draft, commands: [dispatch(run)] };
}

/** The step fails for good, and the ADW with it. */
function failStep(draft: AdwState, run: StepRun, error: string, at: string): Transition {
  run.status = 'failed';
  run.error = error;
  run.endedAt = at;
  draft.status = 'failed';
  draft.error = { step: run.name, message: error };
  draft.endedAt = at;
  return { state: draft, commands: [{ type: 'finish', status: 'failed' }] };
}

/** A step of a cancelled ADW has stopped: it ends as cancelled, and nothing else happens. */
function stopStep(draft: AdwState, run: StepRun, at: string): Transition {
  run.status = 'cancelled';
  run.endedAt = at;
  return { state: draft, commands: [] };
}

/** A new dispatch of the run: its job carries the number, which makes any older job stale. */
function dispatch(run: StepRun): AdwCommand {
  run.dispatch += 1;
  return { type: 'run_step', index: run.index, dispatch: run.dispatch };
}

/**
 * Moves on from `done` (the step that just ended, if any): repeats the loop when its last step ended
 * without `until`, skips steps whose `runIf` does not hold, and runs the next step or finishes.
 */
function proceed(draft: AdwState, at: string, done?: StepRun): AdwCommand[] {
  for (let ended = done; ;) {
    const loop = draft.workflow.loop;
    if (ended !== undefined && loop !== undefined && repeats(draft, loop, ended)) appendPass(draft, loop);
    const next = nextPending(draft);
    if (next === undefined) {
      draft.status = 'succeeded';
      draft.endedAt = at;
      return [{ type: 'finish', status: 'succeeded' }];
    }
    const runIf = definition(draft.workflow, next.name).runIf;
    if (runIf === undefined || evaluate(runIf, draft.steps)) return [dispatch(next)];
    next.status = 'skipped';
    next.skippedBecause = `runIf did not hold: ${describeCondition(runIf)}`;
    ended = next;
  }
}

/** Whether the loop goes round again after `ended`, which counts when it is the loop's last step. */
function repeats(draft: AdwState, loop: LoopDefinition, ended: StepRun): boolean {
  return (
    ended.name === loop.last &&
    ended.iteration === draft.iteration &&
    ended.iteration < loop.maxIterations &&
    !evaluate(loop.until, draft.steps)
  );
}

function appendPass(draft: AdwState, loop: LoopDefinition): void {
  const names = draft.workflow.steps.map((step) => step.name);
  draft.iteration += 1;
  for (const name of names.slice(names.indexOf(loop.first), names.indexOf(loop.last) + 1)) {
    draft.steps.push(planRun(draft.steps.length, name, draft.iteration));
  }
}

/** The first step, in definition order, whose latest run has yet to run: the one the engine dispatches next. */
export function nextPending(state: AdwState): StepRun | undefined {
  for (const step of state.workflow.steps) {
    let latest: StepRun | undefined;
    for (const run of state.steps) {
      if (run.name === step.name && (latest === undefined || run.iteration > latest.iteration)) latest = run;
    }
    if (latest?.status === 'pending') return latest;
  }
  return undefined;
}

/** Ends the ADW as cancelled; steps that never started are cancelled with it, a running one is left to stop. */
function cancelAdw(draft: AdwState, at: string): void {
  for (const run of draft.steps) if (run.status === 'pending') run.status = 'cancelled';
  draft.status = 'cancelled';
  draft.endedAt = at;
}

function addCost(draft: AdwState, run: StepRun, costUsd: number): void {
  run.costUsd += costUsd;
  draft.costUsd += costUsd;
}

function planRun(index: number, name: string, iteration: number): StepRun {
  return { index, name, iteration, status: 'pending', dispatch: 0, attempts: 0, failures: 0, costUsd: 0 };
}

function definition(workflow: WorkflowDefinition, name: string): StepDefinition {
  const step = workflow.steps.find((candidate) => candidate.name === name);
  if (step === undefined) {
    throw new AppError(
      'internal',
      `ADW state has a run of step "${name}", which workflow ${workflow.name} lacks`,
    );
  }
  return step;
}

function label(run: StepRun): string {
  return `${run.index} "${run.name}" (iteration ${run.iteration})`;
}

/** What the interpreter relies on; a workflow file that breaks it is a person's mistake to fix. */
function checkShape(workflow: WorkflowDefinition): void {
  const problem = (message: string) =>
    new UserError(`Workflow "${workflow.name}" (${workflow.source}): ${message}`, { code: 'config' });
  if (workflow.steps.length === 0) throw problem('it has no steps; give it at least one.');
  const names = workflow.steps.map((step) => step.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw problem(`two steps are named "${duplicate}"; rename one.`);
  const loop = workflow.loop;
  if (loop === undefined) return;
  for (const end of [loop.first, loop.last]) {
    if (!names.includes(end))
      throw problem(`loop names step "${end}", which it lacks; use one of ${names.join(', ')}.`);
  }
  if (names.indexOf(loop.first) > names.indexOf(loop.last)) {
    throw problem(`loop.first "${loop.first}" comes after loop.last "${loop.last}"; swap them.`);
  }
  if (!Number.isInteger(loop.maxIterations) || loop.maxIterations < 1) {
    throw problem(`loop.maxIterations is ${loop.maxIterations}; use a whole number of at least 1.`);
  }
}
