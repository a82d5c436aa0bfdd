import type { AgentKind, AgentStatus } from '../core/statuses.ts';
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
  kind: AgentKind;
  /** A command agent's workspace: the directory it was created for (its name is unique there). */
  workspace: string | null;
  template: string | null;
  /** The tools it may use; null: every tool. */
  tools: string[] | null;
  blocked_reason: string | null;
  worktree_path: string | null;
  branch: string | null;
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
  kind?: AgentKind;
  workspace?: string;
  template?: string;
  tools?: string[];
  worktreePath?: string;
  branch?: string;
}

export async function insertAgent(db: Queryable, agent: NewAgent): Promise<AgentRow> {
  const result = await db.query<AgentRow>(
    `insert into agents (name, model, working_dir, system_prompt, orchestrator_id, adw_id, adw_step, metadata,
                         kind, workspace, template, tools, worktree_path, branch)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning *`,
    [
      agent.name,
      agent.model,
      agent.workingDir,
      storableText(agent.systemPrompt),
      agent.orchestratorId ?? null,
      agent.adwId ?? null,
      agent.adwStep ?? null,
      storableValue(agent.metadata ?? {}),
      agent.kind ?? (agent.adwId ? 'adw_step' : 'run'),
      agent.workspace ?? null,
      agent.template ?? null,
      agent.tools ?? null,
      agent.worktreePath ?? null,
      agent.branch ?? null,
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

/** The live command agent named `name` in a workspace. */
export async function findCommandAgent(
  db: Queryable,
  workspace: string,
  name: string,
): Promise<AgentRow | undefined> {
  const result = await db.query<AgentRow>(
    `select * from agents where kind = 'command' and workspace = $1 and name = $2 and not archived`,
    [workspace, name],
  );
  return result.rows[0];
}

/** The live command agents of a workspace, oldest first. */
export async function listCommandAgents(db: Queryable, workspace: string): Promise<AgentRow[]> {
  const result = await db.query<AgentRow>(
    `select * from agents where kind = 'command' and workspace = $1 and not archived order by created_at`,
    [workspace],
  );
  return result.rows;
}

export async function getAgent(db: Queryable, id: string): Promise<AgentRow | undefined> {
  const result = await db.query<AgentRow>('select * from agents where id = $1', [id]);
  return result.rows[0];
}

/** Archives an agent, which frees its name; returns false when it was archived already. */
export async function archiveAgent(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('update agents set archived = true where id = $1 and not archived', [id]);
  return (result.rowCount ?? 0) > 0;
}

/** Why the agent is blocked (its last command failed), or null to clear it. */
export async function setBlockedReason(db: Queryable, id: string, reason: string | null): Promise<void> {
  await db.query('update agents set blocked_reason = $2 where id = $1', [id, storableText(reason)]);
}
