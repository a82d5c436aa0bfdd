import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { createMcpServer } from '../../server/mcp-server.ts';
import { startAdwWorker } from '../../services/adws/adw-worker.ts';
import { startCommandWorker } from '../../services/agents/command-worker.ts';
import { startServices } from '../../services/services.ts';
import { managementTools } from '../../tools/registry.ts';
import { nonEmptyPath } from '../parse-options.ts';
import { untilStopped } from '../signals.ts';
import { withExamples } from '../help-text.ts';

/**
 * `baton mcp`: the management tools over MCP on stdin/stdout, for Claude Code, Claude Desktop or any MCP
 * client. It runs a worker for agent commands and ADW steps itself, so what a client dispatches runs even
 * with no `baton up`. stdout is the protocol's: everything else goes to stderr.
 */
export function registerMcp(program: Command): void {
  const command = program
    .command('mcp')
    .description(
      'serve the management tools to an MCP client over stdio (create, command and wait for agents; ADWs)',
    )
    .option('--cwd <dir>', 'the workspace the tools act on', nonEmptyPath, '.')
    .action(async (options: { cwd: string }) => {
      const config = loadConfig();
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const services = await startServices(config, { longLived: true, log });
      const commands = await startCommandWorker(services, { concurrency: config.maxAgents, log });
      const steps = await startAdwWorker(services, { concurrency: config.workerConcurrency, log });
      const server = createMcpServer(
        managementTools,
        { services, cwd: resolve(options.cwd) },
        program.version() ?? '0',
      );
      const closed = new Promise<void>((done) => (server.server.onclose = done));
      await server.connect(new StdioServerTransport());
      // The client ends the session by closing our stdin (or stops us with a signal).
      await Promise.race([closed, new Promise((done) => process.stdin.once('end', done)), untilStopped()]);
      await server.close().catch(() => {});
      await Promise.all([commands.stop(), steps.stop()]);
      await services.close();
    });
  withExamples(command, [
    'claude mcp add baton -- npx baton mcp --cwd ~/code/app',
    'baton mcp --cwd ~/code/app',
  ]);
}
