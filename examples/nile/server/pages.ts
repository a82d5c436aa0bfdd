import type { ServerExtension } from '../../../src/server/deps.ts';
import type { Router } from '../../../src/server/route.ts';
import { serveWebUi } from '../../../src/server/ui/serve-web-ui.ts';
import { defaultWebUiDir, loadWebUi, type WebUi } from '../../../src/server/ui/web-ui.ts';

/** Where Nile's pages are: the base of examples/nile/web/vite.config.ts. */
export const nilePagesBase = '/nile/';

const style =
  'font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5';

/** `/nile/` when the pages were not built (a checkout without `npm ci`). */
export const nileNotBuiltPage = `<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>Nile</title>
<body style="${style}">
<h1>Nile</h1>
<p>The shop's API is up, but its pages are not built: run <code>npm run build:nile</code> (or <code>npm ci</code>) and reload.</p>
<p><a href="/">Back to the control room</a></p>
</body></html>`;

/** Nile's built pages (dist/nile), or undefined when `npm run build:nile` has not run. */
export function loadNilePages(dir: string = defaultWebUiDir('nile')): Promise<WebUi | undefined> {
  return loadWebUi(dir);
}

/**
 * Nile's pages at `/nile/` and their assets under `/nile/assets/`, on baton's server and behind its
 * guard like the control room (`/nile/?token=…` becomes the cookie). The pages route with the URL's
 * hash (`/nile/#/cart`), so these are the only paths they need; `/nile` is sent on to `/nile/`.
 */
export function nilePageRoutes(router: Router, pages: WebUi | undefined): void {
  serveWebUi(router, pages, { base: nilePagesBase, title: "Nile's pages", notBuiltPage: nileNotBuiltPage });
  router.add({
    method: 'GET',
    url: '/nile',
    summary: "Nile's pages are at /nile/.",
    handler: async (_input, _request, reply) => reply.redirect(nilePagesBase, 308),
  });
}

/**
 * Nile's pages as a server extension (beside the shop's API extension): `/nile/` is a page a person
 * opens with `?token=`, and /api/health lists it, so the control room's header links to it.
 */
export function nilePagesExtension(pages: WebUi | undefined): ServerExtension {
  return {
    name: 'nile-pages',
    pages: [{ path: nilePagesBase, title: 'Nile' }],
    register: (_app, router) => nilePageRoutes(router, pages),
  };
}
