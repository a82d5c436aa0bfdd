import type { SessionUsage } from '../core/usage.ts';
import type { RunStatus } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText } from './storable.ts';

/** Represents records in the agent_runs table. */
export interface RunRow {
  id: string;
  agent_id: string;
  status: RunStatus;
  model: string;
  working_dir: string;
  session_id: string | null;
  resumed_session_id: string | null;
  adw_id: string | null;
  adw_step: string | null;
  /** The ADW step run (its position) and attempt this run belongs to. */
  adw_step_index: number | null;
  adw_attempt: number | null;
  /** The file-tracking snapshot taken when the run started (a tree in this host's shadow repository). */
  before_tree: string | null;
  max_turns: number | null;
  max_cost_usd: number | null;
  num_turns: number;
  stop_reason: string | null;
  result_text: string | null;
  error_message: string | null;
  cost_usd: number;
  sdk_cost_usd: number | null;
  sdk_session_usage: SessionUsage | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  context_tokens: number;
  agent_process_ms: number | null;
  host: string;
  pid: number;
  agent_pid: number | null;
  started_at: Date;
  ended_at: Date | null;
  duration_ms: number | null;
}

export interface NewRun {
  id: string;
  agentId: string;
  model: string;
  workingDir: string;
  resumedSessionId?: string;
  adwId?: string;
  adwStep?: string;
  adwStepIndex?: number;
  adwAttempt?: number;
  maxTurns?: number;
  maxCostUsd?: number;
  host: string;
  pid: number;
}

export async function insertRun(db: Queryable, run: NewRun): Promise<RunRow> {
  const result = await db.query<RunRow>(
    `insert into agent_runs (id, agent_id, model, working_dir, resumed_session_id, session_id, adw_id, adw_step,
                             max_turns, max_cost_usd, host, pid, adw_step_index, adw_attempt)
     values ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning *`,
    [
      run.id,
      run.agentId,
      run.model,
      run.workingDir,
      run.resumedSessionId ?? null,
      run.adwId ?? null,
      run.adwStep ?? null,
      run.maxTurns ?? null,
      run.maxCostUsd ?? null,
      run.host,
      run.pid,
      run.adwStepIndex ?? null,
      run.adwAttempt ?? null,
    ],
  );
  return result.rows[0]!;
}

export async function getRun(db: Queryable, id: string): Promise<RunRow | undefined> {
  const result = await db.query<RunRow>('select * from agent_runs where id = $1', [id]);
  return result.rows[0];
}

/** The latest run that used this Claude session, so `--resume <session id>` finds its agent. */
export async function findRunBySession(db: Queryable, sessionId: string): Promise<RunRow | undefined> {
  const result = await db.query<RunRow>(
    'select * from agent_runs where session_id = $1 order by started_at desc limit 1',
    [sessionId],
  );
  return result.rows[0];
}

export async function setRunSession(db: Queryable, id: string, sessionId: string): Promise<void> {
  await db.query('update agent_runs set session_id = $2 where id = $1', [id, sessionId]);
}

export async function setRunAgentPid(db: Queryable, id: string, agentPid: number): Promise<void> {
  await db.query('update agent_runs set agent_pid = $2 where id = $1', [id, agentPid]);
}

export async function setRunBeforeTree(db: Queryable, id: string, tree: string): Promise<void> {
  await db.query('update agent_runs set before_tree = $2 where id = $1', [id, tree]);
}

export interface RunOutcome {
  status: RunStatus;
  sessionId?: string;
  numTurns: number;
  stopReason?: string;
  resultText?: string;
  errorMessage?: string;
  costUsd: number;
  sdkCostUsd?: number;
  sdkSessionUsage?: SessionUsage;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  contextTokens: number;
  agentProcessMs?: number;
}

/** Records how a run ended. Only a running run can end, so a late second call changes nothing. */
export async function finishRun(db: Queryable, id: string, outcome: RunOutcome): Promise<RunRow | undefined> {
  const result = await db.query<RunRow>(
    `update agent_runs set
       status = $2, session_id = coalesce($3, session_id), num_turns = $4, stop_reason = $5, result_text = $6,
       error_message = $7, cost_usd = $8, sdk_cost_usd = $9, input_tokens = $10, output_tokens = $11,
       cache_read_tokens = $12, cache_creation_tokens = $13, context_tokens = $14, sdk_session_usage = $15,
       agent_process_ms = $16,
       ended_at = now(), duration_ms = (extract(epoch from now() - started_at) * 1000)::bigint
     where id = $1 and status = 'running'
     returning *`,
    [
      id,
      outcome.status,
      outcome.sessionId ?? null,
      outcome.numTurns,
      outcome.stopReason ?? null,
      storableText(outcome.resultText),
      storableText(outcome.errorMessage),
      outcome.costUsd,
      outcome.sdkCostUsd ?? null,
      outcome.inputTokens,
      outcome.outputTokens,
      outcome.cacheReadTokens,
      outcome.cacheCreationTokens,
      outcome.contextTokens,
      outcome.sdkSessionUsage ?? null,
      outcome.agentProcessMs ?? null,
    ],
  );
  return result.rows[0];
}

/** Claude Code's session figures after the latest finished run of a session: a resumed run's baseline. */
export async function latestSessionUsage(
  db: Queryable,
  sessionId: string,
): Promise<SessionUsage | undefined> {
  const result = await db.query<{ sdk_session_usage: SessionUsage }>(
    `select sdk_session_usage from agent_runs
      where session_id = $1 and sdk_session_usage is not null
      order by ended_at desc limit 1`,
    [sessionId],
  );
  return result.rows[0]?.sdk_session_usage;
}

/** A run that no process drives any more, with what ending it needs. */
export type AbandonedRun = Pick<
  RunRow,
  | 'id'
  | 'agent_id'
  | 'host'
  | 'pid'
  | 'agent_pid'
  | 'working_dir'
  | 'before_tree'
  | 'adw_id'
  | 'adw_step'
  | 'session_id'
>;

const abandonedColumns =
  'id, agent_id, host, pid, agent_pid, working_dir, before_tree, adw_id, adw_step, session_id';

/** Runs still marked running that a baton process on `host` drives (or drove). */
export async function runningRunsOnHost(db: Queryable, host: string): Promise<AbandonedRun[]> {
  const result = await db.query<AbandonedRun>(
    `select ${abandonedColumns} from agent_runs where status = 'running' and host = $1`,
    [host],
  );
  return result.rows;
}

/** Runs of an ADW step run still marked running: earlier attempts that may still be at work. */
export async function runningRunsOfStep(
  db: Queryable,
  adwId: string,
  index: number,
): Promise<AbandonedRun[]> {
  const result = await db.query<AbandonedRun>(
    `select ${abandonedColumns} from agent_runs where adw_id = $1 and adw_step_index = $2 and status = 'running'`,
    [adwId, index],
  );
  return result.rows;
}

/** Marks a run that nobody drives any more as failed, with the reason; undefined if it had already ended. */
export async function failRun(db: Queryable, id: string, errorMessage: string): Promise<RunRow | undefined> {
  const result = await db.query<RunRow>(
    `update agent_runs set status = 'failed', error_message = $2, ended_at = now(),
            duration_ms = (extract(epoch from now() - started_at) * 1000)::bigint,
            cost_usd = (select coalesce(sum(cost_usd), 0) from usage where run_id = $1)
      where id = $1 and status = 'running'
      returning *`,
    [id, storableText(errorMessage)],
  );
  return result.rows[0];
}

/**
 * What the runs matching the scope have spent and how many turns they took, from the usage ledger: every
 * model call counts, those of killed, superseded and failed attempts too. A run that ended normally counts
 * its turns as Claude Code reported them; one that never reported counts its model calls.
 */
export async function spentBy(
  db: Queryable,
  scope: { adwId: string } | { agentId: string },
): Promise<{ costUsd: number; turns: number }> {
  const result = await db.query<{ cost: number; turns: number }>(
    `select coalesce(sum(spent.cost), 0)::float as cost, coalesce(sum(greatest(runs.num_turns, spent.calls)), 0)::int as turns
       from agent_runs runs
       cross join lateral (select coalesce(sum(cost_usd), 0) as cost, count(*) as calls from usage where run_id = runs.id) spent
      where runs.${'adwId' in scope ? 'adw_id' : 'agent_id'} = $1`,
    ['adwId' in scope ? scope.adwId : scope.agentId],
  );
  return { costUsd: result.rows[0]!.cost, turns: result.rows[0]!.turns };
}

/** The directories runs are working in now: their file-tracking shadows hold their before-snapshots. */
export async function runningWorkingDirs(db: Queryable): Promise<string[]> {
  const result = await db.query<{ working_dir: string }>(
    `select distinct working_dir from agent_runs where status = 'running'`,
  );
  return result.rows.map((row) => row.working_dir);
}
