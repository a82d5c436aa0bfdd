import type { Command } from 'commander';
import { dataPaths, loadConfig } from '../../config/index.ts';
import { startAdwWorker } from '../../services/adws/adw-worker.ts';
import { startCommandWorker } from '../../services/agents/command-worker.ts';
import { startServices } from '../../services/services.ts';
import { serverAddress, startHttpServer, withServerFlags, type ServerFlags } from '../server-options.ts';
import { paint } from '../terminal.ts';
import { stopSignal } from '../signals.ts';
import { withExamples } from '../help-text.ts';
import { withoutRepeats } from '../../core/without-repeats.ts';
import { followActivity } from '../activity-log.ts';
import { baton } from '../invocation.ts';

export function registerUp(program: Command): void {
  const command = withServerFlags(
    program
      .command('up')
      .description(
        'start baton: the database (embedded unless DATABASE_URL is set), migrated, the HTTP + WebSocket server, and a worker for ADW steps and agent commands; prints what they do; Ctrl-C stops',
      ),
  ).action(async (flags: ServerFlags) => {
    const config = loadConfig();
    serverAddress(config, flags);
    // The services' warnings, each kind once: a failing summary model would otherwise repeat every batch.
    const log = withoutRepeats((line: string) => console.log(paint('dim', line)));
    const services = await startServices(config, { exclusive: true, longLived: true, log });
    try {
      const server = await startHttpServer(services, config, flags);
      const worker = await startAdwWorker(services, { concurrency: config.workerConcurrency, log });
      const commands = await startCommandWorker(services, { concurrency: config.maxAgents, log });
      const paths = dataPaths(config.home);
      // Graceful from the moment it says it is up: a Ctrl-C while the activity log subscribes stops it cleanly.
      const stop = stopSignal();
      console.log(`${paint('green', '✓')} baton is up`);
      console.log(`  open         ${server.url}`);
      console.log(`  database     ${services.db.description}`);
      console.log(`  data         ${paths.home}`);
      console.log(`  worker       ${config.workerConcurrency} ADW steps at a time, agent commands`);
      console.log(
        `  agents' Claude Code config  ${config.agentUserConfig ? 'yours (BATON_AGENT_USER_CONFIG=on)' : paths.claudeConfig}`,
      );
      console.log(
        paint(
          'dim',
          `  from another terminal: ${baton()} agent run "<prompt>" --cwd DIR, ${baton()} adw run <workflow> "<prompt>" --detach`,
        ),
      );
      console.log(`  stop it      Ctrl-C (steps running here go back to the queue)`);
      console.log(paint('dim', '\nactivity: ADWs, their steps and agents, from every worker on this ledger'));
      const stopActivity = await followActivity(services, (line) => console.log(line));
      await stop.stopped;
      console.log('stopping…');
      stopActivity();
      await server.close();
      await Promise.all([worker.stop(), commands.stop()]);
    } finally {
      await services.close();
    }
  });
  withExamples(command, ['baton up', 'baton up --cwd ~/code/app --port 0']);
}
