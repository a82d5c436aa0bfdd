import type { AgentKind } from '../core/statuses.ts';
import type { AgentRow } from './agents.ts';
import type { FileChangeRow } from './file-changes.ts';
import type { Queryable } from './pool.ts';
import type { RunRow } from './runs.ts';

/** An agent as the server lists it: its row, how many runs it had, and what it has spent so far. */
export interface AgentListing extends AgentRow {
  run_count: number;
  cost_usd: number;
  /** Commands waiting for it (not the one running): its card says queued when it is not executing. */
  queued_commands: number;
}

const listingColumns = `a.*,
  (select count(*) from agent_runs r where r.agent_id = a.id)::int as run_count,
  coalesce((select sum(u.cost_usd) from usage u where u.agent_id = a.id), 0)::float as cost_usd,
  (select count(*) from agent_commands c where c.agent_id = a.id and c.status = 'queued')::int as queued_commands`;

/** Live (not archived) agents, newest activity first; of one kind, or one ADW's step agents. */
export async function listAgentListings(
  db: Queryable,
  options: { limit: number; offset: number; kind?: AgentKind; adw?: string },
): Promise<AgentListing[]> {
  const result = await db.query<AgentListing>(
    `select ${listingColumns} from agents a
      where not a.archived and ($3::uuid is null or a.adw_id = $3) and ($4::text is null or a.kind = $4)
      order by a.updated_at desc, a.id limit $1 offset $2`,
    [options.limit, options.offset, options.adw ?? null, options.kind ?? null],
  );
  return result.rows;
}

export async function getAgentListing(db: Queryable, id: string): Promise<AgentListing | undefined> {
  const result = await db.query<AgentListing>(`select ${listingColumns} from agents a where a.id = $1`, [id]);
  return result.rows[0];
}

/** A run as the agent's detail lists it: its row, the prompt it ran, and how many files it changed. */
export interface AgentRunListing extends RunRow {
  /** The prompt whose latest run this is (a command run again after its worker died names the last). */
  prompt_text: string | null;
  files_changed: number;
}

/** An agent's runs, newest first. */
export async function listAgentRuns(
  db: Queryable,
  agentId: string,
  options: { limit: number; offset: number },
): Promise<AgentRunListing[]> {
  const result = await db.query<AgentRunListing>(
    `select r.*,
            (select p.prompt_text from prompts p where p.run_id = r.id order by p.created_at limit 1) as prompt_text,
            (select count(*) from file_changes f where f.run_id = r.id)::int as files_changed
       from agent_runs r where r.agent_id = $1 order by r.started_at desc, r.id limit $2 offset $3`,
    [agentId, options.limit, options.offset],
  );
  return result.rows;
}

/** What an agent's runs changed (one run's, with `runId`), oldest run first; diffs left out on request. */
export async function listAgentFileChanges(
  db: Queryable,
  agentId: string,
  options: { runId?: string; diffs: boolean },
): Promise<FileChangeRow[]> {
  const diff = options.diffs ? 'f.diff' : 'null::text as diff';
  const result = await db.query<FileChangeRow>(
    `select f.id, f.run_id, f.agent_id, f.path, f.status, f.lines_added, f.lines_removed, f.is_binary,
            ${diff}, f.diff_truncated, f.created_at
       from file_changes f
      where f.agent_id = $1 and ($2::uuid is null or f.run_id = $2)
      order by f.created_at, f.path`,
    [agentId, options.runId ?? null],
  );
  return result.rows;
}
