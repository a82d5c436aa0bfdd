import { PgBoss, type JobWithMetadata } from 'pg-boss';
import { describeError } from '../../core/errors.ts';
import type { Queryable } from '../../db/pool.ts';

/** One ADW step to run: the ADW and the step run's position in it. */
export interface StepJob {
  adwId: string;
  index: number;
}

export interface StepJobOptions {
  /** Failed attempts retried before the step fails (each retry resumes the step's session). */
  retries: number;
  /** The longest a step may run; past it the step's attempt fails. */
  timeoutSeconds: number;
}

export interface StepQueueOptions {
  /** How often pg-boss looks for jobs whose worker stopped heartbeating. @default 10 */
  superviseSeconds?: number;
  log?: (line: string) => void;
}

const queueName = 'baton-adw-step';
// pg-boss's minimum: a worker that stops heartbeating for this long loses its step to another worker.
const heartbeatSeconds = 10;

/**
 * ADW steps as pg-boss jobs in baton's own database: retries, expiry, heartbeats and claiming with
 * `skip locked` come from pg-boss. A step is enqueued inside the transaction that records the previous
 * step's end, so a finished step and its successor are committed together or not at all.
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

  return {
    /**
     * Queues a step. With `db` (a client inside a transaction) the job is written in that transaction.
     * The singleton key makes a second enqueue of the same pending step a no-op.
     */
    async enqueue(job: StepJob, jobOptions: StepJobOptions, db?: Queryable): Promise<void> {
      await boss.send(queueName, job, {
        retryLimit: jobOptions.retries,
        expireInSeconds: jobOptions.timeoutSeconds + 60,
        singletonKey: `${job.adwId}:${job.index}`,
        ...(db ? { db: { executeSql: (text: string, values?: unknown[]) => db.query(text, values) } } : {}),
      });
    },
    /** Runs `handler` for queued steps, `concurrency` at a time in this process. */
    async work(
      concurrency: number,
      handler: (
        job: StepJob,
        attempt: { retryCount: number; retryLimit: number; signal: AbortSignal },
      ) => Promise<void>,
    ): Promise<void> {
      await boss.work(
        queueName,
        {
          localConcurrency: concurrency,
          includeMetadata: true,
          pollingIntervalSeconds: 0.5,
          // NOTIFY wakes workers for new steps; retries (due after retryDelay) are found by polling.
          notifyPollingIntervalSeconds: 1,
        },
        async ([job]: JobWithMetadata<StepJob>[]) => {
          if (!job) return;
          try {
            await handler(job.data, {
              retryCount: job.retryCount,
              retryLimit: job.retryLimit,
              signal: job.signal,
            });
          } catch (error) {
            // pg-boss records the failure and retries; say so where a person looks.
            log(
              `queue: step ${job.data.index} of ADW ${job.data.adwId} failed (attempt ${job.retryCount + 1}): ${describeError(error)}`,
            );
            throw error;
          }
        },
      );
    },
    /** Stops taking jobs; running handlers are given `timeoutMs` to finish. */
    async stop(timeoutMs = 30_000): Promise<void> {
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}

export type StepQueue = Awaited<ReturnType<typeof startStepQueue>>;
