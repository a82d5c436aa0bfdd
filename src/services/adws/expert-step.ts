import { ensureExpert } from '../../db/experts.ts';
import type { AdwRow } from '../../db/adws.ts';
import type { Pool } from '../../db/pool.ts';
import type { RunRow } from '../../db/runs.ts';
import { loadExpertFiles, requirePrompt, selfImprovePrompt } from '../../experts/index.ts';
import { stepExpert } from '../../workflow/builtin-workflows.ts';
import type { StepDefinition, StepOutput } from '../../workflow/types.ts';
import { runImproveRounds } from '../experts/improve-rounds.ts';
import type { RecordedRun } from '../runs/agent-runner.ts';

export type ExpertStepOutcome =
  { ok: true; output: StepOutput } | { ok: false; error: string; retryable: boolean; lastRun?: RunRow };

/**
 * An `expert_improve` step: one self-improve round of the step's expert in the ADW's working directory
 * (its worktree), from the change (`git diff`), with baton's checks and follow-ups. The version it stores
 * names the ADW; the expert is the project's (keyed by the ADW's own working directory, not the worktree).
 */
export async function runExpertStep(input: {
  pool: Pool;
  row: AdwRow;
  definition: StepDefinition;
  start(prompt: string, resumeSessionId?: string): Promise<RecordedRun>;
}): Promise<ExpertStepOutcome> {
  const { row, definition } = input;
  const domain = stepExpert(definition, row.inputs.expert);
  if (domain === undefined) {
    return { ok: false, error: `Step ${definition.name} names no expert (pass --expert).`, retryable: false };
  }
  let files;
  try {
    files = await loadExpertFiles(row.inputs.cwd, domain);
    requirePrompt(files, 'self-improve');
  } catch (error) {
    const hint = row.worktree_path
      ? " The ADW works in a worktree of the last commit: commit the expert's folder, or run with --in-place."
      : '';
    return { ok: false, error: `${(error as Error).message}${hint}`, retryable: false };
  }
  const expert = await ensureExpert(input.pool, row.working_dir, domain);
  const result = await runImproveRounds({
    pool: input.pool,
    cwd: row.inputs.cwd,
    expert,
    files,
    operation: 'adw_step',
    adwId: row.id,
    prompt: selfImprovePrompt(requirePrompt(files, 'self-improve'), files, { checkGitDiff: true }),
    untilStable: false,
    maxRounds: 1,
    start: input.start,
  });
  const round = result.rounds.at(-1);
  if (result.ended === 'failed') {
    return {
      ok: false,
      error: round?.detail ?? 'the self-improve run failed',
      retryable: true,
      lastRun: result.lastRun,
    };
  }
  if (result.ended === 'rejected') return { ok: false, error: round?.detail ?? 'rejected', retryable: false };
  const version = result.versions.at(-1);
  return {
    ok: true,
    output: {
      sessionId: result.sessionId,
      expert: domain,
      expertRound: round?.outcome,
      ...(version ? { expertiseVersion: version.version, staleClaims: version.stale_claim_count } : {}),
      title: version ? `${domain} expertise v${version.version}` : `${domain} expertise unchanged`,
    },
  };
}
