import type { ChatKind, ChatParty, ChatStatus } from '../core/statuses.ts';
import { inTransaction, type Pool, type Queryable } from './pool.ts';
import { storableText, storableValue } from './storable.ts';

/** Represents records in the orchestrator_chat table. */
export interface ChatRow {
  id: string;
  /** Insertion order: the order items happened in, and the cursor for paging. */
  position: string;
  orchestrator_id: string;
  sender_type: ChatParty;
  receiver_type: ChatParty;
  kind: ChatKind;
  status: ChatStatus;
  message: string;
  summary: string | null;
  agent_id: string | null;
  run_id: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface NewChatItem {
  orchestratorId: string;
  sender: ChatParty;
  receiver: ChatParty;
  kind?: ChatKind;
  status?: ChatStatus;
  message: string;
  runId?: string;
  metadata?: Record<string, unknown>;
}

export async function insertChatItem(db: Queryable, item: NewChatItem): Promise<ChatRow> {
  const { rows } = await db.query<ChatRow>(
    `insert into orchestrator_chat (orchestrator_id, sender_type, receiver_type, kind, status, message, run_id, metadata)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
    [
      item.orchestratorId,
      item.sender,
      item.receiver,
      item.kind ?? 'text',
      item.status ?? 'done',
      storableText(item.message),
      item.runId ?? null,
      storableValue(item.metadata ?? {}),
    ],
  );
  return rows[0]!;
}

/** A page of history, oldest first: the `limit` items before `beforePosition` (or the latest). */
export async function chatHistory(
  db: Queryable,
  orchestratorId: string,
  page: { beforePosition?: string; limit: number },
): Promise<ChatRow[]> {
  const { rows } = await db.query<ChatRow>(
    `select * from (
       select * from orchestrator_chat
        where orchestrator_id = $1 and ($2::bigint is null or position < $2)
        order by position desc limit $3
     ) page order by position`,
    [orchestratorId, page.beforePosition ?? null, page.limit],
  );
  return rows;
}

/** Messages still waiting for their turn, in order. */
export async function queuedMessages(db: Queryable, orchestratorId: string): Promise<ChatRow[]> {
  const { rows } = await db.query<ChatRow>(
    `select * from orchestrator_chat where orchestrator_id = $1 and status = 'queued' order by position`,
    [orchestratorId],
  );
  return rows;
}

/**
 * Takes the oldest queued message for its turn, unless a turn is already running: one turn at a time per
 * orchestrator, whichever process asks (the advisory lock orders two processes claiming at once).
 */
export async function claimNextMessage(
  pool: Pool,
  orchestratorId: string,
  owner: TurnOwner,
): Promise<ChatRow | undefined> {
  return inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`chat:${orchestratorId}`]);
    const { rows } = await client.query<ChatRow>(
      `update orchestrator_chat
          set status = 'running', metadata = metadata || jsonb_build_object('owner', $2::jsonb), updated_at = now()
        where id = (select id from orchestrator_chat where orchestrator_id = $1 and status = 'queued'
                     order by position limit 1)
          and not exists (select 1 from orchestrator_chat where orchestrator_id = $1 and status = 'running')
        returning *`,
      [orchestratorId, JSON.stringify(owner)],
    );
    return rows[0];
  });
}

export async function settleMessage(
  db: Queryable,
  id: string,
  settled: { status: ChatStatus; runId?: string },
): Promise<ChatRow | undefined> {
  const { rows } = await db.query<ChatRow>(
    'update orchestrator_chat set status = $2, run_id = coalesce($3, run_id), updated_at = now() where id = $1 returning *',
    [id, settled.status, settled.runId ?? null],
  );
  return rows[0];
}

export async function getChatItem(db: Queryable, id: string): Promise<ChatRow | undefined> {
  const { rows } = await db.query<ChatRow>('select * from orchestrator_chat where id = $1', [id]);
  return rows[0];
}

/** The process that runs a claimed turn, so a later start can tell whether it is still alive. */
export interface TurnOwner {
  host: string;
  pid: number;
}

/**
 * Turns whose process stopped before settling them: settled as interrupted when their run ended (a dead
 * process's runs are ended at the next start on its host), queued again when their run never started and
 * `isGone(owner)` says the process that claimed them no longer exists.
 */
export async function recoverStrandedTurns(
  db: Queryable,
  orchestratorId: string,
  isGone: (owner: TurnOwner) => boolean,
): Promise<void> {
  const { rows } = await db.query<{ id: string; owner: TurnOwner | null; run_status: string | null }>(
    `select chat.id, chat.metadata -> 'owner' as owner, run.status as run_status
       from orchestrator_chat chat left join agent_runs run on run.id = chat.run_id
      where chat.orchestrator_id = $1 and chat.status = 'running'`,
    [orchestratorId],
  );
  for (const row of rows) {
    if (row.run_status !== null && row.run_status !== 'running') {
      await settleMessage(db, row.id, { status: 'interrupted' });
    } else if (row.run_status === null && row.owner && isGone(row.owner)) {
      await settleMessage(db, row.id, { status: 'queued' });
    }
  }
}

/**
 * The person's messages since the orchestrator last finished a turn whose turns ended (interrupted or
 * failed) before it said anything: the resumed session may hold nothing of them (a turn stopped before the
 * model answered can leave none of it behind). Oldest first; `beforePosition` is the message about to run.
 */
export async function unansweredMessages(
  db: Queryable,
  orchestratorId: string,
  beforePosition: string,
): Promise<ChatRow[]> {
  const { rows } = await db.query<ChatRow>(
    `select asked.* from orchestrator_chat asked
      where asked.orchestrator_id = $1 and asked.sender_type = 'user' and asked.position < $2
        and asked.status in ('interrupted', 'failed')
        and asked.position > coalesce((select max(position) from orchestrator_chat
                                        where orchestrator_id = $1 and sender_type = 'user' and status = 'done'
                                          and position < $2), 0)
        and not exists (select 1 from orchestrator_chat said
                         where said.orchestrator_id = $1 and said.sender_type = 'orchestrator'
                           and said.kind = 'text' and said.run_id = asked.run_id)
      order by asked.position`,
    [orchestratorId, beforePosition],
  );
  return rows;
}
