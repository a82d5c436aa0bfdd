import type { EventDraft } from '../core/events.ts';
import { AppError, describeError } from '../core/errors.ts';
import { insertEvents } from './events.ts';
import type { Pool } from './pool.ts';
import { isTransientDatabaseError } from './transient.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventWriterOptions {
  /** Rows per INSERT. @default 500 */
  maxBatch?: number;
  /** How long the first event of a batch may wait for company. @default 5 */
  flushMs?: number;
  /** Events held in memory while the database is unreachable; past this the writer fails. @default 50000 */
  bufferLimit?: number;
  /** How long the database may stay unreachable before the writer fails. @default 120000 */
  maxOutageMs?: number;
  /** Called for an event the database refuses outright (not a connection problem). */
  onRejected?: (draft: EventDraft, error: unknown) => void;
}

export interface EventWriter {
  /** Queues an event. Throws if the writer has failed (its buffer overflowed while the database was down). */
  write(draft: EventDraft): void;
  /** Resolves once every event queued so far is stored; rejects if the writer fails first. */
  flush(): Promise<void>;
  /** Flushes, then stops accepting events. */
  close(): Promise<void>;
  /** Calls `listener` once if the writer gives up (the database stayed away too long); returns an unsubscribe. */
  onFailure(listener: (error: AppError) => void): () => void;
  /** Events queued but not yet stored. */
  readonly pending: number;
  readonly failure: AppError | undefined;
}

/**
 * Batches events into multi-row inserts (one per few milliseconds or `maxBatch` rows), one batch in flight
 * at a time so order is kept. While the database is unreachable it keeps the events and retries with
 * backoff; ids make a retried batch idempotent, so nothing is written twice and nothing is dropped quietly.
 */
export function createEventWriter(pool: Pool, options: EventWriterOptions = {}): EventWriter {
  const maxBatch = options.maxBatch ?? 500;
  const flushMs = options.flushMs ?? 5;
  const bufferLimit = options.bufferLimit ?? 50_000;
  const maxOutageMs = options.maxOutageMs ?? 120_000;
  const onRejected =
    options.onRejected ??
    ((draft: EventDraft, error: unknown) =>
      process.stderr.write(`baton: event ${draft.type} ${draft.id} was refused: ${describeError(error)}\n`));

  const queue: EventDraft[] = [];
  let written = 0; // events taken off the queue and stored (or refused), ever
  let queued = 0; // events ever queued
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let closed = false;
  let failure: AppError | undefined;
  const failureListeners = new Set<(error: AppError) => void>();
  const waiters: { target: number; resolve: () => void; reject: (error: Error) => void }[] = [];

  function settleWaiters(): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (failure) waiter.reject(failure);
      else if (written >= waiter.target) waiter.resolve();
      else continue;
      waiters.splice(i, 1);
    }
  }

  function fail(error: AppError): void {
    if (failure) return;
    failure = error;
    if (timer) clearTimeout(timer);
    settleWaiters();
    for (const listener of failureListeners) listener(error);
    failureListeners.clear();
  }

  // While the database is unreachable: back off between attempts, and give up after maxOutageMs.
  const outage = {
    startedAt: undefined as number | undefined,
    backoff: 50,
    end() {
      this.startedAt = undefined;
      this.backoff = 50;
    },
    async wait(error: unknown) {
      this.startedAt ??= Date.now();
      if (Date.now() - this.startedAt > maxOutageMs) {
        fail(
          new AppError(
            'database_unavailable',
            `The database has been unreachable for ${Math.round(maxOutageMs / 1000)} s ` +
              `(${describeError(error)}); ${queue.length} events could not be written. Check that PostgreSQL is running.`,
            { cause: error },
          ),
        );
        return;
      }
      await sleep(this.backoff);
      this.backoff = Math.min(this.backoff * 2, 1_000);
    },
  };

  function schedule(): void {
    if (running || timer || queue.length === 0 || failure) return;
    timer = setTimeout(drain, queue.length >= maxBatch ? 0 : flushMs);
  }

  async function drain(): Promise<void> {
    timer = undefined;
    running = true;
    while (queue.length > 0 && !failure) {
      const batch = queue.slice(0, maxBatch);
      try {
        await insertEvents(pool, batch);
        outage.end();
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          await outage.wait(error);
          continue;
        }
        await writeOneByOne(batch);
      }
      queue.splice(0, batch.length);
      written += batch.length;
      settleWaiters();
    }
    running = false;
    schedule();
  }

  // A batch the database refused as a whole: store what it accepts, report the rest.
  async function writeOneByOne(batch: EventDraft[]): Promise<void> {
    for (const draft of batch) {
      while (!failure) {
        try {
          await insertEvents(pool, [draft]);
          outage.end();
          break;
        } catch (error) {
          if (!isTransientDatabaseError(error)) {
            onRejected(draft, error);
            break;
          }
          await outage.wait(error);
        }
      }
    }
  }

  return {
    write(draft) {
      if (failure) throw failure;
      if (closed) throw new AppError('internal', 'The event writer is closed');
      // Only an outage bounds the queue: while the database answers, a backlog drains at insert speed.
      if (outage.startedAt !== undefined && queue.length >= bufferLimit) {
        fail(
          new AppError(
            'database_unavailable',
            `The database has been unreachable for too long: ${queue.length} events are waiting to be written ` +
              '(BATON_EVENT_BUFFER_LIMIT). Check that PostgreSQL is running.',
          ),
        );
        throw failure;
      }
      queue.push(draft);
      queued += 1;
      schedule();
    },
    flush() {
      if (failure) return Promise.reject(failure);
      if (written >= queued) return Promise.resolve();
      // Someone is waiting: send what is queued now rather than after the batching delay.
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
        void drain();
      }
      return new Promise((resolve, reject) => waiters.push({ target: queued, resolve, reject }));
    },
    async close() {
      await this.flush();
      closed = true;
    },
    onFailure(listener) {
      if (failure) {
        listener(failure);
        return () => {};
      }
      failureListeners.add(listener);
      return () => failureListeners.delete(listener);
    },
    get pending() {
      return queue.length;
    },
    get failure() {
      return failure;
    },
  };
}
