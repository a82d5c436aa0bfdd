import type { Queryable } from './pool.ts';

/** Token counts and spend from the usage ledger (one row per model call), summed. */
export interface UsageTotals {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  cost_usd: number;
  calls: number;
}

export interface AgentCost extends UsageTotals {
  agent_id: string;
  name: string;
  adw_id: string | null;
  /** Input + cache tokens of the agent's latest finished run's last call: how full its context is. */
  context_tokens: number;
}

export interface AdwCost extends UsageTotals {
  adw_id: string;
  name: string;
}

const sums = `coalesce(sum(u.input_tokens), 0)::bigint as input_tokens,
  coalesce(sum(u.output_tokens), 0)::bigint as output_tokens,
  coalesce(sum(u.cache_read_tokens), 0)::bigint as cache_read_tokens,
  coalesce(sum(u.cache_creation_tokens), 0)::bigint as cache_creation_tokens,
  coalesce(sum(u.cost_usd), 0)::float as cost_usd,
  count(u.id)::int as calls`;

/** Spend of everything, of each agent (archived ones too: money spent stays spent) and of each ADW. */
export async function costReport(
  db: Queryable,
): Promise<{ total: UsageTotals; agents: AgentCost[]; adws: AdwCost[] }> {
  const [total, agents, adws] = await Promise.all([
    db.query<UsageTotals>(`select ${sums} from usage u`),
    db.query<AgentCost>(
      `select a.id as agent_id, a.name, a.adw_id, ${sums},
              coalesce((select r.context_tokens from agent_runs r where r.agent_id = a.id
                         order by r.started_at desc limit 1), 0)::bigint as context_tokens
         from agents a join usage u on u.agent_id = a.id
        group by a.id order by cost_usd desc, a.id`,
    ),
    db.query<AdwCost>(
      `select d.id as adw_id, d.name, ${sums}
         from adws d join agents a on a.adw_id = d.id join usage u on u.agent_id = a.id
        group by d.id order by cost_usd desc, d.id`,
    ),
  ]);
  return { total: total.rows[0]!, agents: agents.rows, adws: adws.rows };
}
