import type { AdwInputs } from '../../db/adws.ts';
import type { AdwState, StepDefinition } from '../../workflow/types.ts';
import type { StepJobOptions } from './step-queue.ts';

/** The definition a step run executes. */
export function definitionOf(state: AdwState, index: number): StepDefinition {
  const run = state.steps[index];
  const definition = run && state.workflow.steps.find((step) => step.name === run.name);
  if (!definition) throw new Error(`ADW state has no step definition for run ${index}`);
  return definition;
}

/** How the queue treats a step's job: its retries, the workflow's own, else the ADW's default. */
export function stepJobOptions(state: AdwState, inputs: AdwInputs, index: number): StepJobOptions {
  return { retries: definitionOf(state, index).retries ?? inputs.stepRetries };
}
