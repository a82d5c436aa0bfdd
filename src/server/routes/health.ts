import { latestSeq } from '../../db/events.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

export function healthRoutes(router: Router, deps: ServerDeps, clients: () => number): void {
  router.add({
    method: 'GET',
    url: '/api/health',
    summary:
      'The server answers and its database too; the newest seq and how many WebSocket clients are open.',
    handler: async () => ({
      status: 'ok',
      latestSeq: await latestSeq(deps.services.db.pool),
      websocketClients: clients(),
    }),
  });
}
