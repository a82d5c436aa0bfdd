import { describe, expect, it } from 'vitest';
import { AppError, ConflictError } from '../src/core/errors.ts';
import {
  advance,
  builtinSteps,
  builtinWorkflows,
  initialState,
  InvalidTransitionError,
  verdictIs,
  withFixRounds,
  type AdwCommand,
  type AdwEvent,
  type AdwState,
  type StepOutput,
  type WorkflowDefinition,
} from '../src/workflow/index.ts';

const at = '2026-03-02T10:00:00.000Z';
const later = '2026-03-02T10:05:00.000Z';

function builtin(name: string): WorkflowDefinition {
  const workflow = builtinWorkflows.find((candidate) => candidate.name === name);
  if (workflow === undefined) throw new Error(`no built-in workflow ${name}`);
  return workflow;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Folds events from the initial state, freezing every state on the way, and returns the last transition. */
function replay(
  workflow: WorkflowDefinition,
  events: AdwEvent[],
): { state: AdwState; commands: AdwCommand[] } {
  let transition = { state: initialState(workflow), commands: [] as AdwCommand[] };
  for (const event of events) transition = advance(deepFreeze(transition.state), event);
  return transition;
}

const started: AdwEvent = { type: 'adw.started', at };
const start = (index: number, dispatch = 1, when = at): AdwEvent => ({
  type: 'step.started',
  index,
  dispatch,
  at: when,
});
const succeed = (index: number, output: StepOutput = {}, costUsd = 0.5, attempt = 1): AdwEvent => ({
  type: 'step.succeeded',
  index,
  attempt,
  output,
  costUsd,
  at: later,
});
/** Starts and finishes step `index` with `output`. */
const runs = (index: number, output: StepOutput = {}): AdwEvent[] => [start(index), succeed(index, output)];
const fail = (index: number, options: { retryable?: boolean; attempt?: number } = {}): AdwEvent => ({
  type: 'step.failed',
  index,
  attempt: options.attempt ?? 1,
  error: 'exit 1',
  retryable: options.retryable ?? false,
  costUsd: 0.25,
  at: later,
});
const pause = (index: number, attempt = 1): AdwEvent => ({
  type: 'step.paused',
  index,
  attempt,
  reason: 'budget reached',
  costUsd: 1,
  at: later,
});
const stepCancelled = (index: number, attempt = 1): AdwEvent => ({
  type: 'step.cancelled',
  index,
  attempt,
  costUsd: 0.1,
  at: later,
});
const released = (index: number, attempt = 1): AdwEvent => ({
  type: 'step.released',
  index,
  attempt,
  costUsd: 0.05,
  at: later,
});
const lost = (index: number, dispatch = 1): AdwEvent => ({
  type: 'step.lost',
  index,
  dispatch,
  reason: 'the job failed in the queue',
  costUsd: 0.2,
  at: later,
});
const cancelled: AdwEvent = { type: 'adw.cancelled', at: later };
const resumed: AdwEvent = { type: 'adw.resumed', at: later };

const planBuild = builtin('plan_build');
const reviewFix = builtin('plan_build_review_fix');
const FAIL: StepOutput = { verdict: 'FAIL' };
const PASS: StepOutput = { verdict: 'PASS' };

describe('initialState', () => {
  it('plans every step once and runs nothing', () => {
    expect(initialState(planBuild)).toEqual({
      v: 2,
      workflow: planBuild,
      status: 'pending',
      steps: [
        {
          index: 0,
          name: 'plan',
          iteration: 1,
          status: 'pending',
          dispatch: 0,
          attempts: 0,
          failures: 0,
          costUsd: 0,
        },
        {
          index: 1,
          name: 'build',
          iteration: 1,
          status: 'pending',
          dispatch: 0,
          attempts: 0,
          failures: 0,
          costUsd: 0,
        },
      ],
      iteration: 1,
      retries: 2,
      costUsd: 0,
    });
  });

  it.each([
    ['no steps', { steps: [] }, /no steps/],
    [
      'two steps with one name',
      { steps: [builtinSteps.plan, builtinSteps.plan] },
      /two steps are named "plan"/,
    ],
    [
      'a loop over an unknown step',
      { loop: { first: 'review', last: 'polish', until: verdictIs('review', 'PASS'), maxIterations: 2 } },
      /loop names step "polish"/,
    ],
    [
      'a loop that ends before it starts',
      { loop: { first: 'fix', last: 'review', until: verdictIs('review', 'PASS'), maxIterations: 2 } },
      /loop.first "fix" comes after loop.last "review"/,
    ],
    [
      'a loop of 0 passes',
      { loop: { first: 'review', last: 'fix', until: verdictIs('review', 'PASS'), maxIterations: 0 } },
      /maxIterations is 0/,
    ],
  ])('rejects a workflow with %s', (_, change, message) => {
    expect(() => initialState({ ...reviewFix, ...change })).toThrow(message);
  });
});

describe('advance: adw.started', () => {
  it('runs the first step', () => {
    const { state, commands } = advance(initialState(planBuild), started);
    expect(commands).toEqual([{ type: 'run_step', index: 0, dispatch: 1 }]);
    expect(state).toMatchObject({ status: 'running', startedAt: at });
  });

  it('skips leading steps whose runIf does not hold, saying why', () => {
    const workflow: WorkflowDefinition = {
      ...planBuild,
      steps: [{ ...builtinSteps.fix, runIf: verdictIs('review', 'FAIL') }, builtinSteps.build],
    };
    const { state, commands } = advance(initialState(workflow), started);
    expect(commands).toEqual([{ type: 'run_step', index: 1, dispatch: 1 }]);
    expect(state.steps[0]).toMatchObject({
      status: 'skipped',
      skippedBecause: 'runIf did not hold: review verdict is FAIL',
    });
  });

  it('finishes at once when every step is skipped', () => {
    const workflow: WorkflowDefinition = {
      ...planBuild,
      steps: [{ ...builtinSteps.fix, runIf: verdictIs('review', 'FAIL') }],
    };
    const { state, commands } = advance(initialState(workflow), started);
    expect(commands).toEqual([{ type: 'finish', status: 'succeeded' }]);
    expect(state).toMatchObject({ status: 'succeeded', endedAt: at });
  });

  it('cannot start twice', () => {
    expect(() => replay(planBuild, [started, started])).toThrow(InvalidTransitionError);
  });
});

describe('advance: step.started', () => {
  it('marks the step running and counts the attempt', () => {
    const { state, commands } = replay(planBuild, [started, start(0)]);
    expect(commands).toEqual([]);
    expect(state.status).toBe('running');
    expect(state.steps[0]).toMatchObject({ status: 'running', attempts: 1, startedAt: at });
  });

  it('counts a job delivered again while its attempt is open as a failed attempt, keeping the first startedAt', () => {
    const { state } = replay(planBuild, [started, start(0), start(0, 1, later)]);
    expect(state.steps[0]).toMatchObject({ status: 'running', attempts: 2, failures: 1, startedAt: at });
    expect(state.steps[0]!.error).toMatch(/attempt 1 stopped without reporting an outcome/);
  });

  it('fails the step when attempts that never reported use up its retries', () => {
    const { state, commands } = replay(planBuild, [started, start(0), start(0), start(0), start(0)]);
    expect(commands).toEqual([{ type: 'finish', status: 'failed' }]);
    expect(state).toMatchObject({ status: 'failed', error: { step: 'plan' } });
    expect(state.steps[0]).toMatchObject({ status: 'failed', attempts: 3, failures: 2 });
  });

  it('rejects a step that was never dispatched', () => {
    expect(() => replay(planBuild, [started, start(1)])).toThrow(
      /dispatch 1 of step 1 "build" \(iteration 1\) is stale \(the current one is 0\)/,
    );
  });

  it('rejects a start from a stale dispatch', () => {
    // Released once: dispatch 2 is current, and dispatch 1's job (a duplicate) must do nothing.
    const state = replay(planBuild, [started, start(0), released(0)]).state;
    expect(() => advance(state, start(0, 1))).toThrow(/dispatch 1 .* is stale \(the current one is 2\)/);
    expect(advance(state, start(0, 2)).state.steps[0]).toMatchObject({ status: 'running', attempts: 2 });
  });

  it('rejects a step other than the one asked for, and a second step while one runs', () => {
    const state = replay(planBuild, [started, start(0)]).state;
    const forced = { ...state, steps: state.steps.map((run) => ({ ...run, dispatch: 1 })) };
    expect(() => advance(forced, start(1))).toThrow(/step 0 "plan" \(iteration 1\) is still running/);
    const notNext = replay(planBuild, [started]).state;
    const skipAhead = { ...notNext, steps: notNext.steps.map((run) => ({ ...run, dispatch: 1 })) };
    expect(() => advance(skipAhead, start(1))).toThrow(/the step to run next is 0 "plan"/);
  });

  it('rejects an unknown index', () => {
    expect(() => replay(planBuild, [started, start(7)])).toThrow(/has no step 7/);
  });

  it('rejects a step of an ADW that has not started', () => {
    expect(() => replay(planBuild, [start(0)])).toThrow(/needs an ADW that is running/);
  });
});

describe('advance: step.succeeded', () => {
  it('records output and cost, then runs the next step', () => {
    const { state, commands } = replay(planBuild, [
      started,
      start(0),
      succeed(0, { artifactPath: 'specs/x.md' }, 0.75),
    ]);
    expect(commands).toEqual([{ type: 'run_step', index: 1, dispatch: 1 }]);
    expect(state.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { artifactPath: 'specs/x.md' },
      costUsd: 0.75,
      endedAt: later,
    });
    expect(state.costUsd).toBe(0.75);
  });

  it('finishes the ADW after the last step', () => {
    const { state, commands } = replay(planBuild, [started, ...runs(0), ...runs(1)]);
    expect(commands).toEqual([{ type: 'finish', status: 'succeeded' }]);
    expect(state).toMatchObject({ status: 'succeeded', endedAt: later, costUsd: 1 });
  });

  it('rejects a step that is not running', () => {
    expect(() => replay(planBuild, [started, succeed(0)])).toThrow(
      /step 0 "plan" \(iteration 1\) is pending/,
    );
    expect(() => replay(planBuild, [started, ...runs(0), succeed(0)])).toThrow(/is succeeded, not running/);
  });
});

describe('advance: runIf and the loop', () => {
  const throughBuild = [started, ...runs(0), ...runs(1)];

  it('skips fix when review passes', () => {
    const { state, commands } = replay(reviewFix, [...throughBuild, ...runs(2, PASS)]);
    expect(commands).toEqual([{ type: 'finish', status: 'succeeded' }]);
    expect(state.steps[3]).toMatchObject({ name: 'fix', status: 'skipped' });
  });

  it('runs fix when review fails, once by default', () => {
    const afterReview = replay(reviewFix, [...throughBuild, ...runs(2, FAIL)]);
    expect(afterReview.commands).toEqual([{ type: 'run_step', index: 3, dispatch: 1 }]);
    const afterFix = replay(reviewFix, [...throughBuild, ...runs(2, FAIL), ...runs(3)]);
    expect(afterFix.commands).toEqual([{ type: 'finish', status: 'succeeded' }]);
    expect(afterFix.state.steps).toHaveLength(4);
    expect(afterFix.state.iteration).toBe(1);
  });

  it('appends a new pass of review and fix when rounds remain', () => {
    const { state, commands } = replay(withFixRounds(reviewFix, 2), [
      ...throughBuild,
      ...runs(2, FAIL),
      ...runs(3),
    ]);
    expect(commands).toEqual([{ type: 'run_step', index: 4, dispatch: 1 }]);
    expect(state.iteration).toBe(2);
    expect(state.steps.slice(4)).toEqual([
      {
        index: 4,
        name: 'review',
        iteration: 2,
        status: 'pending',
        dispatch: 1,
        attempts: 0,
        failures: 0,
        costUsd: 0,
      },
      {
        index: 5,
        name: 'fix',
        iteration: 2,
        status: 'pending',
        dispatch: 0,
        attempts: 0,
        failures: 0,
        costUsd: 0,
      },
    ]);
  });

  it('reads the latest review for the second fix', () => {
    const twice = withFixRounds(reviewFix, 2);
    const passed = replay(twice, [...throughBuild, ...runs(2, FAIL), ...runs(3), ...runs(4, PASS)]);
    expect(passed.commands).toEqual([{ type: 'finish', status: 'succeeded' }]);
    expect(passed.state.steps[5]).toMatchObject({ name: 'fix', iteration: 2, status: 'skipped' });
    const failed = replay(twice, [...throughBuild, ...runs(2, FAIL), ...runs(3), ...runs(4, FAIL)]);
    expect(failed.commands).toEqual([{ type: 'run_step', index: 5, dispatch: 1 }]);
  });

  it('goes on after the loop with the steps that follow it, whose runs keep their first indexes', () => {
    const workflow: WorkflowDefinition = {
      ...withFixRounds(reviewFix, 2),
      steps: [...reviewFix.steps, { ...builtinSteps.test, name: 'document' }],
    };
    const pass1 = replay(workflow, [...throughBuild, ...runs(2, FAIL), ...runs(3)]);
    expect(pass1.commands).toEqual([{ type: 'run_step', index: 5, dispatch: 1 }]);
    const pass2 = [...throughBuild, ...runs(2, FAIL), ...runs(3), ...runs(5, PASS)];
    const { state, commands } = replay(workflow, pass2);
    // The second fix (index 6) is skipped, so `document`, planned at index 4, runs next.
    expect(commands).toEqual([{ type: 'run_step', index: 4, dispatch: 1 }]);
    expect(state.steps.map((step) => `${step.index}:${step.name}#${step.iteration}:${step.status}`)).toEqual([
      '0:plan#1:succeeded',
      '1:build#1:succeeded',
      '2:review#1:succeeded',
      '3:fix#1:succeeded',
      '4:document#1:pending',
      '5:review#2:succeeded',
      '6:fix#2:skipped',
    ]);
    expect(replay(workflow, [...pass2, ...runs(4)]).commands).toEqual([
      { type: 'finish', status: 'succeeded' },
    ]);
  });

  it('repeats when the last step of the loop is skipped and until does not hold', () => {
    // review → lint loop where lint only runs after a test FAIL: a skipped lint still closes the pass.
    const workflow: WorkflowDefinition = {
      name: 'review_lint',
      description: 'test',
      source: 'test',
      steps: [builtinSteps.review, { ...builtinSteps.fix, name: 'lint', runIf: verdictIs('test', 'FAIL') }],
      loop: { first: 'review', last: 'lint', until: verdictIs('review', 'PASS'), maxIterations: 2 },
    };
    const { state, commands } = replay(workflow, [started, ...runs(0, FAIL)]);
    expect(commands).toEqual([{ type: 'run_step', index: 2, dispatch: 1 }]);
    expect(state.steps.map((step) => step.status)).toEqual(['succeeded', 'skipped', 'pending', 'pending']);
  });
});

describe('advance: step.failed', () => {
  it('fails the step and the ADW', () => {
    const { state, commands } = replay(planBuild, [started, ...runs(0), start(1), fail(1)]);
    expect(commands).toEqual([{ type: 'finish', status: 'failed' }]);
    expect(state).toMatchObject({
      status: 'failed',
      error: { step: 'build', message: 'exit 1' },
      endedAt: later,
      costUsd: 0.75,
    });
    expect(state.steps[1]).toMatchObject({
      status: 'failed',
      error: 'exit 1',
      endedAt: later,
      costUsd: 0.25,
    });
  });

  it('accepts nothing afterwards but a resume', () => {
    const failed = [started, start(0), fail(0)];
    expect(() => replay(planBuild, [...failed, start(0)])).toThrow(/needs an ADW that is running/);
    expect(() => replay(planBuild, [...failed, stepCancelled(0)])).toThrow(InvalidTransitionError);
    expect(() => replay(planBuild, [...failed, cancelled])).toThrow(InvalidTransitionError);
  });
});

describe('advance: retries, released and lost attempts', () => {
  it('runs a retryable failure again under a new dispatch while retries remain, then fails the step', () => {
    const first = replay(planBuild, [started, start(0), fail(0, { retryable: true })]);
    expect(first.commands).toEqual([{ type: 'run_step', index: 0, dispatch: 2 }]);
    expect(first.state.steps[0]).toMatchObject({
      status: 'pending',
      failures: 1,
      error: 'exit 1',
      costUsd: 0.25,
    });
    const events = [
      started,
      start(0),
      fail(0, { retryable: true }),
      start(0, 2),
      fail(0, { retryable: true, attempt: 2 }),
      start(0, 3),
      fail(0, { retryable: true, attempt: 3 }),
    ];
    const { state, commands } = replay(planBuild, events);
    expect(commands).toEqual([{ type: 'finish', status: 'failed' }]);
    expect(state.steps[0]).toMatchObject({ status: 'failed', attempts: 3, failures: 2, costUsd: 0.75 });
    expect(state.costUsd).toBe(0.75);
  });

  it('uses a step definition’s own retries before the ADW default', () => {
    const noRetries: WorkflowDefinition = {
      ...planBuild,
      steps: [{ ...builtinSteps.plan, retries: 0 }, builtinSteps.build],
    };
    expect(replay(noRetries, [started, start(0), fail(0, { retryable: true })]).state.status).toBe('failed');
    expect(advance(initialState(planBuild, { retries: 0 }), started).state.retries).toBe(0);
  });

  it('gives a released attempt back to the queue without using a retry', () => {
    const events = [started, start(0), released(0), start(0, 2), released(0, 2), start(0, 3), released(0, 3)];
    const { state, commands } = replay(planBuild, events);
    expect(commands).toEqual([{ type: 'run_step', index: 0, dispatch: 4 }]);
    expect(state.steps[0]).toMatchObject({ status: 'pending', attempts: 3, failures: 0 });
    expect(state.costUsd).toBeCloseTo(0.15, 9);
  });

  it('refuses the outcome of a superseded attempt', () => {
    const state = replay(planBuild, [started, start(0), start(0)]).state;
    expect(() => advance(state, succeed(0, {}, 0.5, 1))).toThrow(
      /attempt 1 of step 0 "plan" \(iteration 1\) was superseded by attempt 2/,
    );
    expect(advance(state, succeed(0, {}, 0.5, 2)).commands).toEqual([
      { type: 'run_step', index: 1, dispatch: 1 },
    ]);
  });

  it('counts a lost job as a failed attempt and dispatches the step again', () => {
    const running = replay(planBuild, [started, start(0), lost(0)]);
    expect(running.commands).toEqual([{ type: 'run_step', index: 0, dispatch: 2 }]);
    expect(running.state.steps[0]).toMatchObject({ status: 'pending', failures: 1, costUsd: 0.2 });
    // A job lost before it started its attempt counts too, so a job that can never run ends the step.
    const pending = replay(planBuild, [started, lost(0), lost(0, 2), lost(0, 3)]);
    expect(pending.commands).toEqual([{ type: 'finish', status: 'failed' }]);
    expect(pending.state.error).toEqual({ step: 'plan', message: 'the job failed in the queue' });
  });

  it('refuses a lost job from a stale dispatch, and settles a cancelled ADW’s step as cancelled', () => {
    expect(() => replay(planBuild, [started, start(0), released(0), lost(0, 1)])).toThrow(/is stale/);
    const { state, commands } = replay(planBuild, [started, start(0), cancelled, lost(0)]);
    expect(commands).toEqual([]);
    expect(state.steps[0]).toMatchObject({ status: 'cancelled', costUsd: 0.2 });
    expect(advance(state, resumed).commands).toEqual([{ type: 'run_step', index: 0, dispatch: 2 }]);
  });

  it('restores a failed step’s retries on resume', () => {
    const events = [
      started,
      start(0),
      fail(0, { retryable: true }),
      start(0, 2),
      fail(0, { attempt: 2 }),
      resumed,
    ];
    const { state, commands } = replay(planBuild, events);
    expect(commands).toEqual([{ type: 'run_step', index: 0, dispatch: 3 }]);
    expect(state.steps[0]).toMatchObject({ status: 'pending', failures: 0, attempts: 2 });
  });
});

describe('advance: step.paused', () => {
  it('pauses the ADW and puts the step back to pending with its cost', () => {
    const { state, commands } = replay(planBuild, [started, start(0), pause(0)]);
    expect(commands).toEqual([{ type: 'pause', reason: 'budget reached' }]);
    expect(state).toMatchObject({ status: 'paused', pausedReason: 'budget reached', costUsd: 1 });
    expect(state.steps[0]).toMatchObject({ status: 'pending', attempts: 1, costUsd: 1 });
  });

  it('runs the paused step again on resume, keeping its attempts and first start', () => {
    const { state, commands } = replay(planBuild, [started, start(0), pause(0), resumed]);
    expect(commands).toEqual([{ type: 'run_step', index: 0, dispatch: 2 }]);
    expect(state.status).toBe('running');
    expect(state.pausedReason).toBeUndefined();
    const again = advance(state, start(0, 2, later)).state;
    expect(again.steps[0]).toMatchObject({ status: 'running', attempts: 2, startedAt: at });
  });

  it('rejects a step event while paused', () => {
    expect(() => replay(planBuild, [started, start(0), pause(0), start(0)])).toThrow(
      /needs an ADW that is running/,
    );
  });
});

describe('advance: adw.cancelled', () => {
  it('stops the running step and cancels the pending ones', () => {
    const { state, commands } = replay(planBuild, [started, start(0), cancelled]);
    expect(commands).toEqual([
      { type: 'stop_step', index: 0 },
      { type: 'finish', status: 'cancelled' },
    ]);
    expect(state).toMatchObject({ status: 'cancelled', endedAt: later });
    expect(state.steps.map((step) => step.status)).toEqual(['running', 'cancelled']);
  });

  it('cancels an ADW that never started', () => {
    const { state, commands } = replay(planBuild, [cancelled]);
    expect(commands).toEqual([{ type: 'finish', status: 'cancelled' }]);
    expect(state.steps.map((step) => step.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('cancels a paused ADW', () => {
    const { state } = replay(planBuild, [started, start(0), pause(0), cancelled]);
    expect(state.status).toBe('cancelled');
    expect(state.steps.map((step) => step.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('cannot cancel twice or after success', () => {
    expect(() => replay(planBuild, [cancelled, cancelled])).toThrow(InvalidTransitionError);
    expect(() => replay(planBuild, [started, ...runs(0), ...runs(1), cancelled])).toThrow(
      InvalidTransitionError,
    );
  });
});

describe('advance: step.cancelled', () => {
  it('records the stopped step of a cancelled ADW, with no commands', () => {
    const { state, commands } = replay(planBuild, [started, start(0), cancelled, stepCancelled(0)]);
    expect(commands).toEqual([]);
    expect(state.status).toBe('cancelled');
    expect(state.steps[0]).toMatchObject({ status: 'cancelled', costUsd: 0.1, endedAt: later });
    expect(state.costUsd).toBe(0.1);
  });

  it('cancels a running ADW whose step was stopped from outside', () => {
    const { state, commands } = replay(planBuild, [started, start(0), stepCancelled(0)]);
    expect(commands).toEqual([{ type: 'finish', status: 'cancelled' }]);
    expect(state).toMatchObject({ status: 'cancelled', endedAt: later });
    expect(state.steps.map((step) => step.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('rejects a step that is not running, and a start after the cancel', () => {
    expect(() => replay(planBuild, [started, start(0), cancelled, stepCancelled(1)])).toThrow(/is cancelled/);
    expect(() => replay(planBuild, [started, cancelled, start(0)])).toThrow(/needs an ADW that is running/);
  });

  it('keeps the result of a step that finished after its ADW was cancelled, and runs nothing', () => {
    const { state, commands } = replay(planBuild, [started, start(0), cancelled, succeed(0, { title: 'x' })]);
    expect(commands).toEqual([]);
    expect(state.status).toBe('cancelled');
    expect(state.steps[0]).toMatchObject({ status: 'succeeded', output: { title: 'x' }, costUsd: 0.5 });
    // On resume the ADW goes on from the next step.
    expect(advance(state, resumed).commands).toEqual([{ type: 'run_step', index: 1, dispatch: 1 }]);
  });

  it('records a failed, paused or released attempt of a cancelled ADW without retrying it', () => {
    const base = [started, start(0), cancelled];
    expect(replay(planBuild, [...base, fail(0, { retryable: true })]).state.steps[0]).toMatchObject({
      status: 'failed',
      error: 'exit 1',
    });
    for (const outcome of [pause(0), released(0)]) {
      const { state, commands } = replay(planBuild, [...base, outcome]);
      expect(commands).toEqual([]);
      expect(state).toMatchObject({ status: 'cancelled' });
      expect(state.steps[0]!.status).toBe('cancelled');
    }
  });
});

describe('advance: adw.resumed', () => {
  it('resumes a failed ADW at the failed step', () => {
    const { state, commands } = replay(planBuild, [started, ...runs(0), start(1), fail(1), resumed]);
    expect(commands).toEqual([{ type: 'run_step', index: 1, dispatch: 2 }]);
    expect(state.status).toBe('running');
    expect(state.error).toBeUndefined();
    expect(state.endedAt).toBeUndefined();
    expect(state.steps[1]).toEqual({
      index: 1,
      name: 'build',
      iteration: 1,
      status: 'pending',
      dispatch: 2,
      attempts: 1,
      failures: 0,
      costUsd: 0.25,
      startedAt: at,
    });
  });

  it('resumes a cancelled ADW once its step has stopped', () => {
    const { state, commands } = replay(planBuild, [
      started,
      ...runs(0),
      start(1),
      cancelled,
      stepCancelled(1),
      resumed,
    ]);
    expect(commands).toEqual([{ type: 'run_step', index: 1, dispatch: 2 }]);
    expect(state.steps.map((step) => step.status)).toEqual(['succeeded', 'pending']);
  });

  it('resumes an ADW cancelled before it started, from its first step', () => {
    const { state, commands } = replay(planBuild, [cancelled, resumed]);
    expect(commands).toEqual([{ type: 'run_step', index: 0, dispatch: 1 }]);
    expect(state).toMatchObject({ status: 'running', startedAt: later });
  });

  it('re-evaluates runIf for the steps it resumes', () => {
    const events = [started, ...runs(0), ...runs(1), ...runs(2, PASS)];
    const workflow = { ...reviewFix, steps: [...reviewFix.steps, builtinSteps.test] };
    const failedTest = replay(workflow, [...events, start(4), fail(4), resumed]);
    expect(failedTest.commands).toEqual([{ type: 'run_step', index: 4, dispatch: 2 }]);
    expect(failedTest.state.steps[3]?.status).toBe('skipped');
  });

  it('waits for a stopped step to report before resuming', () => {
    expect(() => replay(planBuild, [started, start(0), cancelled, resumed])).toThrow(
      /step 0 "plan" \(iteration 1\) has not reported its outcome yet/,
    );
  });

  it.each([
    ['pending', [] as AdwEvent[]],
    ['running', [started]],
    ['succeeded', [started, ...runs(0), ...runs(1)]],
  ])('rejects resuming a %s ADW', (status, events) => {
    expect(() => replay(planBuild, [...events, resumed])).toThrow(
      `Cannot apply adw.resumed to ADW plan_build (${status}): adw.resumed needs an ADW that is paused or failed or cancelled.`,
    );
  });
});

describe('InvalidTransitionError', () => {
  it('is a conflict that names the event and the state', () => {
    const state = replay(planBuild, [started]).state;
    const error = (() => {
      try {
        advance(state, succeed(1));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      name: 'InvalidTransitionError',
      code: 'conflict',
      message:
        'Cannot apply step.succeeded (step 1) to ADW plan_build (running): ' +
        'step 1 "build" (iteration 1) is pending, not running.',
    });
  });
});

describe('advance: purity', () => {
  const loop = withFixRounds(reviewFix, 2);
  const throughReview = [started, ...runs(0), ...runs(1), start(2)];
  const cases: [string, WorkflowDefinition, AdwEvent[], AdwEvent][] = [
    ['adw.started', planBuild, [], started],
    ['step.started', planBuild, [started], start(0)],
    ['step.succeeded', planBuild, [started, start(0)], succeed(0)],
    [
      'step.succeeded that repeats the loop',
      loop,
      [...throughReview, succeed(2, FAIL), start(3)],
      succeed(3),
    ],
    ['step.succeeded that skips a step', loop, throughReview, succeed(2, PASS)],
    ['step.failed', planBuild, [started, start(0)], fail(0)],
    ['step.paused', planBuild, [started, start(0)], pause(0)],
    ['step.cancelled', planBuild, [started, start(0), cancelled], stepCancelled(0)],
    ['step.released', planBuild, [started, start(0)], released(0)],
    ['step.lost', planBuild, [started, start(0)], lost(0)],
    ['step.failed that is retried', planBuild, [started, start(0)], fail(0, { retryable: true })],
    ['adw.cancelled', planBuild, [started, start(0)], cancelled],
    ['adw.resumed', planBuild, [started, start(0), fail(0)], resumed],
  ];

  it.each(cases)('leaves a frozen state untouched on %s', (_, workflow, before, event) => {
    const state = deepFreeze(replay(workflow, before).state);
    const snapshot = structuredClone(state);
    const { state: next } = advance(state, event);
    expect(state).toEqual(snapshot);
    expect(next).not.toBe(state);
    expect(next).not.toEqual(state);
  });
});
