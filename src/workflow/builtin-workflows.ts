import { UserError } from '../core/errors.ts';
import { builtinSteps, deepFreeze } from './builtin-steps.ts';
import { verdictIs } from './conditions.ts';
import type { StepDefinition, WorkflowDefinition } from './types.ts';

/** A step's `expert` that stands for the ADW's `expert` input. */
export const expertInput = '{{expert}}';

const { plan, build, review, fix, test, expert_improve: expertImprove } = builtinSteps;

/**
 * The workflows baton ships. `plan_build_review_fix` fixes only after a FAIL, and its review → fix loop
 * runs once by default; `withFixRounds` lets it repeat until review passes.
 */
export const builtinWorkflows: readonly WorkflowDefinition[] = deepFreeze([
  {
    name: 'plan_build',
    description: 'Plan the change as a spec, then build it.',
    steps: [plan, build],
    source: 'builtin',
  },
  {
    name: 'plan_build_review',
    description: 'Plan, build, then review the result against the spec (PASS/FAIL).',
    steps: [plan, build, review],
    source: 'builtin',
  },
  {
    name: 'plan_build_review_fix',
    description: "Plan, build and review, then fix the review's issues when its verdict is FAIL.",
    steps: [plan, build, review, { ...fix, runIf: verdictIs('review', 'FAIL') }],
    loop: { first: 'review', last: 'fix', until: verdictIs('review', 'PASS'), maxIterations: 1 },
    source: 'builtin',
  },
  {
    name: 'plan_build_test',
    description: 'Plan, build, then run the tests and report a verdict (PASS/FAIL).',
    steps: [plan, build, test],
    source: 'builtin',
  },
  {
    name: 'expert_plan_build_improve',
    description:
      'Plan with an agent expert’s expertise (--expert), build, then let the expert learn from the change.',
    steps: [{ ...plan, expert: expertInput }, build, { ...expertImprove, name: 'improve' }],
    source: 'builtin',
  },
]);

/**
 * The domain of the agent expert a step works with: its own `expert`, or the ADW's `expert` input when
 * it says `{{expert}}`; undefined for a step without one.
 */
export function stepExpert(step: StepDefinition, inputExpert: string | undefined): string | undefined {
  if (step.expert === undefined) return undefined;
  return step.expert === expertInput ? inputExpert : step.expert;
}

/** Whether a workflow needs the ADW's `expert` input (`--expert`). */
export function needsExpertInput(workflow: WorkflowDefinition): boolean {
  return workflow.steps.some((step) => step.expert === expertInput);
}

/**
 * A copy of `workflow` whose loop may run `rounds` passes in all, e.g. up to 3 reviews and 3 fixes for
 * `plan_build_review_fix` (the loop still stops as soon as its `until` holds).
 */
export function withFixRounds(workflow: WorkflowDefinition, rounds: number): WorkflowDefinition {
  if (workflow.loop === undefined) {
    throw new UserError(
      `Workflow "${workflow.name}" has no loop, so fix rounds do not apply to it; ` +
        'choose a workflow with a review → fix loop, such as plan_build_review_fix.',
    );
  }
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new UserError(`Fix rounds must be a whole number of at least 1 (got ${rounds}).`);
  }
  return { ...workflow, loop: { ...workflow.loop, maxIterations: rounds } };
}
