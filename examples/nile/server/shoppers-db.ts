import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../../src/db/pool.ts';
import type { Shopper } from '../protocol.ts';

/** How long a sign-in lasts. */
export const sessionLifetimeMs = 30 * 24 * 3600 * 1000;

interface ShopperRow {
  id: string;
  name: string;
  created_at: Date;
  home_agent_id: string | null;
}

export interface ShopperRecord extends Shopper {
  homeAgentId: string | null;
}

function shopperFromRow(row: ShopperRow): ShopperRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    homeAgentId: row.home_agent_id,
  };
}

/** The session token's stored form: a leaked table does not sign anyone in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Finds the shopper of that name or creates them (with empty expertise), and opens a session. */
export async function signIn(
  db: Queryable,
  name: string,
): Promise<{ shopper: ShopperRecord; token: string; expiresAt: Date }> {
  const rows = await db.query<ShopperRow>(
    `with created as (
       insert into nile.shoppers (name) values ($1) on conflict (name) do nothing returning *
     ), expertise as (
       insert into nile.expertise (shopper_id) select id from created
     )
     select id, name, created_at, home_agent_id from created
     union all
     select id, name, created_at, home_agent_id from nile.shoppers where name = $1`,
    [name],
  );
  // A shopper of that name created by a concurrent sign-in after this statement's snapshot: read again.
  const row =
    rows.rows[0] ??
    (
      await db.query<ShopperRow>(
        'select id, name, created_at, home_agent_id from nile.shoppers where name = $1',
        [name],
      )
    ).rows[0]!;
  const shopper = shopperFromRow(row);
  // Expired sign-ins are of no use to anyone: each new one clears them.
  await db.query('delete from nile.sessions where expires_at <= now()');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + sessionLifetimeMs);
  await db.query('insert into nile.sessions (token_hash, shopper_id, expires_at) values ($1, $2, $3)', [
    hashToken(token),
    shopper.id,
    expiresAt,
  ]);
  return { shopper, token, expiresAt };
}

/** The shopper a session token belongs to, while it has not expired. */
export async function shopperForToken(db: Queryable, token: string): Promise<ShopperRecord | undefined> {
  const rows = await db.query<ShopperRow>(
    `select s.id, s.name, s.created_at, s.home_agent_id
     from nile.sessions x join nile.shoppers s on s.id = x.shopper_id
     where x.token_hash = $1 and x.expires_at > now()`,
    [hashToken(token)],
  );
  return rows.rows[0] && shopperFromRow(rows.rows[0]);
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('delete from nile.sessions where token_hash = $1', [hashToken(token)]);
}

export async function setHomeAgent(db: Queryable, shopperId: string, agentId: string): Promise<void> {
  await db.query('update nile.shoppers set home_agent_id = $2 where id = $1', [shopperId, agentId]);
}
