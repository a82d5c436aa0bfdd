import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { startServices } from '../../services/services.ts';
import { serverAddress, startHttpServer, withServerFlags, type ServerFlags } from '../server-options.ts';
import { paint } from '../terminal.ts';
import { untilStopped } from '../signals.ts';
import { withExamples } from '../help-text.ts';

export function registerServe(program: Command): void {
  const command = withServerFlags(
    program
      .command('serve')
      .description(
        'run only the HTTP + WebSocket server (workers run elsewhere: `baton worker`); Ctrl-C stops',
      ),
  ).action(async (flags: ServerFlags) => {
    const config = loadConfig();
    serverAddress(config, flags);
    const log = (line: string) => console.log(paint('dim', line));
    const services = await startServices(config, { longLived: true, log });
    try {
      const server = await startHttpServer(services, config, flags);
      console.log(`${paint('green', '✓')} baton server at ${server.url}`);
      console.log(paint('dim', `  database ${services.db.description}; Ctrl-C stops`));
      await untilStopped();
      await server.close();
    } finally {
      await services.close();
    }
  });
  withExamples(command, [
    'baton serve',
    'baton serve --cwd ~/code/app --port 8080',
    'baton serve --host 0.0.0.0 --allow-remote',
  ]);
}
