import type { EventDraft } from '../core/events.ts';
import { copyFrom } from './copy-from.ts';
import { appendLockKey, eventsChannel } from './events.ts';
import { jsonWithoutNul } from './json-text.ts';
import { withClient, type Pool, type PoolClient } from './pool.ts';
import { storableText, storableValue } from './storable.ts';

/** An event as the ledger will store it: redacted, capped and encoded once, as one row of COPY text. */
export interface StorableEvent {
  id: string;
  type: string;
  /** The row in COPY's text format (UTF-8, newline included): what the writer's buffer holds and counts. */
  row: Buffer;
}

const copyEvents =
  'copy events (id, category, type, orchestrator_id, agent_id, run_id, session_id, adw_id, adw_step, ' +
  'payload, summary, occurred_at) from stdin';
// currval is this session's last nextval: the seq of the batch's last row, drawn under the lock.
const notifyLastSeq = `select pg_notify('${eventsChannel}', currval('events_seq_seq')::text)`;
const lockAppends = `select pg_advisory_xact_lock(${appendLockKey})`;

/**
 * The event redacted and capped (storableValue), then encoded for COPY. This is where a stored event's
 * secrets are removed, so it runs once per event, when the writer accepts it.
 */
export function storableEvent(draft: EventDraft): StorableEvent {
  const fields = [
    copyText(draft.id),
    copyText(draft.category),
    copyText(draft.type),
    copyText(draft.orchestratorId),
    copyText(draft.agentId),
    copyText(draft.runId),
    copyText(draft.sessionId),
    copyText(draft.adwId),
    copyText(draft.adwStep),
    copyJson(jsonWithoutNul(storableValue(draft.payload ?? {}))),
    copyText(storableText(draft.summary)),
    draft.occurredAt.toISOString(),
  ];
  return { id: draft.id, type: draft.type, row: Buffer.from(`${fields.join('\t')}\n`) };
}

const specialInText = /[\\\t\n\r\0]/;
const specialsInText = /[\\\t\n\r\0]/g;
const escapes: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\ufffd',
};

/**
 * JSON text in COPY's text format. It holds no raw tab, newline or NUL (JSON.stringify escapes them), so
 * only its backslashes need doubling. (An escaped NUL has become U+FFFD before: jsonb refuses it.)
 */
function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** A text field in COPY's text format: \N is null; text columns refuse NUL, which becomes U+FFFD. */
function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return specialInText.test(value) ? value.replace(specialsInText, (char) => escapes[char]!) : value;
}

/**
 * Appends events in order with one COPY, in one transaction that holds the append lock from before the
 * first seq is drawn until commit (seq order is commit order, see events.ts) and notifies listeners of
 * the last seq as it commits. The whole transaction is one message to the server.
 *
 * COPY cannot skip rows already present, so a retried batch, of which some rows may be stored already
 * (the commit went through but its answer was lost), fails on the unique id; then it is appended again
 * without the stored ones. Nothing is written twice.
 */
export async function appendEvents(pool: Pool, events: readonly StorableEvent[]): Promise<void> {
  if (events.length === 0) return;
  await withClient(pool, async (client) => {
    try {
      await copyFrom(
        client,
        `begin; ${lockAppends}; ${copyEvents}; ${notifyLastSeq}; commit`,
        copyData(events),
      );
    } catch (error) {
      await client.query('rollback').catch(() => {});
      if (!isDuplicateId(error)) throw error;
      await appendMissing(client, events);
    }
  });
}

/** The events not stored yet, appended as above: the lock keeps anyone from storing them meanwhile. */
async function appendMissing(client: PoolClient, events: readonly StorableEvent[]): Promise<void> {
  try {
    await client.query(`begin; ${lockAppends}`);
    const stored = await client.query<{ id: string }>('select id from events where id = any($1::uuid[])', [
      events.map((event) => event.id),
    ]);
    const present = new Set(stored.rows.map((row) => row.id));
    const missing = events.filter((event) => !present.has(event.id.toLowerCase()));
    if (missing.length > 0) {
      await copyFrom(client, copyEvents, copyData(missing));
      await client.query(notifyLastSeq);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

function copyData(events: readonly StorableEvent[]): Buffer {
  return Buffer.concat(events.map((event) => event.row));
}

function isDuplicateId(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'events_id_key';
}
