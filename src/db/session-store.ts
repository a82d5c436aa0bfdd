import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type { Queryable } from './pool.ts';
import { storableValue } from './storable.ts';

/**
 * Claude Code session transcripts in PostgreSQL (the Agent SDK's SessionStore), so any worker can resume
 * a session another machine started. Entries are keyed by session id and subpath (subagent files), not by
 * project key: a retried step may run from a different working-directory path. Entries with a uuid are
 * idempotent, as the SDK asks. Secrets are redacted like everywhere in the ledger (a resumed session sees
 * the marker where one was); entries are not capped, since a resumed session needs them whole.
 */
export function createPostgresSessionStore(db: Queryable): SessionStore {
  return {
    async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
      if (entries.length === 0) return;
      await db.query(
        `insert into session_entries (session_id, subpath, project_key, uuid, entry)
         select $1, $2, $3, entry->>'uuid', entry from jsonb_array_elements($4::jsonb) with ordinality as e(entry, n)
         order by n
         on conflict (session_id, subpath, uuid) where uuid is not null do nothing`,
        [
          key.sessionId,
          key.subpath ?? '',
          key.projectKey,
          JSON.stringify(storableValue(entries, { cap: false })),
        ],
      );
    },
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
