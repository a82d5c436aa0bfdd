import { callTool } from '../../tools/call-tool.ts';
import { reportCost } from '../../tools/report-cost.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

export function costRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/cost',
    summary:
      "Spend in the server's workspace from the usage ledger: the orchestrator, each agent and each ADW, " +
      'with tokens, USD and context-window use (what report_cost reports).',
    handler: async () =>
      (await callTool(reportCost, {}, { services: deps.services, cwd: deps.cwd })).structured,
  });
}
