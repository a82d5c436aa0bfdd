import type { Queryable } from './pool.ts';

/**
 * Command workers and the agents they keep warm (migration 0006). A worker is alive while its heartbeat
 * is fresher than `staleMs`; a worker that stops deletes its row (and with it its warm agents).
 */

export async function registerWorker(
  db: Queryable,
  worker: { id: string; host: string; pid: number },
  staleMs: number,
): Promise<void> {
  // Rows of workers long dead go first; nothing else would remove them.
  await db.query(`delete from command_workers where heartbeat_at < now() - make_interval(secs => $1)`, [
    (staleMs * 10) / 1_000,
  ]);
  await db.query('insert into command_workers (id, host, pid) values ($1, $2, $3)', [
    worker.id,
    worker.host,
    worker.pid,
  ]);
}

/** Beats; false when the row is gone (another worker judged this one dead and it was cleaned up). */
export async function beat(db: Queryable, workerId: string): Promise<boolean> {
  const result = await db.query('update command_workers set heartbeat_at = now() where id = $1', [workerId]);
  return (result.rowCount ?? 0) > 0;
}

export async function unregisterWorker(db: Queryable, workerId: string): Promise<void> {
  await db.query('delete from command_workers where id = $1', [workerId]);
}

export async function isWorkerAlive(db: Queryable, workerId: string, staleMs: number): Promise<boolean> {
  const result = await db.query(
    `select 1 from command_workers where id = $1 and heartbeat_at > now() - make_interval(secs => $2)`,
    [workerId, staleMs / 1_000],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Records that `workerId` keeps the agent's process warm (replacing any other worker's claim to it). */
export async function setWarmAgent(db: Queryable, agentId: string, workerId: string): Promise<void> {
  await db.query(
    `insert into warm_agents (agent_id, worker_id) values ($1, $2)
       on conflict (agent_id) do update set worker_id = excluded.worker_id, since = now()`,
    [agentId, workerId],
  );
}

export async function clearWarmAgent(db: Queryable, agentId: string, workerId: string): Promise<void> {
  await db.query('delete from warm_agents where agent_id = $1 and worker_id = $2', [agentId, workerId]);
}

/** The live worker keeping the agent's process warm, if any. */
export async function warmHolder(
  db: Queryable,
  agentId: string,
  staleMs: number,
): Promise<string | undefined> {
  const result = await db.query<{ worker_id: string }>(
    `select w.worker_id from warm_agents w join command_workers k on k.id = w.worker_id
      where w.agent_id = $1 and k.heartbeat_at > now() - make_interval(secs => $2)`,
    [agentId, staleMs / 1_000],
  );
  return result.rows[0]?.worker_id;
}

/** Of these agents, the ones archived (deleted) or gone. */
export async function deletedAgents(db: Queryable, agentIds: string[]): Promise<string[]> {
  if (!agentIds.length) return [];
  const result = await db.query<{ id: string }>(
    `select id from unnest($1::uuid[]) as ids(id)
      where not exists (select 1 from agents a where a.id = ids.id and not a.archived)`,
    [agentIds],
  );
  return result.rows.map((row) => row.id);
}
