import type { Queryable } from '../../../src/db/pool.ts';
import { expertiseDataSchema, type ExpertiseResponse } from '../protocol.ts';
import { emptyExpertiseData, learn, type ShopperAction } from './expertise.ts';

interface ExpertiseRow {
  shopper_id: string;
  data: unknown;
  total_improvements: number;
  last_improvement_at: Date | null;
}

function expertiseFromRow(row: ExpertiseRow | undefined, shopperId: string): ExpertiseResponse {
  if (!row) {
    return { shopperId, totalImprovements: 0, lastImprovementAt: null, data: emptyExpertiseData() };
  }
  const data = expertiseDataSchema.safeParse(row.data);
  return {
    shopperId: row.shopper_id,
    totalImprovements: row.total_improvements,
    lastImprovementAt: row.last_improvement_at?.toISOString() ?? null,
    data: data.success ? data.data : emptyExpertiseData(),
  };
}

export async function readExpertise(db: Queryable, shopperId: string): Promise<ExpertiseResponse> {
  const rows = await db.query<ExpertiseRow>(
    'select shopper_id, data, total_improvements, last_improvement_at from nile.expertise where shopper_id = $1',
    [shopperId],
  );
  return expertiseFromRow(rows.rows[0], shopperId);
}

/**
 * LEARN: records one action in the shopper's expertise. Call it on the client of the action's own
 * transaction, so the expertise changes if and only if the action happened. The row is locked while it
 * is read and written, so concurrent actions of one shopper each count.
 */
export async function recordAction(
  db: Queryable,
  shopperId: string,
  action: ShopperAction,
  at = new Date(),
): Promise<ExpertiseResponse> {
  await db.query('insert into nile.expertise (shopper_id) values ($1) on conflict do nothing', [shopperId]);
  const current = await db.query<ExpertiseRow>(
    `select shopper_id, data, total_improvements, last_improvement_at from nile.expertise
     where shopper_id = $1 for update`,
    [shopperId],
  );
  const before = expertiseFromRow(current.rows[0], shopperId);
  const data = learn(before.data, action, at);
  const updated = await db.query<ExpertiseRow>(
    `update nile.expertise set data = $2::jsonb, total_improvements = total_improvements + 1,
       last_improvement_at = $3
     where shopper_id = $1
     returning shopper_id, data, total_improvements, last_improvement_at`,
    [shopperId, JSON.stringify(data), at],
  );
  return expertiseFromRow(updated.rows[0], shopperId);
}

export async function resetExpertise(db: Queryable, shopperId: string): Promise<ExpertiseResponse> {
  const rows = await db.query<ExpertiseRow>(
    `insert into nile.expertise (shopper_id) values ($1)
     on conflict (shopper_id) do update set data = excluded.data, total_improvements = 0,
       last_improvement_at = null
     returning shopper_id, data, total_improvements, last_improvement_at`,
    [shopperId],
  );
  return expertiseFromRow(rows.rows[0], shopperId);
}
