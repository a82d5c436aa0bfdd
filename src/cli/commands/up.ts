import type { Command } from 'commander';
import { dataPaths, loadConfig } from '../../config/index.ts';
import { startServices } from '../../orchestrator/services.ts';
import { paint } from '../terminal.ts';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start baton: the database (embedded unless DATABASE_URL is set), migrated; Ctrl-C stops')
    .action(async () => {
      const config = loadConfig();
      const services = await startServices(config, {
        exclusive: true,
        log: (line) => console.log(paint('dim', line)),
      });
      const paths = dataPaths(config.home);
      console.log(`${paint('green', '✓')} baton is up`);
      console.log(`  database     ${services.db.description}`);
      console.log(`  data         ${paths.home}`);
      console.log(`  agents' Claude Code config  ${paths.claudeConfig}`);
      console.log(paint('dim', '  run agents from another terminal: baton agent run "<prompt>" --cwd DIR'));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log('stopping…');
      await services.close();
    });
}
