import type { EventDraft, EventScope, LedgerEvent } from '../core/events.ts';
import type { EventCategory } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { jsonWithoutNul } from './json-text.ts';
import { storableText, storableValue } from './storable.ts';

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
export const appendLockKey = 0x6576656e7473; // "events"

/**
 * Appends events in one statement (one round trip): it takes the append lock, inserts, and notifies
 * listeners when its transaction commits. Ids already present are skipped, so a retried batch is harmless.
 * Works on the pool (its own transaction) or inside a caller's transaction; for the few events a
 * transaction records with its changes. The event writer appends through COPY (see event-append.ts).
 */
export async function insertEvents(
  db: Queryable,
  drafts: readonly EventDraft[],
): Promise<number | undefined> {
  if (drafts.length === 0) return undefined;
  // All rows travel as one JSON document: one native JSON.stringify here and one parse in PostgreSQL beat
  // binding a dozen arrays whose elements pg must escape one by one. Joining the lock CTE makes every
  // row's nextval happen after the lock is held.
  const result = await db.query<{ last_seq: number | null }>(
    `with append_lock as materialized (select pg_advisory_xact_lock($2)),
     inserted as (
       insert into events (id, category, type, orchestrator_id, agent_id, run_id, session_id, adw_id, adw_step,
                           payload, summary, occurred_at)
       select id, category, type, orchestrator_id, agent_id, run_id, session_id, adw_id, adw_step,
              payload, summary, occurred_at
         from json_to_recordset($1::json) as row(id uuid, category text, type text, orchestrator_id uuid,
              agent_id uuid, run_id uuid, session_id text, adw_id uuid, adw_step text, payload jsonb, summary text,
              occurred_at timestamptz)
              cross join append_lock
       on conflict (id) do nothing
       returning seq
     ),
     last as (select max(seq) as last_seq from inserted)
     select last_seq, case when last_seq is not null then pg_notify($3, last_seq::text) end from last`,
    [rowsJson(drafts), appendLockKey, eventsChannel],
  );
  return result.rows[0]?.last_seq ?? undefined;
}

function rowsJson(drafts: readonly EventDraft[]): string {
  const rows = drafts.map((draft) => ({
    id: draft.id,
    category: draft.category,
    type: draft.type,
    orchestrator_id: draft.orchestratorId ?? null,
    agent_id: draft.agentId ?? null,
    run_id: draft.runId ?? null,
    session_id: draft.sessionId ?? null,
    adw_id: draft.adwId ?? null,
    adw_step: draft.adwStep ?? null,
    payload: storableValue(draft.payload ?? {}),
    summary: storableText(draft.summary),
    occurred_at: draft.occurredAt,
  }));
  return jsonWithoutNul(rows);
}

export interface EventFilter extends Pick<EventScope, 'agentId' | 'runId' | 'adwId' | 'orchestratorId'> {
  categories?: readonly EventCategory[];
}

// Most specific first: the first scope a filter sets is the one its reads walk.
const scopeColumns = {
  runId: 'run_id',
  agentId: 'agent_id',
  adwId: 'adw_id',
  orchestratorId: 'orchestrator_id',
} as const;
const scopeKeys = Object.keys(scopeColumns) as (keyof typeof scopeColumns)[];

// How reads stay on an index when the table has no statistics (a fresh or restored database, or an agent
// newer than the last ANALYZE), where the planner falls back to default guesses:
// - Only the conditions a filter sets appear. `agent_id = $n` can use the partial index `events_agent
//   (agent_id, seq)`; a generic `($n is null or agent_id = $n)` can use none of them.
// - LIMIT is a sub-select. Given the number, the planner believes its default estimate of a few hundred
//   matching rows, reads all of them (a bitmap scan) and sorts them: O(backlog). Not seeing it, it plans to
//   return the first rows fast: an ordered index scan (events_pkey or the scope's index) that stops there.
// - The first scope is the index condition; every other condition is a check on the rows it finds, written
//   `coalesce(check, false)`. That means the same in a WHERE, but an expression is estimated to pass half
//   the rows where a column test passes 1 in 200, so two tests no longer drive the estimate to one row, at
//   which point planning for the first rows stops favouring the ordered scan.

/** The filter as SQL conditions (see above), each value appended to `params`. */
function filterConditions(filter: EventFilter, params: unknown[]): string[] {
  const conditions: string[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown, indexed: boolean) => {
    params.push(value);
    const sql = condition(`$${params.length}`);
    conditions.push(indexed && conditions.length === 0 ? sql : `coalesce(${sql}, false)`);
  };
  for (const key of scopeKeys) {
    const value = filter[key];
    if (value !== undefined) add((p) => `${scopeColumns[key]} = ${p}`, value, true);
  }
  if (filter.categories) add((p) => `category = any(${p}::text[])`, filter.categories, false);
  return conditions;
}

/** Whether an event passes the filter: the same test as the SQL of filterConditions, in memory. */
export function matchesFilter(event: LedgerEvent, filter: EventFilter): boolean {
  for (const key of scopeKeys) {
    const value = filter[key];
    if (value !== undefined && event[key] !== value) return false;
  }
  return !filter.categories || filter.categories.includes(event.category);
}

function where(conditions: string[]): string {
  return conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
}

/** Events after `afterSeq` in seq order, at most `limit`, narrowed by the filter. */
export async function readEventsAfter(
  db: Queryable,
  afterSeq: number,
  filter: EventFilter = {},
  limit = 1000,
): Promise<LedgerEvent[]> {
  const params: unknown[] = [afterSeq, limit];
  const conditions = ['seq > $1', ...filterConditions(filter, params)];
  const result = await db.query<EventRow>(
    `select * from events ${where(conditions)} order by seq limit (select $2::int)`,
    params,
  );
  return result.rows.map(toLedgerEvent);
}

/**
 * The `limit` events just before `beforeSeq` (and after `afterSeq`) matching the filter, oldest first:
 * a page back from some point, read backwards on the same indexes as readEventsAfter.
 */
export async function readEventsBefore(
  db: Queryable,
  beforeSeq: number,
  filter: EventFilter = {},
  limit = 1000,
  afterSeq = 0,
): Promise<LedgerEvent[]> {
  const params: unknown[] = [beforeSeq, limit, afterSeq];
  const conditions = ['seq < $1', 'seq > $3', ...filterConditions(filter, params)];
  const result = await db.query<EventRow>(
    `select * from events ${where(conditions)} order by seq desc limit (select $2::int)`,
    params,
  );
  return result.rows.reverse().map(toLedgerEvent);
}

/** The seq just before the last `count` events matching the filter: where a tail starts. */
export async function seqBeforeLast(db: Queryable, filter: EventFilter, count: number): Promise<number> {
  const params: unknown[] = [count];
  const conditions = filterConditions(filter, params);
  const result = await db.query<{ seq: number | null }>(
    `select min(seq) - 1 as seq
       from (select seq from events ${where(conditions)} order by seq desc limit (select $1::int)) recent`,
    params,
  );
  return result.rows[0]?.seq ?? 0;
}

/** The seq of the latest event (matching the filter): where a live subscription starts. */
export async function latestSeq(db: Queryable, filter: EventFilter = {}): Promise<number> {
  const params: unknown[] = [];
  const conditions = filterConditions(filter, params);
  // max(seq) becomes a backward scan of one row on the matching index.
  const result = await db.query<{ seq: number | null }>(
    `select max(seq) as seq from events ${where(conditions)}`,
    params,
  );
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

/** Sets the summary of several events in one statement. */
export async function setEventSummaries(
  db: Queryable,
  rows: readonly { id: string; summary: string }[],
): Promise<void> {
  await db.query(
    `update events set summary = given.summary
       from unnest($1::uuid[], $2::text[]) as given(id, summary)
      where events.id = given.id`,
    [rows.map((row) => row.id), rows.map((row) => storableText(row.summary))],
  );
}
