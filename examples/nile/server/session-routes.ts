import type { Pool } from '../../../src/db/pool.ts';
import type { Router } from '../../../src/server/route.ts';
import { sessionBody, type MeResponse } from '../protocol.ts';
import {
  clearedSessionCookieHeader,
  requireShopper,
  sessionCookieHeader,
  sessionToken,
} from './session-cookie.ts';
import { deleteSession, signIn, type ShopperRecord } from './shoppers-db.ts';

function publicShopper(shopper: ShopperRecord): MeResponse['shopper'] {
  return { id: shopper.id, name: shopper.name, createdAt: shopper.createdAt };
}

/** Signing in by name (found or created), out, and who is signed in: the cookie is the only identity. */
export function sessionRoutes(router: Router, pool: Pool): void {
  router.add({
    method: 'POST',
    url: '/api/nile/session',
    summary: 'Nile: sign in by name (the shopper is created if new); sets the nile_session cookie',
    body: sessionBody,
    async handler({ body }, _request, reply) {
      const { shopper, token } = await signIn(pool, body.name);
      reply.header('set-cookie', sessionCookieHeader(token));
      return { shopper: publicShopper(shopper) } satisfies MeResponse;
    },
  });
  router.add({
    method: 'DELETE',
    url: '/api/nile/session',
    summary: 'Nile: sign out (the session is deleted and the cookie cleared)',
    async handler(_input, request, reply) {
      const token = sessionToken(request.headers.cookie);
      if (token) await deleteSession(pool, token);
      reply.header('set-cookie', clearedSessionCookieHeader());
      return { signedOut: true as const };
    },
  });
  router.add({
    method: 'GET',
    url: '/api/nile/me',
    summary: 'Nile: the signed-in shopper (401 not_signed_in without a session)',
    async handler(_input, request) {
      return { shopper: publicShopper(await requireShopper(pool, request)) } satisfies MeResponse;
    },
  });
}
