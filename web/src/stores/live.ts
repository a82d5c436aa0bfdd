import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { useAdwsStore } from './adws.ts';
import { useAgentsStore } from './agents.ts';
import { useAutocompleteStore } from './autocomplete.ts';
import { useChatStore } from './chat.ts';
import { useCostStore } from './cost.ts';
import { useEventsStore } from './events.ts';
import { useExpertsStore } from './experts.ts';
import type { ServerMessage } from '@protocol';
import { parseServerFrame, type StoreMessage } from './messages.ts';

/**
 * - connecting: the first connection is being opened
 * - loading: connected, fetching the state and the newest events
 * - resyncing: connected again (or told to resubscribe), catching up from the last seq
 * - live: caught up with the ledger as the server saw it
 * - offline: no connection; trying again
 */
export type ConnectionState = 'connecting' | 'loading' | 'resyncing' | 'live' | 'offline';

/** The topic the control room follows: every event of the ledger. */
export const followedTopic = 'all';

/**
 * The one write path: `apply(message)` takes every server message and every local message (REST
 * answers, the socket's state) and hands it to the stores it concerns. It keeps the subscription's
 * cursor, the highest seq received in order, which is where a reconnect resumes: no gap, and the
 * stores drop what they already hold by event id, so no duplicate either.
 */
export const useLiveStore = defineStore('live', () => {
  const connection = ref<ConnectionState>('connecting');
  /** Every event up to here has been received (undefined: nothing loaded yet). */
  const cursor = ref<number | undefined>();
  /** The ledger's newest seq when the socket opened: caught up once the cursor reaches it. */
  const serverLatestSeq = ref(0);
  const subscribed = ref(false);
  const applied = ref(0);
  /** Frames not applied, by why: a type this UI does not know, a known type in a wrong shape, not JSON. */
  const ignored = reactive({ unknownType: 0, badShape: 0, notJson: 0 });
  const lastError = ref<{ what: string; message: string } | undefined>();
  const lastServerError = ref<string | undefined>();

  const stores = () => [
    useEventsStore(),
    useAgentsStore(),
    useAdwsStore(),
    useCostStore(),
    useAutocompleteStore(),
    useChatStore(),
    useExpertsStore(),
  ];
  const ignoredCount = computed(() => ignored.unknownType + ignored.badShape + ignored.notJson);

  function settle(): void {
    if (!subscribed.value) return;
    if ((cursor.value ?? 0) >= serverLatestSeq.value) {
      connection.value = 'live';
    }
  }

  function apply(message: StoreMessage): void {
    applied.value += 1;
    switch (message.type) {
      case 'local.connection':
        if (message.state === 'closed') {
          connection.value = 'offline';
          subscribed.value = false;
        } else if (message.state === 'connecting' && cursor.value === undefined)
          connection.value = 'connecting';
        break;
      case 'connection.opened':
        serverLatestSeq.value = message.latestSeq;
        subscribed.value = false;
        // Once something was loaded, a new connection catches up from it rather than loading afresh.
        connection.value = cursor.value === undefined ? 'loading' : 'resyncing';
        break;
      case 'subscription.started':
        if (message.topic === followedTopic) {
          subscribed.value = true;
          settle();
        }
        break;
      case 'resync':
        if (message.topic === followedTopic) {
          subscribed.value = false;
          connection.value = 'resyncing';
        }
        break;
      case 'event.appended':
        if (message.topic === followedTopic) {
          cursor.value = Math.max(cursor.value ?? 0, message.event.seq);
          settle();
        }
        break;
      case 'heartbeat':
        serverLatestSeq.value = Math.max(serverLatestSeq.value, message.latestSeq);
        break;
      case 'error':
        lastServerError.value = `${message.code}: ${message.message}`;
        break;
      case 'local.events.latest': {
        const newest = message.page.events.at(-1)?.seq;
        if (cursor.value === undefined) cursor.value = newest ?? 0;
        break;
      }
      case 'local.failed':
        lastError.value = { what: message.what, message: message.message };
        break;
      case 'local.snapshot':
        lastError.value = undefined;
        break;
    }
    for (const store of stores()) store.apply(message);
  }

  /** A frame from the socket: applied when it parses; otherwise counted, never thrown. */
  function receive(data: string): ServerMessage | undefined {
    const parsed = parseServerFrame(data);
    if (parsed.ok) {
      apply(parsed.message);
      return parsed.message;
    }
    if (parsed.reason === 'unknown_type') ignored.unknownType += 1;
    else if (parsed.reason === 'bad_shape') ignored.badShape += 1;
    else ignored.notJson += 1;
    return undefined;
  }

  return {
    connection,
    cursor,
    serverLatestSeq,
    subscribed,
    applied,
    ignored,
    ignoredCount,
    lastError,
    lastServerError,
    apply,
    receive,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLiveStore, import.meta.hot));
