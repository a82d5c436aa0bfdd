import { z } from 'zod';
import type { Router } from '../route.ts';
import type { WebUi } from './web-ui.ts';

/**
 * A page's policy: scripts, styles and connections only from this server (the WebSocket included),
 * nothing framed, no plugins. Markdown is sanitised too; this is what holds if sanitising ever misses.
 */
export const contentSecurityPolicy = [
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

export interface ServedUi {
  /** Where the page is: `/` for the control room, `/nile/` for Nile's pages. Ends with `/`. */
  base: string;
  /** What it is, for the route summaries (`The web UI`, `Nile's pages`). */
  title: string;
  /** The page sent when there is no build (it says which command builds it). */
  notBuiltPage: string;
}

/**
 * A built single-page UI at `base` (its page revalidated every time, so a new build shows at once) and
 * its assets under `<base>assets/` (content-hashed names: cached for a year, immutable). Without a
 * build, a page that says how to build it. Only names found in the build answer: no request names a
 * file that is then opened.
 */
export function serveWebUi(router: Router, webUi: WebUi | undefined, ui: ServedUi): void {
  if (!ui.base.startsWith('/') || !ui.base.endsWith('/'))
    throw new Error(`a UI's base must start and end with "/" (got ${ui.base})`);
  router.add({
    method: 'GET',
    url: ui.base,
    summary: `${ui.title}.`,
    handler: async (_input, _request, reply) => {
      if (!webUi) return reply.type('text/html; charset=utf-8').send(ui.notBuiltPage);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', contentSecurityPolicy)
        .send(webUi.index);
    },
  });
  router.add({
    method: 'GET',
    url: `${ui.base}assets/:name`,
    summary: `${ui.title}: scripts and styles (content-hashed names).`,
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
