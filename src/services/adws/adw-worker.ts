import { describeError } from '../../core/errors.ts';
import type { Services } from '../services.ts';
import { createReconciler } from './reconciler.ts';
import { createStepWorker, type StepWorkerDeps } from './step-worker.ts';

export interface AdwWorkerOptions {
  concurrency: number;
  log?: (line: string) => void;
  /** How often this worker looks for steps no job works on (see reconciler.ts). @default 30000 */
  reconcileMs?: number;
  /** Passed to the step worker (fault tests). */
  checkpoint?: StepWorkerDeps['checkpoint'];
  watchMs?: number;
}

/**
 * A worker: takes ADW steps from the queue, `concurrency` at a time in this process (each step's agent
 * then waits for one of the host's Claude Code slots, shared with every other baton process: see
 * admission/), and reconciles steps whose jobs ended without an outcome, at start and then periodically.
 */
export async function startAdwWorker(services: Services, options: AdwWorkerOptions) {
  const log = options.log ?? (() => {});
  const queue = await services.queue();
  const bus = services.bus();
  await bus.ready();
  const steps = createStepWorker({
    pool: services.db.pool,
    queue,
    runner: services.runner,
    bus,
    runtime: services.runtime,
    log,
    checkpoint: options.checkpoint,
    watchMs: options.watchMs,
  });
  const reconciler = createReconciler({ pool: services.db.pool, queue, log });
  let reconciling: Promise<unknown> = Promise.resolve();
  const reconcile = () =>
    (reconciling = reconciler
      .reconcileAll()
      .catch((error) => log(`reconciling failed: ${describeError(error)}`)));
  const working = await queue.work(options.concurrency, steps.handle);
  void reconcile();
  const timer = setInterval(() => void reconcile(), options.reconcileMs ?? 30_000);
  timer.unref();
  return {
    /**
     * Stops taking steps; steps running here are given back to the queue (no retry used). The queue itself
     * stays open for the process's other users (it closes with the services).
     */
    async stop(): Promise<void> {
      clearInterval(timer);
      await reconciling;
      await steps.stop();
      await working.stop();
    },
  };
}

export type AdwWorker = Awaited<ReturnType<typeof startAdwWorker>>;
