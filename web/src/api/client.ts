import { z } from 'zod';
import { agentCommandListSchema, agentRunListSchema } from './agent-schemas.ts';
import { createAdwCalls } from './adw-calls.ts';
import { expertListSchema } from './expert-schemas.ts';
import { autocompleteAnswer, autocompleteStateSchema, type AutocompleteFeedbackBody } from '@protocol';
import { chatApi } from './chat-client.ts';
import { requestJson, type FetchLike } from './http.ts';
import {
  adwListSchema,
  agentDetailSchema,
  agentListSchema,
  costReportSchema,
  eventPageSchema,
  fileChangeListSchema,
  healthSchema,
} from './schemas.ts';

/** Agents per listing page (the server's maximum). */
const agentsPage = 500;

/** The REST calls the UI makes, each answer checked. A value, so tests pass their own fetch. */
export function createApiClient(fetchImpl: FetchLike = (input, init) => fetch(input, init)) {
  return {
    ...createAdwCalls(fetchImpl),
    /** The `limit` events just before `beforeSeq` (the newest ones when omitted), oldest first. */
    eventsBefore(beforeSeq: number | undefined, limit: number) {
      const query = new URLSearchParams({ limit: String(limit) });
      query.set('beforeSeq', String(beforeSeq ?? Number.MAX_SAFE_INTEGER));
      return requestJson(fetchImpl, `/api/events?${query}`, eventPageSchema);
    },
    /** Whether the server answers and takes this page's token (an ApiError with status 401 if not). */
    health() {
      return requestJson(fetchImpl, '/api/health', healthSchema);
    },
    /** Every live agent, a page of 500 at a time (a workspace may have thousands). */
    async agents() {
      const all: z.infer<typeof agentListSchema>['agents'] = [];
      for (let offset = 0; ; offset += agentsPage) {
        const page = (
          await requestJson(fetchImpl, `/api/agents?limit=${agentsPage}&offset=${offset}`, agentListSchema)
        ).agents;
        all.push(...page);
        if (page.length < agentsPage) return all;
      }
    },
    async agent(id: string) {
      return (await requestJson(fetchImpl, `/api/agents/${encodeURIComponent(id)}`, agentDetailSchema)).agent;
    },
    cost() {
      return requestJson(fetchImpl, '/api/cost', costReportSchema);
    },
    async adws() {
      return (await requestJson(fetchImpl, '/api/adws?limit=100', adwListSchema)).adws;
    },
    /** The workspace's agent experts with their staleness. */
    async experts() {
      return (await requestJson(fetchImpl, '/api/experts', expertListSchema)).experts;
    },
    /** An agent's runs, newest first, with the prompt each ran. */
    async agentRuns(agentId: string, limit = 50) {
      const path = `/api/agents/${encodeURIComponent(agentId)}/runs?limit=${limit}`;
      return (await requestJson(fetchImpl, path, agentRunListSchema)).runs;
    },
    /** An agent's command queue: the running command, then the waiting ones. */
    async agentCommands(agentId: string) {
      const path = `/api/agents/${encodeURIComponent(agentId)}/commands`;
      return (await requestJson(fetchImpl, path, agentCommandListSchema)).commands;
    },
    /** What one run changed (or, with `diffs` false, every run of the agent without the diffs). */
    async fileChanges(agentId: string, runId?: string, diffs = true) {
      const query = new URLSearchParams();
      if (runId) query.set('run', runId);
      if (!diffs) query.set('diffs', 'false');
      return (
        await requestJson(
          fetchImpl,
          `/api/agents/${encodeURIComponent(agentId)}/file-changes?${query}`,
          fileChangeListSchema,
        )
      ).fileChanges;
    },
    /** Suggestions for the chat input as typed; aborting `signal` cancels the request and its model call. */
    autocomplete(text: string, signal?: AbortSignal) {
      return requestJson(fetchImpl, '/api/autocomplete', autocompleteAnswer, {
        method: 'POST',
        body: { text },
        signal,
      });
    },
    /** What the person did with the suggestions: accepted one, or sent without one (rejected). */
    autocompleteFeedback(body: AutocompleteFeedbackBody) {
      return requestJson(fetchImpl, '/api/autocomplete/feedback', autocompleteStateSchema, {
        method: 'POST',
        body,
      });
    },
    /** A management tool through POST /api/tools/:name (create_agent, command_agent, …). */
    callTool(name: string, args: Record<string, unknown>) {
      return requestJson(fetchImpl, `/api/tools/${encodeURIComponent(name)}`, z.unknown(), {
        method: 'POST',
        body: args,
      });
    },
    ...chatApi(fetchImpl),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
