import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/** Slash commands found in the workspace; empty until a discovery is plugged in (deps.slashCommands). */
export function commandRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/commands',
    summary: "The workspace's slash commands (.claude/commands/**/*.md), with files that did not parse.",
    handler: async () => (deps.slashCommands ? deps.slashCommands(deps.cwd) : { commands: [], errors: [] }),
  });
}
