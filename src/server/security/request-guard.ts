import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse, RequestError } from '../http-errors.ts';
import { hostAllowed, originAllowed, type HostPolicy } from './allowed-hosts.ts';
import { readCookie, tokenCookie, tokenCookieHeader } from './cookies.ts';
import { tokenMatches } from './access-token.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs first on every HTTP request and WebSocket upgrade, before any body is read:
 * 1. the Host header must name this server (DNS rebinding),
 * 2. a state-changing request or an upgrade that carries an Origin must come from this server's own
 *    pages (cross-site request forgery, cross-site WebSocket hijacking),
 * 3. the access token must be shown: `Authorization: Bearer`, the cookie, or `?token=` (which also sets
 *    the cookie, so the browser drops it from the address bar on the next page).
 */
export function requestGuard(options: {
  token: string;
  hosts: HostPolicy;
  howToPage?: string;
  /** The pages a person opens with `?token=` (`/`, `/nile/`): sent on to the same page without it. @default ['/'] */
  pages?: readonly string[];
}) {
  const pages = new Set(options.pages ?? ['/']);
  const guard = async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const refusal = refuse(request);
    if (refusal?.code === 'unauthorized' && options.howToPage && wantsPage(request)) {
      // A person's browser: say how to get the URL with the token, not a JSON error.
      await reply
        .code(401)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(options.howToPage);
      return;
    }
    if (refusal) {
      const { status, body } = errorResponse(refusal);
      await reply.code(status).header('cache-control', 'no-store').send(body);
      return;
    }
    const queryToken = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof queryToken === 'string') {
      reply.header('set-cookie', tokenCookieHeader(options.token));
      // The address the person opened: send them on without the token in it.
      const path = request.url.split('?')[0] ?? '';
      if (request.method === 'GET' && pages.has(path)) {
        await reply.redirect(path, 303);
      }
    }
  };
  return { guard, refuse };

  function refuse(request: FastifyRequest): RequestError | undefined {
    if (!hostAllowed(options.hosts, request.headers.host)) {
      return new RequestError(403, 'host_refused', 'This server does not answer for that Host name.');
    }
    const origin = request.headers.origin;
    const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
    if (origin !== undefined && (upgrade || !safeMethods.has(request.method))) {
      if (!originAllowed(options.hosts, origin)) {
        return new RequestError(403, 'origin_refused', `Requests from ${origin} are not accepted.`);
      }
    }
    if (!tokenMatches(options.token, presentedToken(request))) {
      return new RequestError(
        401,
        'unauthorized',
        'Missing or wrong access token: open the URL `baton up` printed (…/?token=…), or send ' +
          '`Authorization: Bearer <token>` (the token is in BATON_HOME/server-token).',
      );
    }
    return undefined;
  }
}

/** A browser navigating to a page (not the API, the socket or a script's fetch). */
function wantsPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return (
    request.method === 'GET' &&
    !path.startsWith('/api/') &&
    path !== '/ws' &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

function presentedToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  if (typeof query === 'string') return query;
  return readCookie(request.headers.cookie, tokenCookie);
}
