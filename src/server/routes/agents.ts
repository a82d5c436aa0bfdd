import { NotFoundError } from '../../core/errors.ts';
import { openCommands } from '../../db/agent-commands.ts';
import {
  getAgentListing,
  listAgentFileChanges,
  listAgentListings,
  listAgentRuns,
} from '../../db/agent-reads.ts';
import {
  agentListQuery,
  fileChangesQuery,
  idParams,
  pageQuery,
  scopedEventsQuery,
} from '../../protocol/rest.ts';
import { commandData } from '../../tools/agent-summary.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';
import { eventPage } from './events.ts';

/** Agents, read-only from the ledger: changing them goes through the management tools. */
export function agentRoutes(router: Router, deps: ServerDeps): void {
  const pool = deps.services.db.pool;

  async function existing(id: string) {
    const agent = await getAgentListing(pool, id);
    if (!agent) throw new NotFoundError(`No agent ${id}.`);
    return agent;
  }

  router.add({
    method: 'GET',
    url: '/api/agents',
    summary:
      'Live agents, most recently active first, with run count and spend; kind (command, adw_step, run, orchestrator) or adw narrows them.',
    query: agentListQuery,
    handler: async ({ query }) => ({ agents: await listAgentListings(pool, query) }),
  });

  router.add({
    method: 'GET',
    url: '/api/agents/:id',
    summary: 'One agent (archived ones too) with its latest run.',
    params: idParams,
    handler: async ({ params }) => {
      const agent = await existing(params.id);
      const [latestRun] = await listAgentRuns(pool, params.id, { limit: 1, offset: 0 });
      return { agent, latestRun: latestRun ?? null };
    },
  });

  router.add({
    method: 'GET',
    url: '/api/agents/:id/runs',
    summary: "An agent's runs, newest first, each with the prompt it ran and how many files it changed.",
    params: idParams,
    query: pageQuery,
    handler: async ({ params, query }) => {
      await existing(params.id);
      return { runs: await listAgentRuns(pool, params.id, query) };
    },
  });

  router.add({
    method: 'GET',
    url: '/api/agents/:id/commands',
    summary: "An agent's command queue: the command it is running, then those waiting, in order.",
    params: idParams,
    handler: async ({ params }) => {
      await existing(params.id);
      return { commands: (await openCommands(pool, params.id)).map(commandData) };
    },
  });

  router.add({
    method: 'GET',
    url: '/api/agents/:id/events',
    summary: "An agent's events after fromSeq, in seq order.",
    params: idParams,
    query: scopedEventsQuery,
    handler: async ({ params, query }) => {
      await existing(params.id);
      return eventPage(pool, { ...query, agent: params.id });
    },
  });

  router.add({
    method: 'GET',
    url: '/api/agents/:id/file-changes',
    summary:
      "What the agent's runs created, modified and deleted, with line counts and diffs (per run with run).",
    params: idParams,
    query: fileChangesQuery,
    handler: async ({ params, query }) => {
      await existing(params.id);
      return {
        fileChanges: await listAgentFileChanges(pool, params.id, {
          runId: query.run,
          diffs: query.diffs ?? true,
        }),
      };
    },
  });
}
