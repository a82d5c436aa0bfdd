import { readSystemLogs } from '../../db/system-logs.ts';
import { logsQuery } from '../../protocol/rest.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

export function logRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/logs',
    summary: 'System log lines, newest first; contains is a plain case-insensitive substring.',
    query: logsQuery,
    handler: async ({ query }) => ({ logs: await readSystemLogs(deps.services.db.pool, query) }),
  });
}
