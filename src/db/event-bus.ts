import pg from 'pg';
import type { LedgerEvent } from '../core/events.ts';
import { describeError } from '../core/errors.ts';
import {
  createEventFeed,
  type EventFeedOptions,
  type SubscribeOptions,
  type Subscription,
} from './event-feed.ts';
import { eventsChannel } from './events.ts';
import type { Queryable } from './pool.ts';

/** A token-level fragment of an agent's output: delivered live to whoever listens, never stored. */
export interface StreamDelta {
  orchestratorId?: string;
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

export type ControlMessage =
  | { type: 'stop_step'; adwId: string; index: number }
  /** Stop the run of an agent command (interrupt_agent, delete_agent). */
  | { type: 'stop_command'; commandId: string }
  /** A command was queued for an agent: the worker keeping its process warm takes it at once. */
  | { type: 'command_queued'; agentId: string }
  /** An agent was deleted: a warm process kept for it is closed. */
  | { type: 'agent_deleted'; agentId: string }
  /** Stop an orchestrator's running turn, wherever it runs. */
  | { type: 'interrupt_chat'; orchestratorId: string }
  /** A chat item was recorded or changed status (`origin`: the chat service that did it, which knows already). */
  | { type: 'chat_changed'; orchestratorId: string; itemId: string; origin: string };
// NOTIFY payloads must stay under 8000 bytes: 1500 characters of up to 4 bytes each, plus the JSON around them.
const maxStreamText = 1_500;

export type { SubscribeOptions, Subscription };

export interface EventBus {
  /**
   * Delivers matching events in seq order, each once, with no gaps: first those already stored after
   * `fromSeq`, then new ones as they are recorded. The handler is awaited before this subscriber's next
   * event; other subscribers do not wait for it. Events are shared between subscribers: do not modify them.
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

export interface EventBusOptions extends Omit<EventFeedOptions, 'retryMs'> {
  /** Safety net: read new events this often even without a notification (one may be missed on reconnect). */
  pollMs?: number;
}

/**
 * One LISTEN connection per process. A notification only says "something new"; the feed (see
 * createEventFeed) then reads the new rows once for every subscriber, and a subscriber that falls behind,
 * or a connection that drops and comes back, loses nothing.
 */
export function createEventBus(url: string, db: Queryable, options: EventBusOptions = {}): EventBus {
  const pollMs = options.pollMs ?? 1_000;
  const log = options.log ?? (() => {});
  const feed = createEventFeed(db, { ...options, retryMs: pollMs });
  const streamHandlers = new Set<(delta: StreamDelta) => void>();
  const controlHandlers = new Set<(message: ControlMessage) => void>();
  let listener: pg.Client | undefined;
  let closed = false;
  let reconnectDelay = 100;

  async function connect(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: url, application_name: 'baton-listener' });
    client.on('notification', (message) => {
      if (message.channel === eventsChannel) void feed.pump();
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
      void feed.pump(); // catch up on anything recorded while we were not listening
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

  const poller = setInterval(() => void feed.pump(), pollMs);
  poller.unref();
  const ready = connect();

  return {
    async subscribe(subscribeOptions, handler) {
      await ready;
      return feed.subscribe(subscribeOptions, handler);
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
      await feed.close();
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
