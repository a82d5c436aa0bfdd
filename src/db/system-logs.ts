import type { LogLevel } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';

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

/** System log lines, newest first; `contains` is a plain substring (no pattern), case-insensitive. */
export async function listSystemLogs(
  db: Queryable,
  options: { offset: number; limit: number; contains?: string; level?: LogLevel },
): Promise<SystemLogRow[]> {
  const result = await db.query<SystemLogRow>(
    `select * from system_logs
      where ($3::text is null or level = $3)
        and ($4::text is null or strpos(lower(message), lower($4)) > 0)
      order by created_at desc, id limit $1 offset $2`,
    [options.limit, options.offset, options.level ?? null, options.contains ?? null],
  );
  return result.rows;
}
