import { latestSeq } from '../../db/events.ts';
import type { ExtensionPage, ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

export function healthRoutes(
  router: Router,
  deps: ServerDeps,
  clients: () => number,
  pages: readonly ExtensionPage[] = [],
): void {
  router.add({
    method: 'GET',
    url: '/api/health',
    summary:
      'The server answers and its database too; the newest seq, how many WebSocket clients are open, and the pages of the applications mounted on it (Nile).',
    handler: async () => ({
      status: 'ok',
      latestSeq: await latestSeq(deps.services.db.pool),
      websocketClients: clients(),
      pages: pages.map(({ path, title }) => ({ path, title })),
    }),
  });
}
