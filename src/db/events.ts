import type { EventDraft, EventScope, LedgerEvent } from '../core/events.ts';
import type { EventCategory } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';

/** Represents records in the events table. */
export interface EventRow {
  seq: number;
  id: string;
  category: EventCategory;
  type: string;
  orchestrator_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  session_id: string | null;
  adw_id: string | null;
  adw_step: string | null;
  payload: Record<string, unknown>;
  summary: string | null;
  occurred_at: Date;
  recorded_at: Date;
}

export const eventsChannel = 'baton_events';
// Writers hold this transaction-level lock while they insert, so seq order is commit order and a reader
// that has seen seq N will never later find a committed row below N.
const appendLockKey = 0x6576656e7473; // "events"

/**
 * Appends events in one statement; ids already present are skipped, so a retried batch is harmless.
 * Must run inside a transaction: it takes the append lock and notifies listeners at commit.
 */
export async function insertEvents(
  client: Queryable,
  drafts: readonly EventDraft[],
): Promise<number | undefined> {
  if (drafts.length === 0) return undefined;
  await client.query('select pg_advisory_xact_lock($1)', [appendLockKey]);
  const result = await client.query<{ last_seq: number | null }>(
    `with inserted as (
       insert into events (id, category, type, orchestrator_id, agent_id, run_id, session_id, adw_id, adw_step,
                           payload, summary, occurred_at)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[],
                            $8::uuid[], $9::text[], $10::jsonb[], $11::text[], $12::timestamptz[])
       on conflict (id) do nothing
       returning seq
     )
     select max(seq) as last_seq from inserted`,
    columnsOf(drafts),
  );
  const lastSeq = result.rows[0]?.last_seq ?? null;
  if (lastSeq !== null) await client.query('select pg_notify($1, $2)', [eventsChannel, String(lastSeq)]);
  return lastSeq ?? undefined;
}

function columnsOf(drafts: readonly EventDraft[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 12 }, () => new Array(drafts.length));
  drafts.forEach((draft, i) => {
    columns[0]![i] = draft.id;
    columns[1]![i] = draft.category;
    columns[2]![i] = draft.type;
    columns[3]![i] = draft.orchestratorId ?? null;
    columns[4]![i] = draft.agentId ?? null;
    columns[5]![i] = draft.runId ?? null;
    columns[6]![i] = draft.sessionId ?? null;
    columns[7]![i] = draft.adwId ?? null;
    columns[8]![i] = draft.adwStep ?? null;
    columns[9]![i] = toJsonb(draft.payload);
    columns[10]![i] = draft.summary === undefined ? null : stripNul(draft.summary);
    columns[11]![i] = draft.occurredAt;
  });
  return columns;
}

/** JSON text PostgreSQL accepts: jsonb rejects the NUL character that tool output sometimes carries. */
function toJsonb(value: unknown): string {
  return JSON.stringify(value ?? {}).replace(/\\u0000/g, '\\ufffd');
}

function stripNul(text: string): string {
  return text.replace(/\u0000/g, '\ufffd');
}

export interface EventFilter extends Pick<EventScope, 'agentId' | 'runId' | 'adwId' | 'orchestratorId'> {
  categories?: readonly EventCategory[];
}

/** Events after `afterSeq` in seq order, at most `limit`, narrowed by the filter. */
export async function readEventsAfter(
  db: Queryable,
  afterSeq: number,
  filter: EventFilter = {},
  limit = 1000,
): Promise<LedgerEvent[]> {
  const result = await db.query<EventRow>(
    `select * from events
      where seq > $1
        and ($2::uuid is null or agent_id = $2)
        and ($3::uuid is null or run_id = $3)
        and ($4::uuid is null or adw_id = $4)
        and ($5::uuid is null or orchestrator_id = $5)
        and ($6::text[] is null or category = any($6))
      order by seq
      limit $7`,
    [
      afterSeq,
      filter.agentId ?? null,
      filter.runId ?? null,
      filter.adwId ?? null,
      filter.orchestratorId ?? null,
      filter.categories ?? null,
      limit,
    ],
  );
  return result.rows.map(toLedgerEvent);
}

/** The seq just before the last `count` events matching the filter: where a tail starts. */
export async function seqBeforeLast(db: Queryable, filter: EventFilter, count: number): Promise<number> {
  const result = await db.query<{ seq: number | null }>(
    `select min(seq) - 1 as seq from (
       select seq from events
        where ($1::uuid is null or agent_id = $1) and ($2::uuid is null or run_id = $2)
          and ($3::uuid is null or adw_id = $3) and ($4::uuid is null or orchestrator_id = $4)
        order by seq desc limit $5) recent`,
    [
      filter.agentId ?? null,
      filter.runId ?? null,
      filter.adwId ?? null,
      filter.orchestratorId ?? null,
      count,
    ],
  );
  return result.rows[0]?.seq ?? 0;
}

export async function latestSeq(db: Queryable): Promise<number> {
  const result = await db.query<{ seq: number | null }>('select max(seq) as seq from events');
  return result.rows[0]?.seq ?? 0;
}

export function toLedgerEvent(row: EventRow): LedgerEvent {
  return {
    seq: row.seq,
    id: row.id,
    category: row.category,
    type: row.type,
    orchestratorId: row.orchestrator_id ?? undefined,
    agentId: row.agent_id ?? undefined,
    runId: row.run_id ?? undefined,
    sessionId: row.session_id ?? undefined,
    adwId: row.adw_id ?? undefined,
    adwStep: row.adw_step ?? undefined,
    payload: row.payload,
    summary: row.summary ?? undefined,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
  };
}
