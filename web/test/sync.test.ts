import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientMessage } from '@protocol';
import { createAdwCalls } from '../src/api/adw-calls.ts';
import type { ApiClient } from '../src/api/client.ts';
import { ApiError } from '../src/api/http.ts';
import type { EventPage } from '../src/api/schemas.ts';
import { backoffDelay } from '../src/live/backoff.ts';
import type { SocketLike, Timers } from '../src/live/socket-link.ts';
import { startSync } from '../src/live/sync.ts';
import { useAgentsStore } from '../src/stores/agents.ts';
import { useEventsStore } from '../src/stores/events.ts';
import { useLiveStore } from '../src/stores/live.ts';
import { eventsOf, frameText, loadRecording } from './replay.ts';

const recording = loadRecording('agent-command');
const recorded = eventsOf(recording.frames);

/** A socket the test opens, feeds and drops by hand; it keeps what the page sent. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: ClientMessage[] = [];
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(message: unknown) {
    this.onmessage?.({ data: frameText(message) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

/** Timers the test runs by hand: nothing waits on the clock. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      next += 1;
      pending.set(next, { callback, ms });
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    delays: () => [...pending.values()].map((timer) => timer.ms),
    runAll() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, timer] of due) timer.callback();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function fakeApi(overrides: Partial<ApiClient> = {}) {
  const calls: string[] = [];
  const newest: EventPage = { events: recorded.slice(0, 6), nextSeq: recorded[5]!.seq, more: false };
  const api: ApiClient = {
    // The swimlanes' calls: sync never makes them.
    ...createAdwCalls(() => Promise.reject(new Error('sync makes no ADW detail calls'))),
    eventsBefore: async (beforeSeq) => {
      calls.push(`events<${beforeSeq ?? 'newest'}`);
      return newest;
    },
    agents: async () => {
      calls.push('agents');
      return recording.agents;
    },
    agent: async (id) => {
      calls.push(`agent ${id}`);
      return recording.agents.find((agent) => agent.id === id)!;
    },
    cost: async () => {
      calls.push('cost');
      return { total_usd: 0.5, context_window_tokens: 200_000, orchestrator: [], agents: [], adws: [] };
    },
    adws: async () => {
      calls.push('adws');
      return [];
    },
    experts: async () => {
      calls.push('experts');
      return [];
    },
    health: async () => ({ status: 'ok' as const, latestSeq: 0, websocketClients: 1 }),
    fileChanges: async () => [],
    agentRuns: async () => [],
    agentCommands: async () => [],
    callTool: async () => ({}),
    autocomplete: async () => ({ suggestions: [], model: null, cancelled: false }),
    autocompleteFeedback: async () => ({
      cwd: '/',
      model: null,
      generating: 0,
      learned: { accepted: 0, rejected: 0 },
    }),
    // The chat's own calls (live/chat-sync.ts, tested in chat-store.test.ts): a server without an orchestrator.
    orchestrator: async () => {
      throw new Error('This server runs no orchestrator');
    },
    chatHistory: async () => [],
    sendChat: async () => {
      throw new Error('This server runs no orchestrator');
    },
    interruptChat: async () => ({ interrupted: false }),
    slashCommands: async () => [],
    templates: async () => [],
    ...overrides,
  };
  return { api, calls };
}

describe('sync: load over REST, subscribe from the cursor, reconnect with backoff', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('loads the state and the newest page, subscribes from its last seq, and after a drop resubscribes from the cursor', async () => {
    const sockets: FakeSocket[] = [];
    const clock = manualTimers();
    const { api, calls } = fakeApi();
    const sync = startSync({
      api,
      socketUrl: 'ws://127.0.0.1/ws',
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      timers: clock.timers,
      backoff: { baseMs: 500, maxMs: 8000, random: () => 0.5 },
    });
    const live = useLiveStore();
    const events = useEventsStore();
    expect(live.connection).toBe('connecting');

    sockets[0]!.open();
    sockets[0]!.deliver({ type: 'connection.opened', latestSeq: recorded.at(-1)!.seq, heartbeatMs: 15000 });
    expect(live.connection).toBe('loading');
    await settle();
    expect(calls).toEqual(expect.arrayContaining(['agents', 'adws', 'cost', `events<newest`]));
    expect(sockets[0]!.sent).toEqual([{ type: 'subscribe', topic: 'all', fromSeq: recorded[5]!.seq }]);
    expect(useAgentsStore().list.map((agent) => agent.name)).toEqual(['alice']);

    // The backfill up to some point, then the socket drops.
    sockets[0]!.deliver({ type: 'subscription.started', topic: 'all', fromSeq: recorded[5]!.seq });
    for (const event of recorded.slice(6, 12))
      sockets[0]!.deliver({ type: 'event.appended', topic: 'all', event });
    sockets[0]!.drop();
    expect(live.connection).toBe('offline');
    expect(clock.delays()).toContain(backoffDelay(0, { baseMs: 500, maxMs: 8000, random: () => 0.5 }));

    clock.runAll(); // the retry
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    sockets[1]!.deliver({ type: 'connection.opened', latestSeq: recorded.at(-1)!.seq, heartbeatMs: 15000 });
    expect(live.connection).toBe('resyncing');
    await settle();
    // No page again: the window is kept and the subscription resumes where the page was.
    expect(calls.filter((call) => call.startsWith('events<'))).toHaveLength(1);
    expect(sockets[1]!.sent).toEqual([{ type: 'subscribe', topic: 'all', fromSeq: recorded[11]!.seq }]);
    sockets[1]!.deliver({ type: 'subscription.started', topic: 'all', fromSeq: recorded[11]!.seq });
    for (const event of recorded.slice(12))
      sockets[1]!.deliver({ type: 'event.appended', topic: 'all', event });
    expect(live.connection).toBe('live');
    expect(events.rows.map((row) => row.seq)).toEqual(recorded.map((event) => event.seq));

    // A resync from the server: subscribe again from the cursor.
    sockets[1]!.deliver({ type: 'resync', topic: 'all', fromSeq: recorded.at(-1)!.seq, reason: 'slow' });
    expect(sockets[1]!.sent.at(-1)).toEqual({
      type: 'subscribe',
      topic: 'all',
      fromSeq: recorded.at(-1)!.seq,
    });

    // Lifecycle events made the agent's listing, the cost and (a run ended) the experts be fetched again.
    const expertListings = () => calls.filter((call) => call === 'experts').length;
    const expertsBefore = expertListings();
    expect(expertsBefore).toBe(2); // once per connection
    expect(recorded.some((event) => event.type === 'RunEnded')).toBe(true);
    expect(clock.delays()).toContain(2_000); // once more after the last RunEnded, when the check is recorded
    clock.runAll();
    await settle();
    expect(calls).toContain(`agent ${recording.agents[0]!.id}`);
    expect(calls.filter((call) => call === 'cost').length).toBeGreaterThanOrEqual(2);
    expect(expertListings()).toBe(expertsBefore + 2);
    sync.close();
  });

  it('a load that fails is shown with what failed, and the socket is opened again', async () => {
    const sockets: FakeSocket[] = [];
    const clock = manualTimers();
    const { api } = fakeApi({
      agents: async () => {
        throw new ApiError(503, 'database_unavailable', 'The database is not reachable.');
      },
    });
    const sync = startSync({
      api,
      socketUrl: 'ws://127.0.0.1/ws',
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      timers: clock.timers,
    });
    sockets[0]!.open();
    sockets[0]!.deliver({ type: 'connection.opened', latestSeq: 0, heartbeatMs: 15000 });
    await settle();
    const live = useLiveStore();
    expect(live.lastError).toEqual({ what: 'loading the state', message: 'The database is not reachable.' });
    expect(live.connection).toBe('offline');
    expect(sockets[0]!.sent).toEqual([]);
    clock.runAll();
    expect(sockets).toHaveLength(2);
    sync.close();
  });

  it('a socket that closes because the token is no longer accepted says to open the URL again', async () => {
    const sockets: FakeSocket[] = [];
    const clock = manualTimers();
    const { api } = fakeApi({
      health: async () => {
        throw new ApiError(401, 'unauthorized', 'Missing or wrong access token');
      },
    });
    const sync = startSync({
      api,
      socketUrl: 'ws://127.0.0.1/ws',
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      timers: clock.timers,
    });
    sockets[0]!.drop();
    await settle();
    expect(useLiveStore().lastError?.message).toMatch(/open the URL `baton up` printed/);
    sync.close();
  });

  it('a connection that goes silent past twice the heartbeat is dropped and opened again', () => {
    const sockets: FakeSocket[] = [];
    const clock = manualTimers();
    const { api } = fakeApi();
    const sync = startSync({
      api,
      socketUrl: 'ws://127.0.0.1/ws',
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      timers: clock.timers,
    });
    sockets[0]!.open();
    sockets[0]!.deliver({ type: 'connection.opened', latestSeq: 0, heartbeatMs: 1000 });
    expect(clock.delays()).toContain(7000);
    clock.runAll(); // the watchdog fires: no frame came
    expect(useLiveStore().connection).toBe('offline');
    clock.runAll(); // the retry
    expect(sockets).toHaveLength(2);
    sync.close();
  });
});

describe('backoff', () => {
  it('grows from the base to the ceiling, jittered within the upper half', () => {
    const low = (attempt: number) => backoffDelay(attempt, { baseMs: 500, maxMs: 8000, random: () => 0 });
    const high = (attempt: number) => backoffDelay(attempt, { baseMs: 500, maxMs: 8000, random: () => 1 });
    expect([0, 1, 2, 3, 4, 10].map(high)).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect([0, 1, 2, 3, 4, 10].map(low)).toEqual([250, 500, 1000, 2000, 4000, 4000]);
  });
});
