import pg from 'pg';
import type { LedgerEvent } from '../core/events.ts';
import { describeError } from '../core/errors.ts';
import { eventsChannel, latestSeq, readEventsAfter, type EventFilter } from './events.ts';
import type { Pool, Queryable } from './pool.ts';

/** A token-level fragment of an agent's output: delivered live to whoever listens, never stored. */
export interface StreamDelta {
  agentId?: string;
  runId?: string;
  adwId?: string;
  /** Which content block of the current message the fragment belongs to. */
  index: number;
  kind: 'text' | 'thinking' | 'tool_input';
  text: string;
}

export const streamChannel = 'baton_stream';
/** Requests to whichever process runs something: stop this step's agent (a cancelled ADW). */
export const controlChannel = 'baton_control';

export type ControlMessage = { type: 'stop_step'; adwId: string; index: number };
// NOTIFY payloads must stay under 8000 bytes: 1500 characters of up to 4 bytes each, plus the JSON around them.
const maxStreamText = 1_500;

export interface SubscribeOptions {
  /** Deliver events with seq greater than this. Omitted: only events recorded from now on. */
  fromSeq?: number;
  filter?: EventFilter;
}

export interface Subscription {
  /** The seq of the last event delivered. */
  readonly lastSeq: number;
  close(): void;
}

export interface EventBus {
  /**
   * Delivers matching events in seq order, each once, with no gaps: first those already stored after
   * `fromSeq`, then new ones as they are recorded. The handler is awaited before the next event.
   */
  subscribe(
    options: SubscribeOptions,
    handler: (event: LedgerEvent) => void | Promise<void>,
  ): Promise<Subscription>;
  /** Receives token-level stream deltas published by any process. */
  onStream(handler: (delta: StreamDelta) => void): () => void;
  /** Receives control messages published by any process (see publishControl). */
  onControl(handler: (message: ControlMessage) => void): () => void;
  /** Resolves once this process is listening (notifications sent before then are not seen). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface Subscriber {
  cursor: number;
  filter: EventFilter;
  handler: (event: LedgerEvent) => void | Promise<void>;
  closed: boolean;
}

export interface EventBusOptions {
  /** Safety net: read new events this often even without a notification (one may be missed on reconnect). */
  pollMs?: number;
  log?: (line: string) => void;
}

/**
 * One LISTEN connection per process. A notification only says "something new up to seq N"; each
 * subscriber then reads the rows after its own cursor from the table, so a subscriber that falls behind,
 * or a connection that drops and comes back, loses nothing.
 */
export function createEventBus(url: string, pool: Pool, options: EventBusOptions = {}): EventBus {
  const pollMs = options.pollMs ?? 1_000;
  const log = options.log ?? (() => {});
  const subscribers = new Set<Subscriber>();
  const streamHandlers = new Set<(delta: StreamDelta) => void>();
  const controlHandlers = new Set<(message: ControlMessage) => void>();
  let listener: pg.Client | undefined;
  let closed = false;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let reconnectDelay = 100;

  async function connect(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: url, application_name: 'baton-listener' });
    client.on('notification', (message) => {
      if (message.channel === eventsChannel) pump();
      else if (message.channel === streamChannel && message.payload) deliver(streamHandlers, message.payload);
      else if (message.channel === controlChannel && message.payload)
        deliver(controlHandlers, message.payload);
    });
    client.on('error', () => lost(client));
    client.on('end', () => lost(client));
    try {
      await client.connect();
      await client.query(`listen ${eventsChannel}`);
      await client.query(`listen ${streamChannel}`);
      await client.query(`listen ${controlChannel}`);
      listener = client;
      reconnectDelay = 100;
      pump(); // catch up on anything recorded while we were not listening
    } catch (error) {
      log(`event bus: cannot listen (${describeError(error)}); retrying`);
      client.end().catch(() => {});
      scheduleReconnect();
    }
  }

  function lost(client: pg.Client): void {
    if (listener !== client) return;
    listener = undefined;
    client.end().catch(() => {});
    if (!closed) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    setTimeout(() => void connect(), reconnectDelay).unref();
    reconnectDelay = Math.min(reconnectDelay * 2, 2_000);
  }

  function deliver<T>(handlers: Set<(message: T) => void>, payload: string): void {
    let message: T;
    try {
      message = JSON.parse(payload) as T;
    } catch {
      return;
    }
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (error) {
        log(`event bus: handler failed: ${describeError(error)}`);
      }
    }
  }

  /** Reads and delivers new events for every subscriber; concurrent calls coalesce into one more round. */
  function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        pumpAgain = false;
        for (const group of groupsOf(subscribers)) await catchUp(group);
      } while (pumpAgain && !closed);
    })().finally(() => {
      pumping = undefined;
    });
    return pumping;
  }

  /** Subscribers at the same place with the same filter share one read (the usual case for live clients). */
  function groupsOf(all: Set<Subscriber>): Subscriber[][] {
    const groups = new Map<string, Subscriber[]>();
    for (const subscriber of all) {
      const key = `${subscriber.cursor}|${JSON.stringify(subscriber.filter)}`;
      groups.set(key, [...(groups.get(key) ?? []), subscriber]);
    }
    return [...groups.values()];
  }

  async function catchUp(group: Subscriber[]): Promise<void> {
    const [first] = group;
    if (!first) return;
    while (!closed && group.some((subscriber) => !subscriber.closed)) {
      let batch: LedgerEvent[];
      try {
        batch = await readEventsAfter(pool, first.cursor, first.filter, 1000);
      } catch (error) {
        log(`event bus: read failed (${describeError(error)}); will retry`);
        return;
      }
      for (const event of batch) {
        for (const subscriber of group) {
          if (subscriber.closed) continue;
          try {
            await subscriber.handler(event);
          } catch (error) {
            log(`event bus: subscriber failed on event ${event.seq}: ${describeError(error)}`);
          }
          subscriber.cursor = event.seq;
        }
      }
      if (batch.length < 1000) return;
    }
  }

  const poller = setInterval(() => void pump(), pollMs);
  poller.unref();
  const ready = connect();

  return {
    async subscribe(subscribeOptions, handler) {
      await ready;
      const subscriber: Subscriber = {
        cursor: subscribeOptions.fromSeq ?? (await latestSeq(pool)),
        filter: subscribeOptions.filter ?? {},
        handler,
        closed: false,
      };
      subscribers.add(subscriber);
      void pump();
      return {
        get lastSeq() {
          return subscriber.cursor;
        },
        close() {
          subscriber.closed = true;
          subscribers.delete(subscriber);
        },
      };
    },
    onStream(handler) {
      streamHandlers.add(handler);
      return () => streamHandlers.delete(handler);
    },
    onControl(handler) {
      controlHandlers.add(handler);
      return () => controlHandlers.delete(handler);
    },
    ready: () => ready,
    async close() {
      closed = true;
      clearInterval(poller);
      for (const subscriber of subscribers) subscriber.closed = true;
      subscribers.clear();
      await pumping?.catch(() => {});
      await listener?.end().catch(() => {});
      listener = undefined;
    },
  };
}

/** Sends a stream delta to every process listening; long fragments are split to fit NOTIFY's limit. */
export async function publishStreamDelta(db: Queryable, delta: StreamDelta): Promise<void> {
  for (let start = 0; start < delta.text.length || start === 0; start += maxStreamText) {
    const part = { ...delta, text: delta.text.slice(start, start + maxStreamText) };
    await db.query('select pg_notify($1, $2)', [streamChannel, JSON.stringify(part)]);
    if (delta.text.length === 0) break;
  }
}

/** Publishes a control message; inside a transaction it is delivered when the transaction commits. */
export async function publishControl(db: Queryable, message: ControlMessage): Promise<void> {
  await db.query('select pg_notify($1, $2)', [controlChannel, JSON.stringify(message)]);
}
