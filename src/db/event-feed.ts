import { setTimeout as sleep } from 'node:timers/promises';
import type { LedgerEvent } from '../core/events.ts';
import { describeError } from '../core/errors.ts';
import { latestSeq, matchesFilter, readEventsAfter, type EventFilter } from './events.ts';
import type { Queryable } from './pool.ts';

export interface SubscribeOptions {
  /** Deliver events with seq greater than this. Omitted: only events recorded from now on. */
  fromSeq?: number;
  filter?: EventFilter;
  /**
   * Called when this subscriber's queue overflowed (its handler is slower than events arrive): it has
   * left the live feed and now reads the table at its own pace, then rejoins. Nothing is lost or repeated;
   * this is only for a consumer that wants to say it is behind (a browser client, say).
   */
  onLag?: (lag: { lastSeq: number }) => void;
}

export interface Subscription {
  /** Every matching event up to this seq has been delivered (its handler returned). */
  readonly lastSeq: number;
  close(): void;
}

export interface EventFeedOptions {
  /** Rows per read, shared or catch-up. @default 1000 */
  batchSize?: number;
  /**
   * Events a subscriber may still have waiting when the next batch arrives; then it leaves the live feed
   * and catches up from the table alone. It holds at most this plus one batch. @default 5000
   */
  maxQueued?: number;
  /** Wait after a failed read before a catching-up subscriber tries again. @default 1000 */
  retryMs?: number;
  log?: (line: string) => void;
}

interface Subscriber {
  filter: EventFilter;
  handler: (event: LedgerEvent) => void | Promise<void>;
  onLag: SubscribeOptions['onLag'];
  /** Every matching event up to here has been handled. */
  delivered: number;
  /** While catching up: the head it reads towards. */
  target: number;
  /** While live: every event up to here has been looked at, and queued if it matched. */
  queuedThrough: number;
  queue: LedgerEvent[];
  next: number; // index of the next event to take from queue
  live: boolean;
  closed: boolean;
  /** Set while the subscriber's loop waits for live events. */
  wake: (() => void) | undefined;
}

/**
 * Delivers the event log to any number of subscribers, each at its own pace.
 *
 * One shared read follows the head of the log (`seq > head`, no filter) and hands each batch to every
 * live subscriber whose filter matches, so a notification costs one query however many subscribers and
 * filters there are. Each subscriber has its own queue and loop that awaits its handler; a slow one only
 * fills its own queue. When that overflows, or when it starts from an old seq, it reads the table itself
 * (filtered, in batches, up to the shared head) and joins the live feed once it has reached the head.
 * Gap-free because writers commit in seq order (see insertEvents): rows up to the head are all visible.
 */
export function createEventFeed(db: Queryable, options: EventFeedOptions = {}) {
  const batchSize = options.batchSize ?? 1_000;
  const maxQueued = options.maxQueued ?? 5_000;
  const retryMs = options.retryMs ?? 1_000;
  const log = options.log ?? (() => {});
  const subscribers = new Set<Subscriber>();
  const live = new Set<Subscriber>();
  // The shared read's position: every event up to here was handed to the live subscribers. Only read
  // while someone is live; refreshed from the table when a subscriber joins an empty feed.
  let head = 0;
  let reading: Promise<void> | undefined;
  let readAgain = false;
  let stopped = false;

  /** Reads what is new for the live subscribers; calls while a read runs coalesce into one more round. */
  function pump(): Promise<void> {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      do {
        readAgain = false;
        await readNew();
      } while (readAgain && !stopped);
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  async function readNew(): Promise<void> {
    while (!stopped && live.size > 0) {
      const from = head;
      let batch: LedgerEvent[];
      try {
        batch = await readEventsAfter(db, from, {}, batchSize);
      } catch (error) {
        log(`event bus: read failed (${describeError(error)}); will retry`);
        return;
      }
      // Everyone left meanwhile and a newcomer moved the head: this batch no longer starts there.
      if (head !== from) continue;
      const last = batch.at(-1);
      if (!last) return;
      head = last.seq;
      for (const subscriber of live) offer(subscriber, batch);
      if (batch.length < batchSize) return;
    }
  }

  function offer(subscriber: Subscriber, batch: LedgerEvent[]): void {
    // Judged on whether it kept up with the last batches, not on the size of this one.
    if (subscriber.queue.length - subscriber.next >= maxQueued) return fallBehind(subscriber);
    const before = subscriber.queue.length;
    for (const event of batch)
      if (event.seq > subscriber.queuedThrough && matchesFilter(event, subscriber.filter))
        subscriber.queue.push(event);
    subscriber.queuedThrough = Math.max(subscriber.queuedThrough, head); // it may have started ahead
    if (subscriber.queue.length > before) subscriber.wake?.();
    else if (subscriber.wake) subscriber.delivered = subscriber.queuedThrough; // idle, nothing matched
  }

  function join(subscriber: Subscriber): void {
    subscriber.live = true;
    subscriber.queuedThrough = subscriber.delivered;
    live.add(subscriber);
    // Nobody was live, so notifications since the head was refreshed went unread.
    if (live.size === 1) void pump();
  }

  function leaveLive(subscriber: Subscriber): void {
    live.delete(subscriber);
    subscriber.live = false;
    subscriber.queue = [];
    subscriber.next = 0;
    subscriber.wake?.();
  }

  function fallBehind(subscriber: Subscriber): void {
    leaveLive(subscriber);
    try {
      subscriber.onLag?.({ lastSeq: subscriber.delivered });
    } catch (error) {
      log(`event bus: onLag failed: ${describeError(error)}`);
    }
  }

  /** Where catching-up subscribers read up to: the live head, or the table's latest seq if nobody is live. */
  async function currentHead(): Promise<number> {
    if (live.size > 0) return head;
    const latest = await latestSeq(db);
    // Someone may have joined while we asked; then the head is theirs to move.
    if (live.size === 0) head = Math.max(head, latest);
    return head;
  }

  /** Runs the handler; returns a promise only if the handler did (a synchronous one is not awaited). */
  function handle(subscriber: Subscriber, event: LedgerEvent): void | Promise<void> {
    let result: void | Promise<void> = undefined;
    try {
      result = subscriber.handler(event);
    } catch (error) {
      handlerFailed(event, error);
    }
    if (!result) {
      subscriber.delivered = event.seq;
      return;
    }
    return result.then(
      () => void (subscriber.delivered = event.seq),
      (error: unknown) => {
        handlerFailed(event, error);
        subscriber.delivered = event.seq;
      },
    );
  }

  function handlerFailed(event: LedgerEvent, error: unknown): void {
    log(`event bus: subscriber failed on event ${event.seq}: ${describeError(error)}`);
  }

  // Subscribers at the same place with the same filter and target (browsers opening the same run) would send
  // the same query: while one is in flight, the others wait for its rows, and each moves its own cursor. The
  // target is part of the key: a read that began before a later head was seen may miss rows up to it.
  const reads = new Map<string, Promise<LedgerEvent[]>>();

  /** Matching events after `afterSeq` up to `throughSeq` (all committed), at most a batch. */
  function readTowards(afterSeq: number, throughSeq: number, filter: EventFilter): Promise<LedgerEvent[]> {
    const { runId, agentId, adwId, orchestratorId, categories } = filter;
    const key = JSON.stringify([afterSeq, throughSeq, runId, agentId, adwId, orchestratorId, categories]);
    let read = reads.get(key);
    if (!read) {
      // No upper bound in SQL: it would make the planner's estimate too small (see events.ts).
      read = readEventsAfter(db, afterSeq, filter, batchSize)
        .then((batch) => batch.filter((event) => event.seq <= throughSeq))
        .finally(() => reads.delete(key));
      reads.set(key, read);
    }
    return read;
  }

  /** One step of reading the table after the subscriber's position, towards a head it then joins at. */
  async function catchUp(subscriber: Subscriber): Promise<void> {
    if (subscriber.delivered >= subscriber.target) {
      // Reached the head it was reading towards: look again, and join if nothing is new.
      subscriber.target = await currentHead();
      if (subscriber.delivered >= subscriber.target) {
        // The head moves only while others are live; if it moved meanwhile, read the rest next round.
        if (subscriber.target === head && !subscriber.closed) join(subscriber);
        return;
      }
    }
    const through = subscriber.target;
    const batch = await readTowards(subscriber.delivered, through, subscriber.filter);
    for (const event of batch) {
      if (subscriber.closed) return;
      const handled = handle(subscriber, event);
      if (handled) await handled;
    }
    if (batch.length < batchSize) subscriber.delivered = through;
  }

  async function run(subscriber: Subscriber): Promise<void> {
    while (!subscriber.closed) {
      const event = subscriber.queue[subscriber.next];
      if (event) {
        subscriber.next += 1;
        const handled = handle(subscriber, event);
        if (handled) await handled;
      } else if (subscriber.live) {
        subscriber.queue = [];
        subscriber.next = 0;
        subscriber.delivered = subscriber.queuedThrough;
        await new Promise<void>((resolve) => (subscriber.wake = resolve));
        subscriber.wake = undefined;
      } else {
        try {
          await catchUp(subscriber);
        } catch (error) {
          log(`event bus: catch-up read failed (${describeError(error)}); will retry`);
          await sleep(retryMs, undefined, { ref: false });
        }
      }
    }
  }

  return {
    pump,

    /** Starts delivering; see EventBus.subscribe. */
    async subscribe(
      subscribeOptions: SubscribeOptions,
      handler: (event: LedgerEvent) => void | Promise<void>,
    ): Promise<Subscription> {
      const start = subscribeOptions.fromSeq ?? (await currentHead());
      const subscriber: Subscriber = {
        filter: subscribeOptions.filter ?? {},
        handler,
        onLag: subscribeOptions.onLag,
        delivered: start,
        target: start,
        queuedThrough: start,
        queue: [],
        next: 0,
        live: false,
        closed: stopped,
        wake: undefined,
      };
      subscribers.add(subscriber);
      // Starting from now at the head: live at once, without a read of its own.
      if (!stopped && subscribeOptions.fromSeq === undefined && start === head) join(subscriber);
      void run(subscriber);
      return {
        get lastSeq() {
          return subscriber.delivered;
        },
        close() {
          subscriber.closed = true;
          subscribers.delete(subscriber);
          leaveLive(subscriber);
        },
      };
    },

    async close(): Promise<void> {
      stopped = true;
      for (const subscriber of subscribers) {
        subscriber.closed = true;
        leaveLive(subscriber);
      }
      subscribers.clear();
      await reading?.catch(() => {});
    },
  };
}
