import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { createBufferedWriter, type BufferedWriter, type BufferedWriterOptions } from './buffered-writer.ts';
import { jsonWithoutNul } from './json-text.ts';
import type { Pool, Queryable } from './pool.ts';
import { storableValue } from './storable.ts';

/** One SessionStore.append call, serialized once. */
interface TranscriptAppend {
  key: SessionKey;
  /** Names the append, so the entries without a uuid get stable keys across retries. */
  id: string;
  /** The entries as a JSON array. */
  json: string;
  count: number;
}

/** The SessionStore given to one agent run: its appends are buffered and retried until stored. */
export interface RunSessionStore extends SessionStore {
  /** Resolves once every entry appended so far is stored; rejects if any was refused or lost. */
  flush(): Promise<void>;
  /** Why some of this run's entries were not stored; set once. */
  readonly failure: AppError | undefined;
  /** Calls `listener` once when entries are lost or refused; returns an unsubscribe. */
  onFailure(listener: (error: AppError) => void): () => void;
}

/** Claude Code transcripts mirrored to PostgreSQL through one buffered writer (see createBufferedWriter). */
export interface SessionMirror extends Pick<BufferedWriter<TranscriptAppend>, 'flush' | 'close'> {
  /** A store for one run: the run ends only when `flush()` says its transcript is complete. */
  open(): RunSessionStore;
  readonly writer: Pick<BufferedWriter<TranscriptAppend>, 'pending' | 'bufferedBytes' | 'waitedMs'>;
}

/**
 * Claude Code session transcripts in PostgreSQL (the Agent SDK's SessionStore), so any worker can resume
 * a session another machine started. Entries are keyed by session id and subpath (subagent files), not by
 * project key: a retried step may run from a different working-directory path.
 *
 * The SDK retries a rejected append only briefly, then drops the entries (a `mirror_error` message), so
 * `append` never reaches the database itself: it hands the entries to a buffered writer that keeps their
 * order and retries them through an outage, and resolves once they are accepted (waiting while the buffer
 * is full). Every row is idempotent: an entry's uuid, or for an entry without one (titles, tags, mode
 * markers) a key made of the append's id and the entry's position, so a retried insert adds nothing twice.
 */
export function createSessionMirror(pool: Pool, options: BufferedWriterOptions = {}): SessionMirror {
  const writer = createBufferedWriter<TranscriptAppend>(
    {
      noun: 'transcript appends',
      encode: (append) => append, // serialized by append() below, where a failure reaches the SDK
      insert: (batch) => insertTranscriptAppends(pool, batch),
      sizeOf: (append) => append.json.length,
      describe: (append) => `${append.count} transcript entries of session ${append.key.sessionId}`,
    },
    options,
  );
  const reads = sessionReads(pool);
  return {
    open() {
      const stream = writer.open();
      return {
        ...reads,
        async append(key, entries) {
          if (entries.length === 0) return;
          // Redacted like everything in the ledger (a resumed session sees the marker where a secret was), but
          // not capped: a resumed session needs its entries whole.
          const json = jsonWithoutNul(storableValue(entries, { cap: false }));
          await stream.write({ key, id: newId(), json, count: entries.length });
        },
        flush: stream.flush,
        get failure() {
          return stream.failure;
        },
        onFailure: stream.onFailure,
      };
    },
    flush: writer.flush,
    close: writer.close,
    writer,
  };
}

async function insertTranscriptAppends(db: Queryable, appends: readonly TranscriptAppend[]): Promise<void> {
  const document = `[${appends
    .map(
      ({ key, id, json }) =>
        // The entries' JSON goes in as it is: no second serialization.
        `{"session_id":${JSON.stringify(key.sessionId)},"subpath":${JSON.stringify(key.subpath ?? '')},` +
        `"project_key":${JSON.stringify(key.projectKey)},"id":"${id}","entries":${json}}`,
    )
    .join(',')}]`;
  await db.query(
    `insert into session_entries (session_id, subpath, project_key, uuid, entry)
     select a->>'session_id', a->>'subpath', a->>'project_key',
            coalesce(e.entry->>'uuid', 'baton:' || (a->>'id') || ':' || e.n), e.entry
       from jsonb_array_elements($1::jsonb) with ordinality as appends(a, i)
            cross join lateral jsonb_array_elements(a->'entries') with ordinality as e(entry, n)
      order by appends.i, e.n
     on conflict (session_id, subpath, uuid) where uuid is not null do nothing`,
    [document],
  );
}

/** The store's reads, straight from the database (the SDK calls them before Claude Code starts). */
function sessionReads(db: Queryable): Omit<SessionStore, 'append'> {
  return {
    async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
      const result = await db.query<{ entry: SessionStoreEntry }>(
        'select entry from session_entries where session_id = $1 and subpath = $2 order by seq',
        [key.sessionId, key.subpath ?? ''],
      );
      return result.rows.length === 0 ? null : result.rows.map((row) => row.entry);
    },
    async listSubkeys(key: { projectKey: string; sessionId: string }): Promise<string[]> {
      const result = await db.query<{ subpath: string }>(
        `select distinct subpath from session_entries where session_id = $1 and subpath <> ''`,
        [key.sessionId],
      );
      return result.rows.map((row) => row.subpath);
    },
    async listSessions(projectKey: string): Promise<{ sessionId: string; mtime: number }[]> {
      const result = await db.query<{ session_id: string; mtime: number }>(
        `select session_id, (extract(epoch from max(created_at)) * 1000)::bigint as mtime
           from session_entries where project_key = $1 and subpath = '' group by session_id`,
        [projectKey],
      );
      return result.rows.map((row) => ({ sessionId: row.session_id, mtime: Number(row.mtime) }));
    },
  };
}

/** Whether any of the session's transcript reached the store (a resume needs it). */
export async function hasStoredSession(db: Queryable, sessionId: string): Promise<boolean> {
  const result = await db.query('select 1 from session_entries where session_id = $1 limit 1', [sessionId]);
  return (result.rowCount ?? 0) > 0;
}
