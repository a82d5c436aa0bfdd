import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/index.ts';
import { openChat, orchestratorLookup } from '../orchestrator/open-chat.ts';
import { describeProblem, discoverAgentTemplates, discoverSlashCommands } from '../project/index.ts';
import type { ServerDeps } from '../server/deps.ts';
import { bindWarnings, listen, type RunningServer } from '../server/listen.ts';
import { loadWebUi } from '../server/ui/web-ui.ts';
import type { Services } from '../services/services.ts';
import { managementTools } from '../tools/registry.ts';
import type { AnyTool } from '../tools/tool.ts';
import { nonEmptyPath, positiveInteger } from './parse-options.ts';
import { paint } from './terminal.ts';

export interface ServerFlags {
  cwd: string;
  host?: string;
  port?: number;
  allowRemote?: boolean;
}

/** The flags `baton up` and `baton serve` share. */
export function withServerFlags(command: Command): Command {
  return command
    .option('--cwd <dir>', 'the workspace the server serves (ADWs start here)', nonEmptyPath, '.')
    .option('--host <address>', 'address to bind (default: BATON_HOST or 127.0.0.1)')
    .option('--port <n>', 'port (default: BATON_PORT or 4747; 0 picks a free one)', portNumber)
    .option('--allow-remote', 'allow binding an address other machines can reach (prints a warning)');
}

/** Where the server will listen; a non-loopback address without --allow-remote fails here, before anything starts. */
export function serverAddress(config: Readonly<Config>, flags: ServerFlags) {
  const address = {
    host: flags.host ?? config.server.host,
    port: flags.port ?? config.server.port,
    allowRemote: flags.allowRemote,
  };
  bindWarnings(address);
  return address;
}

function portNumber(value: string): number {
  return value === '0' ? 0 : positiveInteger(value);
}

/**
 * Starts the HTTP + WebSocket server over running services, with the management tools mounted and the
 * workspace's orchestrator chat (which picks up messages left queued); closing it stops both.
 */
export async function startHttpServer(
  services: Services,
  config: Readonly<Config>,
  flags: ServerFlags,
  tools: readonly AnyTool[] = managementTools,
  /** What some commands add: the banner every page shows (`demo --ui`), extensions (`example nile`). */
  extra: Pick<ServerDeps, 'banner' | 'extensions'> = {},
): Promise<RunningServer> {
  const cwd = resolve(flags.cwd);
  const address = serverAddress(config, flags);
  const chat = await openChat(services, cwd, tools);
  const webUi = await loadWebUi();
  if (!webUi)
    console.error(
      paint(
        'yellow',
        'warning: the web UI is not built: run `npm run build:web` to serve it',
        process.stderr,
      ),
    );
  const server = await listen(
    {
      services,
      cwd,
      tools,
      chat,
      webUi,
      ...extra,
      slashCommands: async (dir) => {
        const { commands, problems } = await discoverSlashCommands(dir);
        return { commands, errors: problems.map(describeProblem) };
      },
      agentTemplates: async (dir) => {
        const { templates, problems } = await discoverAgentTemplates(dir);
        // The list, not each template's whole system prompt.
        return {
          templates: templates.map(({ systemPrompt: _prompt, ...rest }) => rest),
          errors: problems.map(describeProblem),
        };
      },
      orchestrator: orchestratorLookup(services, cwd),
      log: (line) => console.error(paint('dim', line, process.stderr)),
    },
    address,
  ).catch(async (error: unknown) => {
    await chat.close();
    throw error;
  });
  for (const warning of server.warnings)
    console.error(paint('yellow', `warning: ${warning}`, process.stderr));
  return {
    ...server,
    async close() {
      await server.close();
      await chat.close();
    },
  };
}
