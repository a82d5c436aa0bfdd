import { describe, expect, it } from 'vitest';
import {
  conditionSteps,
  describeCondition,
  evaluate,
  latestRun,
  statusIs,
  verdictIs,
  type Condition,
  type StepRun,
} from '../src/workflow/index.ts';

function run(
  index: number,
  name: string,
  iteration: number,
  status: StepRun['status'],
  verdict?: 'PASS' | 'FAIL',
) {
  const step: StepRun = { index, name, iteration, status, dispatch: 1, attempts: 1, failures: 0, costUsd: 0 };
  return verdict === undefined ? step : { ...step, output: { verdict } };
}

/** review failed, fix ran, the second review is still planned. */
const steps: StepRun[] = [
  run(0, 'plan', 1, 'succeeded'),
  run(1, 'review', 1, 'succeeded', 'FAIL'),
  run(2, 'fix', 1, 'succeeded'),
  run(3, 'review', 2, 'pending'),
  run(4, 'fix', 2, 'pending'),
  run(5, 'test', 1, 'skipped'),
];

describe('latestRun', () => {
  it('takes the highest iteration that has left pending', () => {
    expect(latestRun(steps, 'review')?.index).toBe(1);
    const reviewed = steps.map((step) =>
      step.index === 3 ? run(3, 'review', 2, 'succeeded', 'PASS') : step,
    );
    expect(latestRun(reviewed, 'review')?.index).toBe(3);
  });

  it('is undefined for a step that never ran', () => {
    expect(latestRun(steps, 'build')).toBeUndefined();
    expect(latestRun([run(0, 'plan', 1, 'pending')], 'plan')).toBeUndefined();
  });
});

describe('verdictIs', () => {
  it('holds when the latest run reported that verdict', () => {
    expect(evaluate(verdictIs('review', 'FAIL'), steps)).toBe(true);
    expect(evaluate(verdictIs('review', 'PASS'), steps)).toBe(false);
  });

  it('does not hold for a step without a verdict or that never ran', () => {
    expect(evaluate(verdictIs('plan', 'PASS'), steps)).toBe(false);
    expect(evaluate(verdictIs('test', 'FAIL'), steps)).toBe(false);
    expect(evaluate(verdictIs('build', 'FAIL'), steps)).toBe(false);
  });
});

describe('statusIs', () => {
  it('holds when the latest run is in that status', () => {
    expect(evaluate(statusIs('test', 'skipped'), steps)).toBe(true);
    expect(evaluate(statusIs('fix', 'succeeded'), steps)).toBe(true);
    expect(evaluate(statusIs('fix', 'failed'), steps)).toBe(false);
  });

  it('does not hold for a step that never ran, whatever the status asked', () => {
    expect(evaluate(statusIs('build', 'pending'), steps)).toBe(false);
  });
});

describe('evaluate: all, any, not', () => {
  const failed = verdictIs('review', 'FAIL');
  const passed = verdictIs('review', 'PASS');

  it('combines conditions', () => {
    expect(evaluate({ all: [failed, statusIs('fix', 'succeeded')] }, steps)).toBe(true);
    expect(evaluate({ all: [failed, passed] }, steps)).toBe(false);
    expect(evaluate({ any: [passed, failed] }, steps)).toBe(true);
    expect(evaluate({ any: [passed] }, steps)).toBe(false);
    expect(evaluate({ not: passed }, steps)).toBe(true);
  });

  it('treats an empty all as true and an empty any as false', () => {
    expect(evaluate({ all: [] }, steps)).toBe(true);
    expect(evaluate({ any: [] }, steps)).toBe(false);
  });
});

describe('describeCondition', () => {
  it.each<[Condition, string]>([
    [verdictIs('review', 'FAIL'), 'review verdict is FAIL'],
    [statusIs('test', 'skipped'), 'test status is skipped'],
    [{ not: verdictIs('review', 'PASS') }, 'not review verdict is PASS'],
    [
      {
        all: [
          verdictIs('review', 'FAIL'),
          { any: [statusIs('test', 'failed'), statusIs('test', 'skipped')] },
        ],
      },
      '(review verdict is FAIL and (test status is failed or test status is skipped))',
    ],
    [{ all: [] }, 'always'],
    [{ any: [statusIs('plan', 'succeeded')] }, 'plan status is succeeded'],
  ])('describes %j', (condition, text) => {
    expect(describeCondition(condition)).toBe(text);
  });
});

describe('conditionSteps', () => {
  it('lists every step a condition refers to', () => {
    expect(
      conditionSteps({ all: [verdictIs('review', 'FAIL'), { not: statusIs('test', 'failed') }] }),
    ).toEqual(['review', 'test']);
  });
});
