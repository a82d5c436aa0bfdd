import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, describeError } from '../core/errors.ts';
import { isTransientDatabaseError } from './transient.ts';

/** A batch sent less than this long ago means items are coming steadily (see `busyFlushMs`). */
const busyWindowMs = 100;

export interface BufferedWriterOptions {
  /** Items per insert. @default 500 */
  maxBatch?: number;
  /** How long the first item of a batch may wait for company, in ms. @default 5 */
  flushMs?: number;
  /**
   * How long it may wait instead while items keep coming: when the previous batch went out less than
   * 100 ms before. A run's events come in bursts (a tool call is four of them, a hook's reply more),
   * and each insert is a transaction; waiting a little longer then roughly halves the inserts, while
   * an item written alone still goes out after `flushMs`, and `flush()` sends at once. @default 5 × flushMs
   */
  busyFlushMs?: number;
  /**
   * Memory budget: the size of the items held, queued or being inserted, as `sizeOf` counts their encoding.
   * Past it, `write` waits until inserts make room. One item larger than the budget is let in alone.
   * @default 64 MiB
   */
  bufferBytes?: number;
  /** How long the database may stay unreachable before the items waiting for it are given up. @default 120000 */
  maxOutageMs?: number;
  /** Receives one line per refused item and per outage given up. @default a line on stderr */
  log?: (line: string) => void;
}

/**
 * What a buffered writer stores and how. Items are encoded once, as they are written (`T` is what
 * producers write, `S` what the writer holds and inserts), so their size is measured on what is stored.
 */
export interface ItemKind<T, S = T> {
  /** Plural noun for messages: "events". */
  noun: string;
  /** The item as it will be stored; a throw refuses the item (its stream fails). */
  encode(item: T): S;
  /** Stores a batch in order. Must be idempotent: a batch retried after a lost connection may be stored already. */
  insert(batch: readonly S[]): Promise<unknown>;
  /** The encoded item's approximate size in memory. */
  sizeOf(encoded: S): number;
  /** The encoded item in a message: "a PreToolUse event". */
  describe(encoded: S): string;
}

/** One producer's items (one agent run's events): their failure is theirs, not the writer's. */
export interface WriteStream<T> {
  /** Resolves once the item is accepted into the buffer (at once, unless the buffer is full); rejects once the stream has failed. */
  write(item: T): Promise<void>;
  /** Resolves once every item written so far is stored; rejects with the stream's failure. */
  flush(): Promise<void>;
  /** Why items of this stream were not stored (refused by the database, or lost in an outage); set once. */
  readonly failure: AppError | undefined;
  /** Calls `listener` once when the stream fails (at once if it has); returns an unsubscribe. */
  onFailure(listener: (error: AppError) => void): () => void;
  /** Time this stream's writes spent waiting for room in the buffer, in ms. */
  readonly waitedMs: number;
}

export interface BufferedWriter<T> {
  /** A stream for one producer. */
  open(): WriteStream<T>;
  /** Writes outside any stream: a loss is reported to `flush` callers and the log only. */
  write(item: T): Promise<void>;
  /** Resolves once every item written so far (by anyone) is stored; rejects if one of them is refused or lost meanwhile. */
  flush(): Promise<void>;
  /** Flushes, then refuses further writes. */
  close(): Promise<void>;
  /** Items written but not yet stored (including writes waiting for room). */
  readonly pending: number;
  /** The approximate size of the items held now (see `bufferBytes`). */
  readonly bufferedBytes: number;
  /** Total time writes spent waiting for room in the buffer, in ms. */
  readonly waitedMs: number;
}

interface Stream {
  failure?: AppError;
  lastSeq: number;
  waitedMs: number;
  listeners: Set<(error: AppError) => void>;
}

interface Entry<S> {
  item: S;
  stream?: Stream;
  bytes: number;
  /** Order of writing; entries are settled (stored, refused or lost) in this order. */
  seq: number;
}

/**
 * Batches items into multi-row inserts (one per few milliseconds or `maxBatch` items), one batch in
 * flight at a time so order is kept. A batch the database refuses is retried item by item; a refused
 * item fails its stream. While the database is unreachable the writer keeps its items and retries with
 * backoff; after `maxOutageMs` it gives them up, fails their streams, and goes on with new items: it
 * recovers when the database returns. Memory is bounded by `bufferBytes`: past it producers wait.
 */
export function createBufferedWriter<T, S = T>(
  kind: ItemKind<T, S>,
  options: BufferedWriterOptions = {},
): BufferedWriter<T> {
  const maxBatch = options.maxBatch ?? 500;
  const flushMs = options.flushMs ?? 5;
  const busyFlushMs = options.busyFlushMs ?? 5 * flushMs;
  const bufferBytes = options.bufferBytes ?? 64 * 1024 * 1024;
  const maxOutageMs = options.maxOutageMs ?? 120_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`baton: ${line}\n`));

  const queue: Entry<S>[] = []; // accepted, in order; a batch leaves it once settled
  const waiting: {
    entry: Entry<S>;
    since: number;
    resolve: () => void;
    reject: (error: AppError) => void;
  }[] = [];
  const flushes: {
    target: number;
    stream?: Stream;
    resolve: () => void;
    reject: (error: AppError) => void;
  }[] = [];
  let held = 0; // bytes of the queue
  let lastSeq = 0;
  let settledThrough = 0;
  let waitedMs = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let closed = false;
  let outageStartedAt: number | undefined;
  let backoff = 50;
  let lastSentAt = -Infinity; // when the latest batch was handed to `insert`

  function write(item: T, stream?: Stream): Promise<void> {
    if (closed) return Promise.reject(new AppError('internal', `The ${kind.noun} writer is closed`));
    if (stream?.failure) return Promise.reject(stream.failure);
    let encoded: S;
    try {
      encoded = kind.encode(item);
    } catch (cause) {
      return refuseUnencodable(cause, stream);
    }
    const entry: Entry<S> = { item: encoded, stream, bytes: kind.sizeOf(encoded), seq: ++lastSeq };
    if (stream) stream.lastSeq = entry.seq;
    if (waiting.length === 0 && fits(entry)) {
      admit(entry);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => waiting.push({ entry, since: Date.now(), resolve, reject }));
  }

  function refuseUnencodable(cause: unknown, stream: Stream | undefined): Promise<never> {
    const error = new AppError('internal', `Cannot store one of the ${kind.noun}: ${describeError(cause)}`, {
      cause,
    });
    log(error.message);
    if (stream) failStream(stream, error);
    return Promise.reject(error);
  }

  function fits(entry: Entry<S>): boolean {
    return queue.length === 0 || held + entry.bytes <= bufferBytes;
  }

  function admit(entry: Entry<S>): void {
    queue.push(entry);
    held += entry.bytes;
    schedule();
  }

  function admitWaiting(): void {
    while (waiting.length > 0 && fits(waiting[0]!.entry)) {
      const { entry, since, resolve } = waiting.shift()!;
      countWait(entry, since);
      admit(entry);
      resolve();
    }
  }

  function countWait(entry: Entry<S>, since: number): void {
    const waited = Date.now() - since;
    waitedMs += waited;
    if (entry.stream) entry.stream.waitedMs += waited;
  }

  function schedule(): void {
    if (running || timer || queue.length === 0) return;
    const busy = performance.now() - lastSentAt < busyWindowMs;
    timer = setTimeout(drain, queue.length >= maxBatch ? 0 : busy ? busyFlushMs : flushMs);
  }

  async function drain(): Promise<void> {
    timer = undefined;
    running = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      lastSentAt = performance.now();
      try {
        await kind.insert(batch.map((entry) => entry.item));
        outageStartedAt = undefined;
        backoff = 50;
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          await waitOut(error); // gives the queue up if the outage lasted too long
          continue;
        }
        if (!(await insertOneByOne(batch))) continue;
      }
      settle(batch.length);
    }
    running = false;
    schedule();
  }

  // A batch the database refused as a whole: store what it accepts, fail the streams of the rest.
  // Returns false if an outage meanwhile lasted so long that the queue was given up.
  async function insertOneByOne(batch: Entry<S>[]): Promise<boolean> {
    for (const entry of batch) {
      for (;;) {
        try {
          await kind.insert([entry.item]);
          break;
        } catch (error) {
          if (!isTransientDatabaseError(error)) {
            refuse(entry, error);
            break;
          }
          if (await waitOut(error)) return false;
        }
      }
    }
    return true;
  }

  function settle(count: number): void {
    const done = queue.splice(0, count);
    for (const entry of done) held -= entry.bytes;
    settledThrough = done.at(-1)!.seq;
    admitWaiting();
    for (let i = flushes.length - 1; i >= 0; i--) {
      if (flushes[i]!.target <= settledThrough) flushes.splice(i, 1)[0]!.resolve();
    }
  }

  function refuse(entry: Entry<S>, cause: unknown): void {
    const error = new AppError(
      'internal',
      `The database refused ${kind.describe(entry.item)}: ${describeError(cause)}`,
      { cause },
    );
    log(error.message);
    if (entry.stream) failStream(entry.stream, error);
    rejectFlushes((flush) => !flush.stream && flush.target >= entry.seq, error);
  }

  /** Backs off before the next attempt; past maxOutageMs, gives up everything held and returns true. */
  async function waitOut(cause: unknown): Promise<boolean> {
    outageStartedAt ??= Date.now();
    if (Date.now() - outageStartedAt < maxOutageMs) {
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 1_000);
      return false;
    }
    outageStartedAt = undefined; // what is written from now on gets a whole window again
    const lost = queue.length + waiting.length;
    const error = new AppError(
      'database_unavailable',
      `The database was unreachable for ${Math.round(maxOutageMs / 100) / 10} s (${describeError(cause)}); ` +
        `${lost} ${kind.noun} could not be written. Check that PostgreSQL is running.`,
      { cause, retryable: true },
    );
    log(error.message);
    const streams = new Set<Stream>();
    for (const entry of queue) if (entry.stream) streams.add(entry.stream);
    queue.length = 0;
    held = 0;
    for (const { entry, since, reject } of waiting.splice(0)) {
      countWait(entry, since);
      if (entry.stream) streams.add(entry.stream);
      reject(error);
    }
    settledThrough = lastSeq;
    for (const stream of streams) failStream(stream, error);
    rejectFlushes((flush) => !flush.stream, error);
    return true;
  }

  function failStream(stream: Stream, error: AppError): void {
    if (stream.failure) return;
    stream.failure = error;
    rejectFlushes((flush) => flush.stream === stream, error);
    for (const listener of stream.listeners) {
      // A listener runs inside the insert loop: its mistake must not stop the writer.
      try {
        listener(error);
      } catch (thrown) {
        log(`a failure listener of the ${kind.noun} writer threw: ${describeError(thrown)}`);
      }
    }
    stream.listeners.clear();
  }

  function rejectFlushes(matches: (flush: (typeof flushes)[number]) => boolean, error: AppError): void {
    for (let i = flushes.length - 1; i >= 0; i--) {
      if (matches(flushes[i]!)) flushes.splice(i, 1)[0]!.reject(error);
    }
  }

  function flush(stream?: Stream): Promise<void> {
    if (stream?.failure) return Promise.reject(stream.failure);
    const target = stream ? stream.lastSeq : lastSeq;
    if (settledThrough >= target) return Promise.resolve();
    // Someone is waiting: send what is queued now rather than after the batching delay.
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
      void drain();
    }
    return new Promise((resolve, reject) => flushes.push({ target, stream, resolve, reject }));
  }

  return {
    open() {
      const stream: Stream = { lastSeq: 0, waitedMs: 0, listeners: new Set() };
      return {
        write: (item) => write(item, stream),
        flush: () => flush(stream),
        get failure() {
          return stream.failure;
        },
        onFailure(listener) {
          if (stream.failure) {
            listener(stream.failure);
            return () => {};
          }
          stream.listeners.add(listener);
          return () => stream.listeners.delete(listener);
        },
        get waitedMs() {
          return stream.waitedMs;
        },
      };
    },
    write: (item) => write(item),
    flush: () => flush(),
    async close() {
      try {
        await flush();
      } finally {
        closed = true;
      }
    },
    get pending() {
      return queue.length + waiting.length;
    },
    get bufferedBytes() {
      return held;
    },
    get waitedMs() {
      return waitedMs;
    },
  };
}
