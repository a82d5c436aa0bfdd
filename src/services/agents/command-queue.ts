import type { JobWithMetadata, PgBoss } from 'pg-boss';
import { describeError } from '../../core/errors.ts';
import { redactText } from '../../core/redact.ts';
import type { Queryable } from '../../db/pool.ts';

/** One command to run: the job's id is the command's (its prompt's) id. */
export interface CommandJob {
  commandId: string;
  agentId: string;
}

const queueName = 'baton-agent-command';
// As for ADW steps: a worker that stops heartbeating this long loses its command to another worker.
const heartbeatSeconds = 10;
const maxExpirySeconds = 24 * 60 * 60;
// Redeliveries after a dead or stopping worker. A job that fails for good holds its agent's queue back
// (key_strict_fifo), so the worker reports agent errors as command outcomes and only throws to give a
// command back; this many give-backs in a row is a worker that cannot run it at all, and the job is then
// taken out of the queue (`failedCommands`, `release`) so the agent's later commands can run.
export const commandRetryLimit = 25;

/**
 * Agent commands as jobs on the same pg-boss as ADW steps, in a queue of policy `key_strict_fifo` keyed by
 * agent: pg-boss hands out one agent's commands one at a time in the order they were queued (a job that
 * is active or waiting to be retried holds its successors back), while other agents' commands run in
 * parallel. A queued command survives restarts; one whose worker died is delivered again.
 */
export async function startCommandQueue(boss: PgBoss, options: { log?: (line: string) => void } = {}) {
  const log = options.log ?? (() => {});
  await boss
    .createQueue(queueName, { policy: 'key_strict_fifo', heartbeatSeconds, retryDelay: 1, notify: true })
    .catch((error: unknown) => {
      if (!/already exists/i.test(describeError(error))) throw error;
    });
  const within = (db: Queryable) => ({
    db: { executeSql: (text: string, values?: unknown[]) => db.query(text, values) },
  });

  return {
    /** Queues a command; with `db` (a client in a transaction) the job commits with the command's rows. */
    async enqueue(job: CommandJob, db?: Queryable): Promise<void> {
      await boss.send(queueName, job, {
        id: job.commandId,
        singletonKey: job.agentId,
        retryLimit: commandRetryLimit,
        expireInSeconds: maxExpirySeconds,
        ...(db ? within(db) : {}),
      });
    },
    /** Takes queued commands out of the queue (their agent is being deleted). */
    async cancel(commandIds: string[]): Promise<void> {
      if (commandIds.length) await boss.cancel(queueName, commandIds).catch(() => {});
    },
    /**
     * The commands whose jobs failed for good (deliveries exhausted, or expired), which pg-boss keeps as
     * blockers of their agent's queue; `release` takes such jobs out once their commands are ended.
     */
    async failedCommands(): Promise<CommandJob[]> {
      const jobs: CommandJob[] = [];
      for (const key of await boss.getBlockedKeys(queueName)) {
        for (const job of await boss.findJobs<CommandJob>(queueName, { key }))
          if (job.state === 'failed') jobs.push(job.data);
      }
      return jobs;
    },
    async release(commandIds: string[]): Promise<void> {
      if (commandIds.length) await boss.deleteJob(queueName, commandIds);
    },
    /** Runs `handler` for queued commands, `concurrency` at a time in this process, until `stop`. */
    async work(
      concurrency: number,
      handler: (job: CommandJob) => Promise<void>,
    ): Promise<{ stop(): Promise<void> }> {
      const id = await boss.work(
        queueName,
        {
          localConcurrency: concurrency,
          includeMetadata: true,
          pollingIntervalSeconds: 0.5,
          notifyPollingIntervalSeconds: 1,
        },
        async ([job]: JobWithMetadata<CommandJob>[]) => {
          if (!job) return;
          try {
            await handler(job.data);
          } catch (error) {
            const message = redactText(describeError(error));
            log(
              `queue: command ${job.data.commandId} goes back to the queue (delivery ${job.retryCount + 1}): ${message}`,
            );
            throw new Error(message);
          }
        },
      );
      return { stop: () => boss.offWork(queueName, { id, wait: true }) };
    },
  };
}

export type CommandQueue = Awaited<ReturnType<typeof startCommandQueue>>;
