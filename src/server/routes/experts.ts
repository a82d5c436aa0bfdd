import {
  expertDiffQuery,
  expertParams,
  expertPlanBody,
  expertQuestionBody,
  improveExpertBody,
  initExpertBody,
} from '../../protocol/rest.ts';
import { improveData } from '../../tools/expert-summary.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/**
 * The agent experts of the server's own workspace (`.claude/commands/experts/<domain>/`): a request names
 * a domain, checked against a safe pattern, never a path.
 */
export function expertRoutes(router: Router, deps: ServerDeps): void {
  const experts = () => deps.services.experts();

  router.add({
    method: 'GET',
    url: '/api/experts',
    summary: 'The experts of the workspace: lines, latest version, commit checked at, staleness.',
    handler: async () => ({ experts: await experts().list(deps.cwd) }),
  });

  router.add({
    method: 'GET',
    url: '/api/experts/:domain',
    summary: "An expert's stored versions (with provenance, without their text) and rounds.",
    params: expertParams,
    handler: async ({ params }) => {
      const history = await experts().history(deps.cwd, params.domain);
      return {
        expert: history.expert,
        versions: history.versions.map(({ content: _content, diff: _diff, ...version }) => version),
        rounds: history.rounds,
      };
    },
  });

  router.add({
    method: 'GET',
    url: '/api/experts/:domain/diff',
    summary: "The latest version's diff, one version's (version), or between two (from, to).",
    params: expertParams,
    query: expertDiffQuery,
    handler: async ({ params, query }) => ({ diff: await experts().diff(deps.cwd, params.domain, query) }),
  });

  router.add({
    method: 'POST',
    url: '/api/experts/:domain/init',
    summary:
      'Scaffolds an expert (default prompts it lacks) and builds its first expertise with a checked round.',
    params: expertParams,
    body: initExpertBody,
    status: 201,
    handler: async ({ params, body }) =>
      improveData(await experts().init({ cwd: deps.cwd, domain: params.domain, ...body })),
  });

  router.add({
    method: 'POST',
    url: '/api/experts/:domain/improve',
    summary: 'Self-improve rounds, each checked by baton (YAML, line limit, claims); until stable if asked.',
    params: expertParams,
    body: improveExpertBody,
    handler: async ({ params, body }) =>
      improveData(await experts().improve({ cwd: deps.cwd, domain: params.domain, ...body })),
  });

  router.add({
    method: 'POST',
    url: '/api/experts/:domain/questions',
    summary: 'Asks the expert; read-only (its agent has no tool that writes). Waits for the answer.',
    params: expertParams,
    body: expertQuestionBody,
    handler: async ({ params, body }) => {
      const result = await experts().question({ cwd: deps.cwd, domain: params.domain, ...body });
      return { runId: result.run.id, status: result.run.status, answer: result.answer };
    },
  });

  router.add({
    method: 'POST',
    url: '/api/experts/:domain/plans',
    summary:
      'A spec for a task, written with the expertise at a path baton chooses and checked like an ADW plan.',
    params: expertParams,
    body: expertPlanBody,
    status: 201,
    handler: async ({ params, body }) => {
      const result = await experts().plan({ cwd: deps.cwd, domain: params.domain, ...body });
      return { runId: result.run.id, specPath: result.specPath, title: result.title ?? null };
    },
  });
}
