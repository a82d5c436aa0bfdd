import type { Services } from '../services.ts';
import { createStepWorker } from './step-worker.ts';

/**
 * A worker: takes ADW steps from the queue, `concurrency` at a time (each is a Claude Code process of
 * ~200 MB that needs ~1.5 CPU-seconds to start, so a small number per machine serves best).
 */
export async function startAdwWorker(
  services: Services,
  options: { concurrency: number; log?: (line: string) => void },
) {
  const queue = await services.queue();
  const bus = services.bus();
  await bus.ready();
  const steps = createStepWorker({
    pool: services.db.pool,
    queue,
    runner: services.runner,
    bus,
    log: options.log,
  });
  await queue.work(options.concurrency, steps.handle);
  return {
    /** Stops taking steps; steps running here are interrupted and retried by another worker. */
    async stop(): Promise<void> {
      await steps.stop();
      await queue.stop(10_000);
    },
  };
}

export type AdwWorker = Awaited<ReturnType<typeof startAdwWorker>>;
