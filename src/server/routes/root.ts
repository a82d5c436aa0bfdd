import { z } from 'zod';
import type { Router } from '../route.ts';
import { notBuiltPage } from '../ui/pages.ts';
import type { WebUi } from '../ui/web-ui.ts';

/**
 * The page's policy: scripts, styles and connections only from this server (the WebSocket included),
 * nothing framed, no plugins. Markdown is sanitised too; this is what holds if sanitising ever misses.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const assetParams = z.strictObject({
  name: z.string().regex(/^[\w.-]{1,200}$/, 'must be the name of a file of the built UI'),
});

/**
 * The web UI at `/` (its page revalidated every time, so a new build shows at once) and its assets
 * under `/assets/` (content-hashed names: cached for a year, immutable). Without a build, a page that
 * says how to build it.
 */
export function rootRoutes(router: Router, webUi: WebUi | undefined): void {
  router.add({
    method: 'GET',
    url: '/',
    summary: 'The web UI.',
    handler: async (_input, _request, reply) => {
      if (!webUi) return reply.type('text/html; charset=utf-8').send(notBuiltPage);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', contentSecurityPolicy)
        .send(webUi.index);
    },
  });
  router.add({
    method: 'GET',
    url: '/assets/:name',
    summary: "The web UI's scripts and styles (content-hashed names).",
    params: assetParams,
    handler: async ({ params }, _request, reply) => {
      const asset = webUi?.assets.get(params.name);
      if (!asset) {
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `No asset ${params.name} in this build.` } });
      }
      return reply
        .type(asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(asset.body);
    },
  });
}
