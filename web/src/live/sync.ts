import type { ServerMessage, WireEvent } from '@protocol';
import type { ApiClient } from '../api/client.ts';
import { ApiError } from '../api/http.ts';
import { shownError } from '../lib/api-error.ts';
import { useEventsStore } from '../stores/events.ts';
import { followedTopic, useLiveStore } from '../stores/live.ts';
import { createChatSync, type ChatSync } from './chat-sync.ts';
import { createFrameBatcher, type BatchScheduler } from './frame-batcher.ts';
import { createSocketLink, type SocketLike, type SocketLink, type Timers } from './socket-link.ts';

export interface SyncOptions {
  api: ApiClient;
  /** ws://host/ws: the socket carries the cookie like every same-origin request. */
  socketUrl: string;
  createSocket?: (url: string) => SocketLike;
  timers?: Timers;
  backoff?: { baseMs: number; maxMs: number; random?: () => number };
  /** Events per REST page (the newest on load, older ones on scroll-up). @default 200 */
  pageSize?: number;
  /** How long to gather lifecycle events before fetching the listings they changed. @default 250 ms */
  refreshDelayMs?: number;
  /**
   * How long after the last RunEnded the experts are listed once more: an expert's init or improve
   * records its checked version just after its run ends, which the refetch with the others may precede.
   * @default 2000 ms
   */
  expertsSettleMs?: number;
  /** When frames are applied: a batch per animation frame in a browser, each at once without one. */
  batchScheduler?: BatchScheduler;
}

export interface Sync {
  /** Pages older events into the window (scrolling up); resolves when applied. */
  loadOlder(): Promise<void>;
  /** Starts the window again from the newest events (coming back down after paging back). */
  loadLatest(): Promise<void>;
  /** The orchestrator chat's REST side (history, send, interrupt). */
  chat: ChatSync;
  close(): void;
}

/** Events after which an agent's listing (status, queue, spend) is fetched again. */
const agentLifecycle = new Set([
  'AgentCreated',
  'CommandQueued',
  'CommandStarted',
  'CommandEnded',
  'RunStarted',
  'RunEnded',
]);
const costChanges = new Set(['RunEnded', 'CommandEnded', 'StepEnd']);
const adwChanges = new Set(['AdwCreated', 'AdwStarted', 'AdwEnded', 'AdwPaused', 'AdwResumed']);
/** An expert's init or improve ends as a run (and a commit may come with any run): list them again. */
const expertChanges = new Set(['RunEnded']);

/**
 * The live data layer's I/O around the stores: on every (re)connect fetch the state over REST, then
 * subscribe to `all` from the cursor (the newest page's last seq on the first load); on a `resync`
 * subscribe again from the cursor; after lifecycle events fetch what they changed. Everything it
 * learns goes through the live store's `apply`.
 */
export function startSync(options: SyncOptions): Sync {
  const live = useLiveStore();
  const events = useEventsStore();
  const { api } = options;
  const pageSize = options.pageSize ?? 200;
  const refreshDelayMs = options.refreshDelayMs ?? 250;
  const expertsSettleMs = options.expertsSettleMs ?? 2_000;
  const timers = options.timers ?? {
    setTimeout: (callback: () => void, ms: number) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle: unknown) => globalThis.clearTimeout(handle as number),
  };
  let generation = 0;
  const staleAgents = new Set<string>();
  let staleCost = false;
  let staleAdws = false;
  let staleExperts = false;
  let refreshTimer: unknown;
  let expertsTimer: unknown;
  let closed = false;
  const chat = createChatSync(api, live);
  const frames = createFrameBatcher((data) => {
    const message = live.receive(data);
    if (message) react(message);
  }, options.batchScheduler);

  const fail = (what: string, error: unknown) =>
    live.apply({
      type: 'local.failed',
      what,
      message: error instanceof Error ? error.message : String(error),
    });

  const link: SocketLink = createSocketLink({
    url: options.socketUrl,
    createSocket: options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
    timers: options.timers,
    backoff: options.backoff,
    onOpen: () => {
      frames.flush();
      live.apply({ type: 'local.connection', state: 'open' });
    },
    onClose: () => {
      frames.flush(); // what arrived before the drop is applied before the drop
      generation += 1;
      live.apply({ type: 'local.connection', state: 'closed' });
      void explainClose();
    },
    onFrame: (data) => frames.push(data),
  });
  live.apply({ type: 'local.connection', state: 'connecting' });

  function react(message: ServerMessage): void {
    if (message.type === 'connection.opened') {
      link.expectFramesEvery(message.heartbeatMs * 2 + 5_000);
      void load(generation);
    } else if (message.type === 'resync' && message.topic === followedTopic) {
      subscribe();
    } else if (message.type === 'event.appended') {
      noticeChanges(message.event);
    }
  }

  /** After (re)opening: the listings, the newest events the first time, then the subscription. */
  async function load(forGeneration: number): Promise<void> {
    try {
      // All at once: the first rows should not wait for the listings (bench:ui's time to first row).
      const [agents, adws, cost, page] = await Promise.all([
        api.agents(),
        api.adws(),
        api.cost(),
        live.cursor === undefined ? api.eventsBefore(undefined, pageSize) : undefined,
      ]);
      if (forGeneration !== generation || closed) return; // the socket dropped meanwhile: the next open loads
      live.apply({ type: 'local.snapshot', agents, adws });
      live.apply({ type: 'local.cost.loaded', cost });
      if (page) live.apply({ type: 'local.events.latest', page });
      subscribe();
      void chat.load();
      void loadExperts(); // apart: a workspace whose experts cannot be listed still loads the rest
    } catch (error) {
      if (forGeneration !== generation || closed) return;
      fail('loading the state', error);
      link.restart(); // try again with backoff
    }
  }

  /**
   * A browser does not say why an upgrade was refused; the REST API does. A 401 means this page's token
   * is no longer the server's (BATON_HOME/server-token was replaced): retrying will not help, opening the
   * URL again will.
   */
  async function explainClose(): Promise<void> {
    try {
      await api.health();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        live.apply({
          type: 'local.failed',
          what: 'connecting',
          message: "the server no longer accepts this page's access token: open the URL `baton up` printed",
        });
      }
    }
  }

  async function loadExperts(): Promise<void> {
    try {
      live.apply({ type: 'local.experts.loaded', experts: await api.experts() });
    } catch (error) {
      live.apply({ type: 'local.experts.failed', error: shownError(error, 'loading the experts') });
    }
  }

  function subscribe(): void {
    link.send({ type: 'subscribe', topic: followedTopic, fromSeq: live.cursor ?? 0 });
  }

  function noticeChanges(event: WireEvent): void {
    if (event.agentId && agentLifecycle.has(event.type)) staleAgents.add(event.agentId);
    if (costChanges.has(event.type)) staleCost = true;
    if (adwChanges.has(event.type)) staleAdws = true;
    if (expertChanges.has(event.type)) {
      staleExperts = true;
      timers.clearTimeout(expertsTimer);
      expertsTimer = timers.setTimeout(() => {
        expertsTimer = undefined;
        void loadExperts();
      }, expertsSettleMs);
    }
    if (staleAgents.size > 0 || staleCost || staleAdws || staleExperts) {
      refreshTimer ??= timers.setTimeout(() => void refresh(), refreshDelayMs);
    }
  }

  async function refresh(): Promise<void> {
    refreshTimer = undefined;
    const agentIds = [...staleAgents];
    staleAgents.clear();
    const cost = staleCost;
    const adws = staleAdws;
    const experts = staleExperts;
    staleCost = staleAdws = staleExperts = false;
    await Promise.all([
      ...agentIds.map(async (id) => {
        try {
          live.apply({ type: 'local.agent.loaded', agent: await api.agent(id) });
        } catch (error) {
          fail('loading an agent', error);
        }
      }),
      cost &&
        api.cost().then(
          (report) => live.apply({ type: 'local.cost.loaded', cost: report }),
          (error: unknown) => fail('loading the cost', error),
        ),
      adws &&
        api.adws().then(
          (list) => live.apply({ type: 'local.adws.loaded', adws: list }),
          (error: unknown) => fail('loading the ADWs', error),
        ),
      experts && loadExperts(),
    ]);
  }

  let olderInFlight: Promise<void> | undefined;
  return {
    chat,
    loadOlder() {
      const first = events.rows[0];
      if (!events.hasOlder || !first) return Promise.resolve();
      olderInFlight ??= api
        .eventsBefore(first.seq, pageSize)
        .then(
          (page) => live.apply({ type: 'local.events.older', page }),
          (error: unknown) => fail('loading older events', error),
        )
        .finally(() => (olderInFlight = undefined));
      return olderInFlight;
    },
    async loadLatest() {
      events.awaitLatest();
      try {
        live.apply({ type: 'local.events.latest', page: await api.eventsBefore(undefined, pageSize) });
      } catch (error) {
        events.abandonLatest();
        fail('loading the newest events', error);
      }
    },
    close() {
      closed = true;
      frames.cancel();
      timers.clearTimeout(refreshTimer);
      timers.clearTimeout(expertsTimer);
      link.close();
    },
  };
}
