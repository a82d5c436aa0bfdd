import type { Command } from 'commander';
import { plural } from '../../core/plural.ts';
import { loadConfig } from '../../config/index.ts';
import { startAdwWorker } from '../../services/adws/adw-worker.ts';
import { startCommandWorker } from '../../services/agents/command-worker.ts';
import { startServices } from '../../services/services.ts';
import { positiveInteger } from '../parse-options.ts';
import { paint } from '../terminal.ts';
import { stopSignal } from '../signals.ts';
import { withExamples } from '../help-text.ts';
import { withoutRepeats } from '../../core/without-repeats.ts';
import { followActivity } from '../activity-log.ts';

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'run ADW steps and agent commands from the queue (any number of workers, on any machines, against one database)',
    )
    .option(
      '--concurrency <n>',
      'steps at once in this process (default: BATON_WORKER_CONCURRENCY or 2)',
      positiveInteger,
    )
    .action(async (options: { concurrency?: number }) => {
      const config = loadConfig();
      // The services' warnings, each kind once (see `baton up`).
      const log = withoutRepeats((line: string) => console.log(paint('dim', line)));
      const services = await startServices(config, { longLived: true, log });
      const concurrency = options.concurrency ?? config.workerConcurrency;
      const worker = await startAdwWorker(services, { concurrency, log });
      const commands = await startCommandWorker(services, { concurrency: config.maxAgents, log });
      // Graceful from the moment it says it is up: a Ctrl-C while the activity log subscribes stops it cleanly.
      const stop = stopSignal();
      console.log(
        `worker ready: ${plural(concurrency, 'step')} at a time · ${services.db.description} · Ctrl-C stops (running steps go back to the queue)`,
      );
      const stopActivity = await followActivity(services, (line) => console.log(line));
      await stop.stopped;
      stopActivity();
      console.log('stopping: running steps go back to the queue…');
      await Promise.all([worker.stop(), commands.stop()]);
      await services.close();
    });
  withExamples(command, [
    'baton worker',
    'DATABASE_URL=postgres://db.internal/baton baton worker --concurrency 4',
  ]);
}
