import { z } from 'zod';
import { requestJson, type FetchLike } from './http.ts';
import {
  chatHistorySchema,
  orchestratorStateSchema,
  sentMessageSchema,
  slashCommandListSchema,
  templateListSchema,
  workflowListSchema,
} from './chat-schemas.ts';

/** The REST calls of the orchestrator chat and of what its input completes (commands, workflows, templates). */
export function chatApi(fetchImpl: FetchLike) {
  return {
    orchestrator() {
      return requestJson(fetchImpl, '/api/orchestrator', orchestratorStateSchema);
    },
    /** The `limit` chat items before `before` (a position), or the latest; oldest first. */
    async chatHistory(before: string | undefined, limit: number) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (before !== undefined) query.set('before', before);
      return (await requestJson(fetchImpl, `/api/orchestrator/chat?${query}`, chatHistorySchema)).items;
    },
    sendChat(message: string) {
      return requestJson(fetchImpl, '/api/orchestrator/messages', sentMessageSchema, {
        method: 'POST',
        body: { message },
      });
    },
    interruptChat() {
      return requestJson(fetchImpl, '/api/orchestrator/interrupt', z.object({ interrupted: z.boolean() }), {
        method: 'POST',
        body: {},
      });
    },
    async slashCommands() {
      return (await requestJson(fetchImpl, '/api/commands', slashCommandListSchema)).commands;
    },
    async workflows() {
      return (await requestJson(fetchImpl, '/api/workflows', workflowListSchema)).workflows;
    },
    async templates() {
      return (await requestJson(fetchImpl, '/api/templates', templateListSchema)).templates;
    },
  };
}
