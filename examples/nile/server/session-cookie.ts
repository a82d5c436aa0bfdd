import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../../../src/db/pool.ts';
import { RequestError } from '../../../src/server/http-errors.ts';
import { readCookie } from '../../../src/server/security/cookies.ts';
import { nileSessionCookie } from '../protocol.ts';
import { sessionLifetimeMs, shopperForToken, type ShopperRecord } from './shoppers-db.ts';

/** A session token as signIn makes them: 43 base64url characters. Anything else is not looked up. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

export function sessionCookieHeader(token: string): string {
  return `${nileSessionCookie}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessionLifetimeMs / 1000)}`;
}

export function clearedSessionCookieHeader(): string {
  return `${nileSessionCookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

export function sessionToken(cookieHeader: string | undefined): string | undefined {
  const token = readCookie(cookieHeader, nileSessionCookie);
  return token !== undefined && tokenShape.test(token) ? token : undefined;
}

/** The signed-in shopper, or undefined: the only way a request says who it is. */
export async function currentShopper(
  db: Queryable,
  request: Pick<FastifyRequest, 'headers'>,
): Promise<ShopperRecord | undefined> {
  const token = sessionToken(request.headers.cookie);
  return token === undefined ? undefined : shopperForToken(db, token);
}

export function notSignedIn(): RequestError {
  return new RequestError(
    401,
    'not_signed_in',
    `Sign in first: POST /api/nile/session {"name": "…"} sets the ${nileSessionCookie} cookie (missing, expired or unknown).`,
    `cookie.${nileSessionCookie}`,
  );
}

/** The signed-in shopper, or a 401 that names the cookie. */
export async function requireShopper(
  db: Queryable,
  request: Pick<FastifyRequest, 'headers'>,
): Promise<ShopperRecord> {
  const shopper = await currentShopper(db, request);
  if (!shopper) throw notSignedIn();
  return shopper;
}
