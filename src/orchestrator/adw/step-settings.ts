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

/** Retries and timeout of a step: the workflow's own, else the ADW's defaults. */
export function stepJobOptions(state: AdwState, inputs: AdwInputs, index: number): StepJobOptions {
  const definition = definitionOf(state, index);
  return {
    retries: definition.retries ?? inputs.stepRetries,
    timeoutSeconds: definition.timeoutSeconds ?? inputs.stepTimeoutSeconds,
  };
}
