import type { AgentStatus } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText, storableValue } from './storable.ts';

/** Represents records in the agents table. */
export interface AgentRow {
  id: string;
  orchestrator_id: string | null;
  name: string;
  model: string;
  system_prompt: string | null;
  working_dir: string;
  status: AgentStatus;
  session_id: string | null;
  adw_id: string | null;
  adw_step: string | null;
  archived: boolean;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface NewAgent {
  name: string;
  model: string;
  workingDir: string;
  systemPrompt?: string;
  orchestratorId?: string;
  adwId?: string;
  adwStep?: string;
  metadata?: Record<string, unknown>;
}

export async function insertAgent(db: Queryable, agent: NewAgent): Promise<AgentRow> {
  const result = await db.query<AgentRow>(
    `insert into agents (name, model, working_dir, system_prompt, orchestrator_id, adw_id, adw_step, metadata)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
    [
      agent.name,
      agent.model,
      agent.workingDir,
      storableText(agent.systemPrompt),
      agent.orchestratorId ?? null,
      agent.adwId ?? null,
      agent.adwStep ?? null,
      storableValue(agent.metadata ?? {}),
    ],
  );
  return result.rows[0]!;
}

export async function setAgentStatus(
  db: Queryable,
  id: string,
  status: AgentStatus,
  sessionId?: string,
): Promise<void> {
  await db.query('update agents set status = $2, session_id = coalesce($3, session_id) where id = $1', [
    id,
    status,
    sessionId ?? null,
  ]);
}

/** The live agent of an ADW named `name` (the agent of one step run), if it exists. */
export async function findAdwAgent(
  db: Queryable,
  adwId: string,
  name: string,
): Promise<AgentRow | undefined> {
  const result = await db.query<AgentRow>(
    'select * from agents where adw_id = $1 and name = $2 and not archived order by created_at limit 1',
    [adwId, name],
  );
  return result.rows[0];
}
