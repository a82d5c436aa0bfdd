import type { ApiClient } from '../api/client.ts';
import type { useLiveStore } from '../stores/live.ts';
import { useChatStore } from '../stores/chat.ts';

export interface ChatSync {
  /** The orchestrator's state, the latest history page and the input's catalog: after every (re)connect. */
  load(): Promise<void>;
  /** The page before the oldest item shown (scrolling up); resolves when applied. */
  loadOlder(): Promise<void>;
  /** Sends a message; rejects with the server's error (shown in place by the input). */
  send(text: string): Promise<void>;
  interrupt(): Promise<boolean>;
}

/**
 * The chat's REST side. Everything it learns goes through the live store's `apply`, like the rest of the
 * live data; the items themselves also arrive on the socket (`chat.appended`), by id, so a page and a
 * frame carrying the same item are one item.
 */
export function createChatSync(
  api: ApiClient,
  live: ReturnType<typeof useLiveStore>,
  pageSize = 50,
): ChatSync {
  const chat = useChatStore();
  let olderInFlight: Promise<void> | undefined;

  async function loadCatalog(): Promise<void> {
    // Completions are a convenience: a list that does not load is an empty list, not an error.
    const orNone = async <T>(read: () => Promise<T[]>): Promise<T[]> => {
      try {
        return await read();
      } catch {
        return [];
      }
    };
    const [commands, workflows, templates] = await Promise.all([
      orNone(() => api.slashCommands()),
      orNone(() => api.workflows()),
      orNone(() => api.templates()),
    ]);
    live.apply({ type: 'local.chat.catalog', catalog: { commands, workflows, templates } });
  }

  return {
    async load() {
      const catalog = loadCatalog();
      try {
        const state = await api.orchestrator();
        live.apply({ type: 'local.chat.state', orchestrator: state.orchestrator, queued: state.queued });
        const items = await api.chatHistory(undefined, pageSize);
        live.apply({ type: 'local.chat.page', items, more: items.length === pageSize, older: false });
      } catch (error) {
        live.apply({
          type: 'local.chat.unavailable',
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      await catalog;
    },
    loadOlder() {
      const before = chat.oldestPosition;
      if (!chat.hasOlder || before === undefined) return Promise.resolve();
      olderInFlight ??= api
        .chatHistory(before, pageSize)
        .then(
          (items) =>
            live.apply({ type: 'local.chat.page', items, more: items.length === pageSize, older: true }),
          (error: unknown) =>
            live.apply({
              type: 'local.failed',
              what: 'loading older chat',
              message: error instanceof Error ? error.message : String(error),
            }),
        )
        .finally(() => (olderInFlight = undefined));
      return olderInFlight;
    },
    async send(text) {
      const sent = await api.sendChat(text);
      live.apply({ type: 'local.chat.sent', item: sent.message });
    },
    async interrupt() {
      return (await api.interruptChat()).interrupted;
    },
  };
}
