import type { Router } from '../route.ts';
import { notBuiltPage } from '../ui/pages.ts';
import { serveWebUi } from '../ui/serve-web-ui.ts';
import type { WebUi } from '../ui/web-ui.ts';

/** The control room at `/` and its assets under `/assets/` (see serveWebUi). */
export function rootRoutes(router: Router, webUi: WebUi | undefined): void {
  serveWebUi(router, webUi, { base: '/', title: 'The web UI', notBuiltPage });
}
