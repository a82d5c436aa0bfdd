import type { StepStatus } from '../core/statuses.ts';
import type { Condition, StepRun, Verdict } from './types.ts';

/**
 * The run of `step` that counts for conditions: the one with the highest iteration that has left
 * `pending`. A run still planned says nothing yet, so the previous pass's result stands until it runs.
 */
export function latestRun(steps: readonly StepRun[], step: string): StepRun | undefined {
  let latest: StepRun | undefined;
  for (const run of steps) {
    if (run.name !== step || run.status === 'pending') continue;
    if (latest === undefined || run.iteration > latest.iteration) latest = run;
  }
  return latest;
}

/** Whether `condition` holds for these step runs. A step that never ran satisfies no step condition. */
export function evaluate(condition: Condition, steps: readonly StepRun[]): boolean {
  if ('all' in condition) return condition.all.every((part) => evaluate(part, steps));
  if ('any' in condition) return condition.any.some((part) => evaluate(part, steps));
  if ('not' in condition) return !evaluate(condition.not, steps);
  const run = latestRun(steps, condition.step);
  if (run === undefined) return false;
  if ('verdict' in condition) return run.output?.verdict === condition.verdict;
  return run.status === condition.status;
}

/** Holds when the latest run of `step` reported `verdict` (review and test steps report one). */
export function verdictIs(step: string, verdict: Verdict): Condition {
  return { step, verdict };
}

/** Holds when the latest run of `step` ended (or is) in `status`, e.g. `statusIs('test', 'skipped')`. */
export function statusIs(step: string, status: StepStatus): Condition {
  return { step, status };
}

/** One line for people and the ledger, e.g. `(review verdict is FAIL and not test status is skipped)`. */
export function describeCondition(condition: Condition): string {
  if ('all' in condition) return group(condition.all.map(describeCondition), 'and');
  if ('any' in condition) return group(condition.any.map(describeCondition), 'or');
  if ('not' in condition) return `not ${describeCondition(condition.not)}`;
  if ('verdict' in condition) return `${condition.step} verdict is ${condition.verdict}`;
  return `${condition.step} status is ${condition.status}`;
}

function group(parts: string[], joiner: 'and' | 'or'): string {
  if (parts.length === 0) return joiner === 'and' ? 'always' : 'never';
  return parts.length === 1 ? parts[0]! : `(${parts.join(` ${joiner} `)})`;
}

/** Every step name the condition refers to, so a workflow's conditions can be checked against its steps. */
export function conditionSteps(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(conditionSteps);
  if ('any' in condition) return condition.any.flatMap(conditionSteps);
  if ('not' in condition) return conditionSteps(condition.not);
  return [condition.step];
}
