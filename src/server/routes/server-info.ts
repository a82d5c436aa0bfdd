import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/** What the UI shows about the server itself: the workspace ADWs start in, and a banner when it has one. */
export function serverInfoRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/server-info',
    summary:
      "The server's workspace (where ADWs start) and the banner the UI shows, e.g. that `baton demo --ui` is scripted.",
    handler: async () => ({ workspace: deps.cwd, banner: deps.banner ?? null }),
  });
}
