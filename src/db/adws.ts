import type { AdwStatus, StepStatus } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText, storableValue } from './storable.ts';

/** The parts of the engine's state (src/workflow's StepRun) that the adw_steps columns mirror. */
export interface StoredStepRun {
  index: number;
  name: string;
  iteration: number;
  status: StepStatus;
  attempts: number;
  output?: { artifactPath?: string; [key: string]: unknown };
  error?: string;
  skippedBecause?: string;
  costUsd: number;
  startedAt?: string;
  endedAt?: string;
}

/** The parts of the engine's state (src/workflow's AdwState) that the adws columns mirror. */
export interface StoredAdwState {
  status: AdwStatus;
  steps: StoredStepRun[];
  pausedReason?: string;
  error?: { step: string; message: string };
  costUsd: number;
  startedAt?: string;
  endedAt?: string;
}

/** Represents records in the adws table. */
export interface AdwRow {
  id: string;
  orchestrator_id: string | null;
  name: string;
  workflow: string;
  description: string | null;
  status: AdwStatus;
  current_step: string | null;
  total_steps: number;
  completed_steps: number;
  working_dir: string;
  worktree_path: string | null;
  branch: string | null;
  inputs: AdwInputs;
  outputs: Record<string, unknown>;
  paused_reason: string | null;
  error_message: string | null;
  error_step: string | null;
  cost_usd: number;
  max_cost_usd: number | null;
  started_at: Date | null;
  ended_at: Date | null;
  duration_ms: number | null;
  /** The engine's state as stored (versioned JSON); the orchestrator reads it back. */
  state: unknown;
  created_at: Date;
  updated_at: Date;
}

/** What an ADW was asked to do; kept as given. */
export interface AdwInputs {
  prompt: string;
  model: string;
  reviewModel: string;
  maxTurns?: number;
  inPlace: boolean;
  /** Where the run's files go: the worktree when there is one, else the working directory. */
  cwd: string;
  fixRounds?: number;
  /** Budgets of each step run (a workflow's step may set its own). */
  stepMaxTurns?: number;
  stepMaxCostUsd?: number;
  /** Retries and timeout of a step that does not set its own. */
  stepRetries: number;
  stepTimeoutSeconds: number;
  /** The commit the worktree was created from. */
  baseCommit?: string;
  /** The agent expert (domain) of the steps whose `expert` is `{{expert}}` (`--expert`). */
  expert?: string;
}

/** Represents records in the adw_steps table. */
export interface AdwStepRow {
  id: string;
  adw_id: string;
  position: number;
  name: string;
  iteration: number;
  status: StepStatus;
  agent_id: string | null;
  run_id: string | null;
  session_id: string | null;
  attempt: number;
  artifact_path: string | null;
  output: Record<string, unknown>;
  error_message: string | null;
  skipped_reason: string | null;
  cost_usd: number;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface NewAdw {
  id: string;
  name: string;
  workflow: string;
  description?: string;
  orchestratorId?: string;
  workingDir: string;
  worktreePath?: string;
  branch?: string;
  inputs: AdwInputs;
  maxCostUsd?: number;
  state: StoredAdwState;
}

export async function insertAdw(db: Queryable, adw: NewAdw): Promise<void> {
  await db.query(
    `insert into adws (id, name, workflow, description, orchestrator_id, working_dir, worktree_path, branch, inputs,
                       max_cost_usd, state, total_steps)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      adw.id,
      storableText(adw.name),
      adw.workflow,
      storableText(adw.description),
      adw.orchestratorId ?? null,
      adw.workingDir,
      adw.worktreePath ?? null,
      adw.branch ?? null,
      storableValue(adw.inputs),
      adw.maxCostUsd ?? null,
      storableValue(adw.state),
      adw.state.steps.length,
    ],
  );
  await saveSteps(db, adw.id, adw.state);
}

export async function getAdw(db: Queryable, id: string): Promise<AdwRow | undefined> {
  const result = await db.query<AdwRow>('select * from adws where id = $1', [id]);
  return result.rows[0];
}

/** The ADW row locked for the rest of the caller's transaction: transitions of one ADW take turns. */
export async function lockAdw(db: Queryable, id: string): Promise<AdwRow | undefined> {
  const result = await db.query<AdwRow>('select * from adws where id = $1 for update', [id]);
  return result.rows[0];
}

export async function listAdws(
  db: Queryable,
  options: { status?: AdwStatus; limit?: number } = {},
): Promise<AdwRow[]> {
  const result = await db.query<AdwRow>(
    `select * from adws where ($1::text is null or status = $1) order by created_at desc limit $2`,
    [options.status ?? null, options.limit ?? 50],
  );
  return result.rows;
}

export async function listSteps(db: Queryable, adwId: string): Promise<AdwStepRow[]> {
  const result = await db.query<AdwStepRow>('select * from adw_steps where adw_id = $1 order by position', [
    adwId,
  ]);
  return result.rows;
}

export async function getStep(
  db: Queryable,
  adwId: string,
  position: number,
): Promise<AdwStepRow | undefined> {
  const result = await db.query<AdwStepRow>('select * from adw_steps where adw_id = $1 and position = $2', [
    adwId,
    position,
  ]);
  return result.rows[0];
}

/**
 * Writes the engine's state and everything derived from it: the ADW's columns and one row per step run.
 * `outputs` and `costUsd` columns follow the state; the cost budget may be raised separately.
 */
export async function saveAdwState(
  db: Queryable,
  id: string,
  state: StoredAdwState,
  outputs: Record<string, unknown>,
): Promise<void> {
  const current =
    state.steps.find((step) => step.status === 'running') ??
    state.steps.find((step) => step.status === 'pending');
  const failed = state.error;
  await db.query(
    `update adws set state = $2, status = $3, current_step = $4, total_steps = $5, completed_steps = $6,
            paused_reason = $7, error_message = $8, error_step = $9, cost_usd = $10, outputs = $11,
            started_at = $12, ended_at = $13,
            duration_ms = case when $13::timestamptz is null or $12::timestamptz is null then null
                               else (extract(epoch from $13::timestamptz - $12::timestamptz) * 1000)::bigint end
      where id = $1`,
    [
      id,
      storableValue(state),
      state.status,
      current?.name ?? null,
      state.steps.length,
      state.steps.filter((step) => step.status === 'succeeded' || step.status === 'skipped').length,
      storableText(state.pausedReason),
      storableText(failed?.message),
      failed?.step ?? null,
      state.costUsd,
      storableValue(outputs),
      state.startedAt ?? null,
      state.endedAt ?? null,
    ],
  );
  await saveSteps(db, id, state);
}

async function saveSteps(db: Queryable, adwId: string, state: StoredAdwState): Promise<void> {
  const steps = state.steps.map((step) => ({
    position: step.index,
    name: step.name,
    iteration: step.iteration,
    status: step.status,
    attempt: step.attempts,
    output: step.output ?? {},
    artifact_path: step.output?.artifactPath ?? null,
    error_message: step.error ?? null,
    skipped_reason: step.skippedBecause ?? null,
    cost_usd: step.costUsd,
    started_at: step.startedAt ?? null,
    ended_at: step.endedAt ?? null,
  }));
  await db.query(
    `insert into adw_steps (adw_id, position, name, iteration, status, attempt, output, artifact_path, error_message,
                            skipped_reason, cost_usd, started_at, ended_at)
     select $1, position, name, iteration, status, attempt, output, artifact_path, error_message, skipped_reason,
            cost_usd, started_at, ended_at
       from json_to_recordset($2::json) as step(position int, name text, iteration int, status text, attempt int,
            output jsonb, artifact_path text, error_message text, skipped_reason text, cost_usd numeric,
            started_at timestamptz, ended_at timestamptz)
     on conflict (adw_id, position) do update set
       status = excluded.status, attempt = excluded.attempt, output = excluded.output,
       artifact_path = excluded.artifact_path, error_message = excluded.error_message,
       skipped_reason = excluded.skipped_reason, cost_usd = excluded.cost_usd, started_at = excluded.started_at,
       ended_at = excluded.ended_at`,
    [adwId, JSON.stringify(storableValue(steps))],
  );
}

/** Links a step run to the agent, run and Claude session executing it (a retry resumes that session). */
export async function setStepExecution(
  db: Queryable,
  adwId: string,
  position: number,
  execution: { agentId?: string; runId?: string; sessionId?: string },
): Promise<void> {
  await db.query(
    `update adw_steps set agent_id = coalesce($3, agent_id), run_id = coalesce($4, run_id),
            session_id = coalesce($5, session_id)
      where adw_id = $1 and position = $2`,
    [adwId, position, execution.agentId ?? null, execution.runId ?? null, execution.sessionId ?? null],
  );
}

export async function raiseBudget(db: Queryable, id: string, addCostUsd: number): Promise<void> {
  await db.query('update adws set max_cost_usd = coalesce(max_cost_usd, 0) + $2 where id = $1', [
    id,
    addCostUsd,
  ]);
}

/**
 * ADWs that may have a step no job works on: every running one, and cancelled ones whose running step
 * has not reported yet.
 */
export async function adwsWithOpenSteps(db: Queryable): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `select id from adws
      where status = 'running'
         or (status = 'cancelled' and exists (select 1 from adw_steps where adw_id = adws.id and status = 'running'))
      order by created_at`,
  );
  return result.rows.map((row) => row.id);
}

/** Where one step run stands now, read from the engine's state: what a running attempt checks. */
export async function stepStanding(
  db: Queryable,
  adwId: string,
  index: number,
): Promise<{ adwStatus: AdwStatus; stepStatus: StepStatus; attempts: number } | undefined> {
  const result = await db.query<{ adw_status: AdwStatus; step_status: StepStatus; attempts: number }>(
    `select status as adw_status, state->'steps'->($2::int)->>'status' as step_status,
            (state->'steps'->($2::int)->>'attempts')::int as attempts
       from adws where id = $1`,
    [adwId, index],
  );
  const row = result.rows[0];
  return row && { adwStatus: row.adw_status, stepStatus: row.step_status, attempts: row.attempts };
}

/**
 * ADWs that ended (succeeded, failed, cancelled) before `endedBefore` and have a worktree: what `baton gc`
 * may clean up. Paused ones are not ended: they wait for a resume.
 */
export async function endedAdwsWithWorktrees(db: Queryable, endedBefore: Date): Promise<AdwRow[]> {
  const result = await db.query<AdwRow>(
    `select * from adws
      where status in ('succeeded', 'failed', 'cancelled') and worktree_path is not null
        and coalesce(ended_at, updated_at) < $1
      order by coalesce(ended_at, updated_at)`,
    [endedBefore],
  );
  return result.rows;
}
