import type { AdwRow } from '../../db/adws.ts';
import type { AdwState, StepRun } from '../../workflow/types.ts';

/**
 * What an ADW produced, gathered from its steps for the `outputs` column: the spec, the latest verdict
 * and its tier counts, the report paths, where the work is (branch, worktree), and cost per step and in all.
 */
export function adwOutputs(
  state: AdwState,
  row: Pick<AdwRow, 'branch' | 'worktree_path' | 'outputs'>,
): Record<string, unknown> {
  const done = state.steps.filter((step) => step.status === 'succeeded');
  const latest = (predicate: (step: StepRun) => boolean) => [...done].reverse().find(predicate);
  const review = latest((step) => step.output?.verdict !== undefined);
  return {
    ...row.outputs,
    specPath: latest((step) => step.name === 'plan')?.output?.artifactPath ?? null,
    verdict: review?.output?.verdict ?? null,
    tiers: review?.output?.tiers ?? null,
    reports: done.flatMap((step) =>
      step.output?.artifactPath ? [{ step: label(step), path: step.output.artifactPath }] : [],
    ),
    branch: row.branch,
    worktree: row.worktree_path,
    costPerStep: Object.fromEntries(state.steps.map((step) => [label(step), step.costUsd])),
    costUsd: state.costUsd,
  };
}

export function label(step: Pick<StepRun, 'name' | 'iteration'>): string {
  return step.iteration > 1 ? `${step.name}#${step.iteration}` : step.name;
}
