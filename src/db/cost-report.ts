import type { Queryable } from './pool.ts';

/** Spend of one subject (an agent, an ADW, the orchestrator) summed from the usage ledger. */
export interface SpendRow {
  id: string;
  name: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  cost_usd: number;
  calls: number;
  /** Input + cache tokens of the subject's latest run's last model call: how full its context is now. */
  context_tokens: number;
}

const sums = `
  coalesce(sum(u.input_tokens), 0)::float8 as input_tokens,
  coalesce(sum(u.output_tokens), 0)::float8 as output_tokens,
  coalesce(sum(u.cache_read_tokens), 0)::float8 as cache_read_tokens,
  coalesce(sum(u.cache_creation_tokens), 0)::float8 as cache_creation_tokens,
  coalesce(sum(u.cost_usd), 0)::float8 as cost_usd,
  count(u.id)::int as calls`;

const latestContext = (where: string) => `
  coalesce((select r.context_tokens from agent_runs r where ${where} order by r.started_at desc limit 1), 0)::float8`;

/** Each agent of `kinds` in the workspace (live ones, and archived ones that spent something). */
export async function spendByAgent(
  db: Queryable,
  workspace: string,
  kinds: readonly string[],
): Promise<SpendRow[]> {
  const result = await db.query<SpendRow>(
    `select a.id, a.name, ${sums}, ${latestContext('r.agent_id = a.id')} as context_tokens
       from agents a left join usage u on u.agent_id = a.id
      where a.kind = any($2::text[]) and coalesce(a.workspace, a.working_dir) = $1
      group by a.id having not bool_or(a.archived) or count(u.id) > 0
      order by a.created_at`,
    [workspace, kinds],
  );
  return result.rows;
}

/** Each ADW started in the workspace, over every run of its steps (killed and superseded attempts too). */
export async function spendByAdw(db: Queryable, workspace: string, limit = 50): Promise<SpendRow[]> {
  const result = await db.query<SpendRow>(
    `select w.id, w.name, ${sums}, ${latestContext('r.adw_id = w.id')} as context_tokens
       from adws w left join agent_runs r on r.adw_id = w.id left join usage u on u.run_id = r.id
      where w.working_dir = $1
      group by w.id order by w.created_at desc limit $2`,
    [workspace, limit],
  );
  return result.rows;
}

/** One agent's spend, whatever its kind or state. */
export async function spendOfAgent(db: Queryable, agentId: string): Promise<SpendRow> {
  const result = await db.query<SpendRow>(
    `select a.id, a.name, ${sums}, ${latestContext('r.agent_id = a.id')} as context_tokens
       from agents a left join usage u on u.agent_id = a.id where a.id = $1 group by a.id`,
    [agentId],
  );
  return result.rows[0]!;
}
