import type { Queryable } from './pool.ts';

export interface UsageEntry {
  runId: string;
  agentId: string;
  messageId: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costUsd: number | undefined;
}

/** One row per model call; writing the same call again updates it, so retries are safe. */
export async function upsertUsage(db: Queryable, entries: readonly UsageEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `insert into usage (run_id, agent_id, message_id, model, input_tokens, output_tokens, cache_read_tokens,
                        cache_creation_tokens, cost_usd, priced)
     select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
                          $8::bigint[], $9::numeric[], $10::boolean[])
     on conflict (run_id, message_id) do update set
       model = excluded.model, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
       cache_read_tokens = excluded.cache_read_tokens, cache_creation_tokens = excluded.cache_creation_tokens,
       cost_usd = excluded.cost_usd, priced = excluded.priced`,
    [
      entries.map((entry) => entry.runId),
      entries.map((entry) => entry.agentId),
      entries.map((entry) => entry.messageId),
      entries.map((entry) => entry.model),
      entries.map((entry) => entry.inputTokens),
      entries.map((entry) => entry.outputTokens),
      entries.map((entry) => entry.cacheReadTokens),
      entries.map((entry) => entry.cacheCreationTokens),
      entries.map((entry) => entry.costUsd ?? 0),
      entries.map((entry) => entry.costUsd !== undefined),
    ],
  );
}

/** What each agent has spent so far, from the usage ledger (updated call by call while runs go on). */
export async function costByAgent(db: Queryable, agentIds: readonly string[]): Promise<Map<string, number>> {
  const result = await db.query<{ agent_id: string; cost: number }>(
    `select agent_id, sum(cost_usd)::float as cost from usage where agent_id = any($1) group by agent_id`,
    [agentIds],
  );
  return new Map(result.rows.map((row) => [row.agent_id, row.cost]));
}
