import type { LedgerEvent } from '../core/events.ts';
import { toLedgerEvent, type EventRow } from './events.ts';
import type { Queryable } from './pool.ts';

/**
 * The last `limit` events of a run or an ADW, skipping the `offset` most recent, oldest first: what a status
 * tool shows of what an agent did lately. Walks the scope's (column, seq) index backwards.
 */
export async function tailEvents(
  db: Queryable,
  scope: { runId: string } | { adwId: string },
  limit: number,
  offset = 0,
): Promise<LedgerEvent[]> {
  const [column, value] = 'runId' in scope ? ['run_id', scope.runId] : ['adw_id', scope.adwId];
  const result = await db.query<EventRow>(
    `select * from (select * from events where ${column} = $1 order by seq desc
                     offset (select $3::int) limit (select $2::int)) recent
      order by seq`,
    [value, limit, offset],
  );
  return result.rows.map(toLedgerEvent);
}
