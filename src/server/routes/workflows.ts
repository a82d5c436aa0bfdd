import { loadWorkflows } from '../../services/adws/workflow-registry.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

export function workflowRoutes(router: Router, deps: ServerDeps): void {
  router.add({
    method: 'GET',
    url: '/api/workflows',
    summary:
      "The ADW workflows: built-in and the workspace's .baton/workflows/*.yaml, with files that did not load.",
    handler: async () => {
      const catalog = await loadWorkflows(deps.cwd);
      return {
        workflows: catalog.workflows.map((workflow) => ({
          name: workflow.name,
          description: workflow.description,
          source: workflow.source,
          steps: workflow.steps.map((step) => step.name),
        })),
        errors: catalog.errors,
      };
    },
  });
}
