import { costReport } from '../../db/cost-report.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

export function costRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/cost',
    summary: 'Spend from the usage ledger: the total, each agent (with its context-window use) and each ADW.',
    handler: () => costReport(deps.services.db.pool),
  });
}
