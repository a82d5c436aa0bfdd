import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/** Agent templates found in the workspace; empty until a discovery is plugged in (deps.agentTemplates). */
export function templateRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/templates',
    summary: "The workspace's agent templates (.claude/agents/*.md), with files that did not parse.",
    handler: async () =>
      deps.agentTemplates ? deps.agentTemplates(deps.cwd) : { templates: [], errors: [] },
  });
}
