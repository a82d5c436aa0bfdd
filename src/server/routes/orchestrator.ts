import { UserError } from '../../core/errors.ts';
import { queuedMessages } from '../../db/chat.ts';
import { chatHistoryQuery, sendMessageBody } from '../../protocol/rest.ts';
import type { ChatService } from '../../orchestrator/chat-service.ts';
import type { ServerDeps } from '../deps.ts';
import type { Router } from '../route.ts';

/** The workspace's orchestrator: its state, its chat history, sending it a message, interrupting its turn. */
export function orchestratorRoutes(router: Router, deps: ServerDeps): void {
  function chat(): ChatService {
    if (!deps.chat)
      throw new UserError('This server runs no orchestrator: start it with `baton up` or `baton serve`.');
    return deps.chat;
  }

  router.add({
    method: 'GET',
    url: '/api/orchestrator',
    summary: "The workspace's orchestrator (status, session, model) and the messages waiting for their turn.",
    handler: async () => {
      const orchestrator = await chat().orchestrator();
      return { orchestrator, queued: await queuedMessages(deps.services.db.pool, orchestrator.id) };
    },
  });

  router.add({
    method: 'GET',
    url: '/api/orchestrator/chat',
    summary: 'Chat history, oldest first: the limit items before the position `before` (or the latest).',
    query: chatHistoryQuery,
    handler: async ({ query }) => ({
      items: await chat().history({ beforePosition: query.before, limit: query.limit }),
    }),
  });

  router.add({
    method: 'POST',
    url: '/api/orchestrator/messages',
    summary:
      'Sends a message: queued for the next turn (shown as queued while a turn runs); `start adw: <workflow>: <prompt>` starts the ADW at once.',
    body: sendMessageBody,
    status: 202,
    handler: async ({ body }) => chat().send(body.message),
  });

  router.add({
    method: 'POST',
    url: '/api/orchestrator/interrupt',
    summary:
      "Stops the orchestrator's running turn, if this server runs it; `interrupted` says whether one ran.",
    handler: async () => ({ interrupted: await chat().interrupt() }),
  });
}
