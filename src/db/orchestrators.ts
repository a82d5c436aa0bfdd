import type { AgentStatus } from '../core/statuses.ts';
import { insertAgent } from './agents.ts';
import { inTransaction, type Pool, type Queryable } from './pool.ts';

/** Represents records in the orchestrators table. */
export interface OrchestratorRow {
  id: string;
  name: string;
  session_id: string | null;
  status: AgentStatus;
  model: string | null;
  system_prompt: string | null;
  working_dir: string;
  /** The agent row its turns run as (runs, usage and events are recorded under it). */
  agent_id: string;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

/**
 * The orchestrator of a working directory, created on first use and the same one ever after, across
 * restarts and processes (a unique index on live working directories; concurrent callers get one row).
 */
export async function ensureOrchestrator(
  pool: Pool,
  workingDir: string,
  model: string,
): Promise<OrchestratorRow> {
  const existing = await findOrchestrator(pool, workingDir);
  if (existing) return existing;
  return inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`orchestrator:${workingDir}`]);
    const raced = await findOrchestrator(client, workingDir);
    if (raced) return raced;
    const { rows } = await client.query<{ id: string }>(
      'insert into orchestrators (working_dir, model) values ($1, $2) returning id',
      [workingDir, model],
    );
    const id = rows[0]!.id;
    const agent = await insertAgent(client, {
      name: 'orchestrator',
      model,
      workingDir,
      orchestratorId: id,
      kind: 'orchestrator',
      workspace: workingDir,
    });
    await client.query('update orchestrators set agent_id = $2 where id = $1', [id, agent.id]);
    return (await findOrchestrator(client, workingDir))!;
  });
}

export async function findOrchestrator(
  db: Queryable,
  workingDir: string,
): Promise<OrchestratorRow | undefined> {
  const { rows } = await db.query<OrchestratorRow>(
    'select * from orchestrators where working_dir = $1 and not archived',
    [workingDir],
  );
  return rows[0];
}

export async function getOrchestrator(db: Queryable, id: string): Promise<OrchestratorRow | undefined> {
  const { rows } = await db.query<OrchestratorRow>('select * from orchestrators where id = $1', [id]);
  return rows[0];
}

/** Keeps the session to resume next turn, and the status the UI shows. */
export async function setOrchestratorState(
  db: Queryable,
  id: string,
  state: { status: AgentStatus; sessionId?: string },
): Promise<void> {
  await db.query(
    'update orchestrators set status = $2, session_id = coalesce($3, session_id), updated_at = now() where id = $1',
    [id, state.status, state.sessionId ?? null],
  );
}
