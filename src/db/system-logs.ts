import type { LogLevel } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText, storableValue } from './storable.ts';

/** Represents records in the system_logs table. */
export interface SystemLogRow {
  id: string;
  level: LogLevel;
  message: string;
  source: string | null;
  orchestrator_id: string | null;
  adw_id: string | null;
  adw_step: string | null;
  summary: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
}

export interface NewSystemLog {
  level: LogLevel;
  message: string;
  source: string;
  orchestratorId?: string;
  adwId?: string;
  metadata?: Record<string, unknown>;
}

export async function insertSystemLog(db: Queryable, log: NewSystemLog): Promise<void> {
  await db.query(
    `insert into system_logs (level, message, source, orchestrator_id, adw_id, metadata)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      log.level,
      storableText(log.message),
      log.source,
      log.orchestratorId ?? null,
      log.adwId ?? null,
      storableValue(log.metadata ?? {}),
    ],
  );
}

export interface SystemLogQuery {
  offset: number;
  limit: number;
  /** Case-insensitive substring of the message (matched literally: % and _ are not wildcards). */
  contains?: string;
  level?: LogLevel;
}

/** System logs, newest first. */
export async function readSystemLogs(db: Queryable, query: SystemLogQuery): Promise<SystemLogRow[]> {
  const pattern = query.contains && `%${query.contains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const result = await db.query<SystemLogRow>(
    `select * from system_logs
      where ($1::text is null or message ilike $1) and ($2::text is null or level = $2)
      order by created_at desc, id offset $3 limit $4`,
    [pattern ?? null, query.level ?? null, query.offset, query.limit],
  );
  return result.rows;
}
