import { createHash } from 'node:crypto';
import { PgBoss, type JobWithMetadata } from 'pg-boss';
import { describeError } from '../../core/errors.ts';
import { redactText } from '../../core/redact.ts';
import type { Queryable } from '../../db/pool.ts';

/** One dispatch of an ADW step to run: the ADW, the step run's position in it, and the dispatch number. */
export interface StepJob {
  adwId: string;
  index: number;
  /** The engine's dispatch number (StepRun.dispatch); a job whose dispatch is not the step's current one is stale. */
  dispatch: number;
}

export interface StepJobOptions {
  /** Failed attempts the engine retries; the queue redelivers a job a few more times than that (see below). */
  retries: number;
}

export interface StepQueueOptions {
  /** How often pg-boss looks for jobs whose worker stopped heartbeating. @default 10 */
  superviseSeconds?: number;
  log?: (line: string) => void;
}

/** Where a step's job is: still to be worked on (queued, retrying or active), or over for the queue. */
export type JobState = 'live' | 'ended' | 'missing';

const queueName = 'baton-adw-step';
// pg-boss's minimum: a worker that stops heartbeating for this long loses its step to another worker.
const heartbeatSeconds = 10;
// pg-boss's maximum (24 hours).
const maxExpirySeconds = 24 * 60 * 60;

/**
 * A step dispatch's job id, derived from what it is: sending the same dispatch twice inserts one job
 * (pg-boss inserts with `on conflict do nothing`), which is what makes enqueueing idempotent.
 */
export function stepJobId(job: StepJob): string {
  const hex = createHash('sha256').update(`${job.adwId}:${job.index}:${job.dispatch}`).digest('hex');
  // Shaped as a version-8 (custom) uuid, which PostgreSQL's uuid type accepts like any other.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * ADW steps as pg-boss jobs in baton's own database: delivery, expiry, heartbeats and claiming with
 * `skip locked` come from pg-boss. A step is enqueued inside the transaction that records the previous
 * step's end, so a finished step and its successor are committed together or not at all. The engine,
 * not the queue, decides retries: the queue only redelivers a job whose worker died.
 */
export async function startStepQueue(url: string, options: StepQueueOptions = {}) {
  const log = options.log ?? (() => {});
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    application_name: 'baton-queue',
    superviseIntervalSeconds: options.superviseSeconds ?? 10,
    monitorIntervalSeconds: options.superviseSeconds ?? 10,
    max: 4,
    // A new step wakes a waiting worker at once instead of at its next poll.
    useListenNotify: true,
  });
  boss.on('error', (error) => log(`queue: ${describeError(error)}`));
  await boss.start();
  await boss
    .createQueue(queueName, { heartbeatSeconds, retryDelay: 2, notify: true })
    .catch((error: unknown) => {
      // Two processes creating the queue at once: one wins, the other finds it there.
      if (!/already exists/i.test(describeError(error))) throw error;
    });
  const within = (db: Queryable) => ({
    db: { executeSql: (text: string, values?: unknown[]) => db.query(text, values) },
  });

  return {
    /** The pg-boss instance, shared with the other queues of this process (agent commands). */
    boss,
    /**
     * Queues a step dispatch. With `db` (a client inside a transaction) the job is written in that
     * transaction. A dispatch already queued is not queued again.
     */
    async enqueue(job: StepJob, jobOptions: StepJobOptions, db?: Queryable): Promise<void> {
      await boss.send(queueName, job, {
        id: stepJobId(job),
        // Redeliveries after a dead worker; the engine fails the step after `retries` failed attempts,
        // and if the queue gives up first the reconciler settles the step (see reconciler.ts).
        retryLimit: jobOptions.retries + 2,
        // Only a last resort for a worker that hangs while it heartbeats (heartbeats find dead workers, and
        // the worker stops a step at its timeout): a step may first wait long for a Claude Code slot.
        expireInSeconds: maxExpirySeconds,
        ...(db ? within(db) : {}),
      });
    },
    /** Whether the job of a step dispatch is still queued, retrying or being worked on. */
    async jobState(job: StepJob, db?: Queryable): Promise<{ state: JobState; detail?: string }> {
      const found = await boss.getJobById(queueName, stepJobId(job), db ? within(db) : undefined);
      if (!found) return { state: 'missing' };
      if (found.state === 'created' || found.state === 'retry' || found.state === 'active')
        return { state: 'live' };
      const message = (found.output as { message?: unknown } | null)?.message;
      return { state: 'ended', detail: `${found.state}${typeof message === 'string' ? `: ${message}` : ''}` };
    },
    /**
     * Runs `handler` for queued steps, `concurrency` at a time in this process, until the returned
     * `stop` (which waits for the handlers running) or the queue's own stop.
     */
    async work(
      concurrency: number,
      handler: (job: StepJob, attempt: { retryCount: number; signal: AbortSignal }) => Promise<void>,
    ): Promise<{ stop(): Promise<void> }> {
      const id = await boss.work(
        queueName,
        {
          localConcurrency: concurrency,
          includeMetadata: true,
          // NOTIFY wakes workers for new steps at once; polling only finds redeliveries (due after
          // retryDelay) and steps whose notification was missed. Each of the `concurrency` local workers
          // polls on its own, so a short interval costs a query per worker each time (bench:adw).
          pollingIntervalSeconds: 2,
          notifyPollingIntervalSeconds: 2,
        },
        async ([job]: JobWithMetadata<Partial<StepJob>>[]) => {
          if (!job) return;
          // Jobs queued before dispatch numbers existed belong to dispatch 1 (see parseAdwState).
          const data: StepJob = {
            adwId: job.data.adwId!,
            index: job.data.index!,
            dispatch: job.data.dispatch ?? 1,
          };
          try {
            await handler(data, { retryCount: job.retryCount, signal: job.signal });
          } catch (error) {
            // pg-boss records the failure and delivers the job again; say so where a person looks.
            const message = redactText(describeError(error));
            log(
              `queue: step ${data.index} of ADW ${data.adwId} failed (delivery ${job.retryCount + 1}): ${message}`,
            );
            // pg-boss stores what is thrown in its job table: only its redacted message.
            throw new Error(message);
          }
        },
      );
      return { stop: () => boss.offWork(queueName, { id, wait: true }) };
    },
    /** Stops taking jobs; running handlers are given `timeoutMs` to finish. */
    async stop(timeoutMs = 30_000): Promise<void> {
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}

export type StepQueue = Awaited<ReturnType<typeof startStepQueue>>;
