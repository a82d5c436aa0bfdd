import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { AdwStatus, StepStatus } from '../core/statuses.ts';
import type { AdwState, WorkflowDefinition } from './types.ts';

const stepStatus = z.enum(Object.values(StepStatus) as [StepStatus, ...StepStatus[]]);
const adwStatus = z.enum(Object.values(AdwStatus) as [AdwStatus, ...AdwStatus[]]);
const count = z.number().int().min(0);

const stepRunV1 = z.object({
  index: count,
  name: z.string(),
  iteration: z.number().int().min(1),
  status: stepStatus,
  attempts: count,
  output: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  skippedBecause: z.string().optional(),
  costUsd: z.number(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});
const stepRunV2 = stepRunV1.extend({ dispatch: count, failures: count });

// The workflow was checked when the ADW was created (initialState); here only its outline is.
const workflow = z.custom<WorkflowDefinition>(
  (value) =>
    z
      .object({ name: z.string(), steps: z.array(z.object({ name: z.string(), kind: z.string() })).min(1) })
      .safeParse(value).success,
  'a workflow with a name and steps',
);

const common = {
  workflow,
  status: adwStatus,
  iteration: z.number().int().min(1),
  pausedReason: z.string().optional(),
  error: z.object({ step: z.string(), message: z.string() }).optional(),
  costUsd: z.number(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
};
const stateV1 = z.object({ v: z.literal(1), ...common, steps: z.array(stepRunV1) });
const stateV2 = z.object({ v: z.literal(2), ...common, steps: z.array(stepRunV2), retries: count });

/**
 * An ADW's persisted engine state (`adws.state`), checked and brought to the current version. Version 1
 * had no dispatch or failure counts: its queued jobs carry no dispatch and count as dispatch 1.
 */
export function parseAdwState(value: unknown): AdwState {
  const version = (value as { v?: unknown } | null)?.v;
  const parsed = version === 1 ? stateV1.safeParse(value) : stateV2.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      'internal',
      `An ADW's stored state (version ${String(version)}) does not have the expected shape: ${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.')} ${issue.message}`)
        .join('; ')}`,
    );
  }
  const state = parsed.data;
  if (state.v === 2) return state as AdwState;
  return {
    ...state,
    v: 2,
    retries: 2,
    steps: state.steps.map((run) => ({ ...run, dispatch: 1, failures: 0 })),
  } as AdwState;
}
