import type { CommandStatus, RunStatus } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText } from './storable.ts';

/** Represents records in the agent_commands table, with its prompt's text and latest run. */
export interface CommandRow {
  id: string;
  agent_id: string;
  position: number;
  status: CommandStatus;
  stop_requested: 'interrupt' | 'delete' | null;
  deliveries: number;
  /** The worker running it (see command_workers); null when nobody has it or its worker let it go. */
  worker_id: string | null;
  error_message: string | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  /** From prompts. */
  prompt_text: string;
  author: string;
  run_id: string | null;
  /** From the latest run, when there is one. */
  run_status: RunStatus | null;
  result_text: string | null;
  run_error: string | null;
}

const selectCommand = `
  select c.id, c.agent_id, c.position::float8 as position, c.status, c.stop_requested, c.deliveries, c.worker_id,
         c.error_message, c.created_at, c.started_at, c.ended_at,
         p.prompt_text, p.author, p.run_id, r.status as run_status, r.result_text, r.error_message as run_error
    from agent_commands c
    join prompts p on p.id = c.id
    left join agent_runs r on r.id = p.run_id`;

export async function insertCommand(db: Queryable, command: { id: string; agentId: string }): Promise<void> {
  await db.query('insert into agent_commands (id, agent_id) values ($1, $2)', [command.id, command.agentId]);
}

export async function getCommand(db: Queryable, id: string): Promise<CommandRow | undefined> {
  const result = await db.query<CommandRow>(`${selectCommand} where c.id = $1`, [id]);
  return result.rows[0];
}

/** An agent's commands that have not ended (running first, then the queue in order). */
export async function openCommands(db: Queryable, agentId: string): Promise<CommandRow[]> {
  const result = await db.query<CommandRow>(
    `${selectCommand} where c.agent_id = $1 and c.status in ('queued', 'running') order by c.position`,
    [agentId],
  );
  return result.rows;
}

/** The command an agent was given last, whatever its state. */
export async function lastCommand(db: Queryable, agentId: string): Promise<CommandRow | undefined> {
  const result = await db.query<CommandRow>(
    `${selectCommand} where c.agent_id = $1 order by c.position desc limit 1`,
    [agentId],
  );
  return result.rows[0];
}

/**
 * Takes a command to run it on `workerId`, for one more delivery: a queued one when no earlier command
 * of its agent is still open and the agent is live, or a running one whose worker (`from`) is gone.
 * False when it is not there to take (another worker took it, it ended, it was cancelled).
 */
export async function claimCommand(
  db: Queryable,
  id: string,
  workerId: string,
  from: 'queued' | { worker: string | null },
): Promise<boolean> {
  const result =
    from === 'queued'
      ? await db.query(
          `update agent_commands c
              set status = 'running', worker_id = $2, deliveries = deliveries + 1,
                  started_at = coalesce(started_at, now())
            where c.id = $1 and c.status = 'queued'
              and exists (select 1 from agents a where a.id = c.agent_id and not a.archived)
              and not exists (select 1 from agent_commands e
                               where e.agent_id = c.agent_id and e.status in ('queued', 'running')
                                 and e.position < c.position)`,
          [id, workerId],
        )
      : await db.query(
          `update agent_commands set worker_id = $2, deliveries = deliveries + 1
            where id = $1 and status = 'running' and worker_id is not distinct from $3`,
          [id, workerId, from.worker],
        );
  return (result.rowCount ?? 0) > 0;
}

/** The agent's next command, if it is queued with nothing of the agent's ahead of it or running. */
export async function nextQueuedCommand(db: Queryable, agentId: string): Promise<CommandRow | undefined> {
  const [first] = await openCommands(db, agentId);
  return first?.status === 'queued' ? first : undefined;
}

/** A worker lets a running command go (it stops): the next delivery takes it over without waiting. */
export async function releaseCommand(db: Queryable, id: string, workerId: string): Promise<void> {
  await db.query(
    `update agent_commands set worker_id = null where id = $1 and status = 'running' and worker_id = $2`,
    [id, workerId],
  );
}

/** Ends a command that has not ended yet; returns whether this call ended it. */
export async function endCommand(
  db: Queryable,
  id: string,
  status: Exclude<CommandStatus, 'queued' | 'running'>,
  errorMessage?: string,
  /** Only if this worker still has it (a worker judged dead and replaced ends nothing). */
  workerId?: string,
): Promise<boolean> {
  const result = await db.query(
    `update agent_commands set status = $2, error_message = $3, ended_at = now()
      where id = $1 and status in ('queued', 'running')
        and ($4::uuid is null or status = 'queued' or worker_id = $4)`,
    [id, status, storableText(errorMessage), workerId ?? null],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function requestStop(db: Queryable, id: string, reason: 'interrupt' | 'delete'): Promise<void> {
  await db.query('update agent_commands set stop_requested = $2 where id = $1', [id, reason]);
}

/** Cancels an agent's queued commands (it is being deleted); returns their ids. */
export async function cancelQueuedCommands(db: Queryable, agentId: string): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `update agent_commands set status = 'cancelled', ended_at = now(), error_message = 'the agent was deleted'
      where agent_id = $1 and status = 'queued' returning id`,
    [agentId],
  );
  return result.rows.map((row) => row.id);
}
