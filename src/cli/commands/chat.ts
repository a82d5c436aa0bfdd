import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { getChatItem, type ChatRow } from '../../db/chat.ts';
import { openChat } from '../../orchestrator/open-chat.ts';
import { startCommandWorker } from '../../services/agents/command-worker.ts';
import { managementTools } from '../../tools/registry.ts';
import { createChatPrinter } from '../chat-printer.ts';
import { ExitCode } from '../exit-codes.ts';
import { nonEmptyPath } from '../parse-options.ts';
import { onInterrupt } from '../signals.ts';
import { withExamples } from '../help-text.ts';
import { printJson } from '../json-output.ts';
import { withServices } from '../with-services.ts';

/** `baton chat "<message>"`: one turn with the workspace's orchestrator, its reply streamed token by token. */
export function registerChat(program: Command): void {
  const command = program
    .command('chat')
    .description('send the orchestrator agent a message and print its turn (it manages your agents and ADWs)')
    .argument(
      '<message>',
      'what the orchestrator should do ("start adw: <workflow>: <prompt>" starts one directly)',
    )
    .option('--cwd <dir>', 'the workspace: one orchestrator each, kept across restarts', nonEmptyPath, '.')
    .option('--json', 'print the turn’s chat items as JSON')
    .action(async (message: string, options: { cwd: string; json?: boolean }) => {
      const config = loadConfig();
      process.exitCode = await withServices(async (services) => {
        // Commands the orchestrator gives its agents run here meanwhile, even with no `baton up` running.
        const worker = await startCommandWorker(services, { concurrency: config.maxAgents });
        const chat = await openChat(services, resolve(options.cwd), managementTools);
        const { id: orchestratorId } = await chat.orchestrator();
        const printer = createChatPrinter();
        const items: ChatRow[] = [];
        const unwatch = chat.onItem((item) => {
          if (item.sender_type === 'user') return;
          items.push(item);
          if (!options.json) printer.item(item);
        });
        const unwatchTokens = options.json
          ? () => {}
          : services.bus().onStream((delta) => {
              if (delta.orchestratorId === orchestratorId) printer.delta(delta);
            });
        const stopWatchingCtrlC = onInterrupt(() => {
          process.stderr.write('interrupting the orchestrator’s turn… (Ctrl-C again to quit at once)\n');
          void chat.interrupt();
        });
        try {
          const sent = await chat.send(message);
          if (!sent.adwId) await chat.settled(sent.message.id);
          const settled = (await getChatItem(services.db.pool, sent.message.id))!;
          if (options.json)
            printJson({
              messageId: settled.id,
              status: settled.status,
              adwId: sent.adwId ?? null,
              items: items.map(chatItemJson),
            });
          return settled.status === 'done' ? ExitCode.ok : ExitCode.runFailed;
        } finally {
          stopWatchingCtrlC();
          unwatchTokens();
          unwatch();
          await chat.close();
          await worker.stop();
        }
      }, config);
    });
  withExamples(command, [
    'baton chat "create an agent alice and have her add a /health route" --cwd ~/code/app',
    'baton chat "start adw: plan_build: add a /health route"',
    'baton chat "how much have the agents spent?" --json',
  ]);
}

/** A chat item in the `--json` style (camelCase, its own id as `id`). */
function chatItemJson(item: ChatRow) {
  return {
    id: item.id,
    sender: item.sender_type,
    receiver: item.receiver_type,
    kind: item.kind,
    status: item.status,
    message: item.message,
    agentId: item.agent_id,
    runId: item.run_id,
    metadata: item.metadata,
    createdAt: item.created_at,
  };
}
