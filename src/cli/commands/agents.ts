import type { Command } from 'commander';
import { resolveIdPrefix } from '../../db/id-prefix.ts';
import { idPrefix, nonEmptyPath, nonNegativeInteger, positiveInteger } from '../parse-options.ts';
import { runToolCommand, type ToolCommandOptions } from '../tool-command.ts';
import { withExamples } from '../help-text.ts';

const withCommon = (command: Command) =>
  command
    .option('--cwd <dir>', 'the workspace the agents belong to', nonEmptyPath, '.')
    .option('--json', 'print the structured result as JSON');

/** `baton agents …`: thin calls of the management tools (src/tools), as the orchestrator makes them. */
export function registerAgents(program: Command): void {
  const agents = program
    .command('agents')
    .description('persistent command agents: create, command, wait, delete');
  const act = async (run: () => Promise<number>): Promise<void> => {
    process.exitCode = await run();
  };

  withCommon(agents.command('create').description('create an agent (no model turn is spent)'))
    .argument('<name>', 'unique among the live agents of the workspace')
    .option('--system-prompt <text>', 'added to Claude Code’s own system prompt')
    .option('--model <model>', 'opus, sonnet, haiku or a model id (wins over the template’s)')
    .option('--template <name>', 'a template from .claude/agents/*.md (its tools are enforced)')
    .option('--worktree', 'give the agent its own git worktree and branch')
    .action(
      (
        name: string,
        options: ToolCommandOptions & {
          systemPrompt?: string;
          model?: string;
          template?: string;
          worktree?: boolean;
        },
      ) =>
        act(() =>
          runToolCommand(options, (call) =>
            call('create_agent', {
              name,
              system_prompt: options.systemPrompt,
              model: options.model,
              template: options.template,
              worktree: options.worktree,
            }),
          ),
        ),
    );

  withCommon(agents.command('ls').description('list the live agents of the workspace')).action(
    (options: ToolCommandOptions) => act(() => runToolCommand(options, (call) => call('list_agents', {}))),
  );

  withCommon(
    agents
      .command('command')
      .description('give an agent a command and wait for its result (runs a worker here meanwhile)'),
  )
    .argument('<name>', 'the agent')
    .argument('<command>', 'what it should do')
    .option('--detach', 'queue it and return; a running `baton up` or `baton worker` runs it')
    .option(
      '--timeout <seconds>',
      'stop waiting after this long (the command goes on)',
      positiveInteger,
      3600,
    )
    .action(
      (name: string, command: string, options: ToolCommandOptions & { detach?: boolean; timeout: number }) =>
        act(() =>
          runToolCommand({ ...options, worker: !options.detach }, async (call) => {
            const queued = await call('command_agent', { name, command });
            if (queued.isError || options.detach) return queued;
            return call('wait_for_agent', {
              name,
              prompt_id: queued.structured.prompt_id,
              timeout_s: options.timeout,
            });
          }),
        ),
    );

  withCommon(agents.command('status').description("an agent's status, queue, cost and latest events"))
    .argument('<name>', 'the agent')
    .option('--tail <n>', 'how many recent events', positiveInteger, 10)
    .option('--offset <n>', 'skip this many of the newest events', nonNegativeInteger, 0)
    .option('--verbose', 'print each event’s payload')
    .action(
      (name: string, options: ToolCommandOptions & { tail: number; offset: number; verbose?: boolean }) =>
        act(() =>
          runToolCommand(options, (call) =>
            call('check_agent_status', {
              name,
              tail: options.tail,
              offset: options.offset,
              verbose: options.verbose ?? false,
            }),
          ),
        ),
    );

  withCommon(
    agents
      .command('wait')
      .description("wait for an agent's last (or a given) command to end (runs a worker here meanwhile)"),
  )
    .argument('<name>', 'the agent')
    .option(
      '--prompt-id <id>',
      'the command to wait for, or a unique prefix of its id (default: its last)',
      idPrefix,
    )
    .option('--timeout <seconds>', 'stop waiting after this long', positiveInteger, 3600)
    .action((name: string, options: ToolCommandOptions & { promptId?: string; timeout: number }) =>
      act(() =>
        runToolCommand({ ...options, worker: true }, async (call, services) =>
          call('wait_for_agent', {
            name,
            prompt_id:
              options.promptId &&
              (await resolveIdPrefix(services.db.pool, 'prompt', options.promptId, '--prompt-id')),
            timeout_s: options.timeout,
          }),
        ),
      ),
    );

  withCommon(agents.command('interrupt').description("stop an agent's running command"))
    .argument('<name>', 'the agent')
    .action((name: string, options: ToolCommandOptions) =>
      act(() => runToolCommand(options, (call) => call('interrupt_agent', { name }))),
    );

  withCommon(agents.command('rm').description('delete an agent: stop it, cancel its queue, free its name'))
    .argument('<name>', 'the agent')
    .action((name: string, options: ToolCommandOptions) =>
      act(() => runToolCommand(options, (call) => call('delete_agent', { name }))),
    );

  withExamples(agents, [
    'baton agents create alice --template reviewer',
    'baton agents command alice "Review the signup form"',
    'baton agents ls',
  ]);
  const examples: Record<string, string[]> = {
    create: [
      'baton agents create alice --cwd ~/code/app --template reviewer',
      'baton agents create bob --system-prompt "Be brief." --model haiku --worktree --json',
    ],
    ls: ['baton agents ls', 'baton agents ls --cwd ~/code/app --json'],
    command: [
      'baton agents command alice "Review the signup form"',
      'baton agents command alice "Now the login form" --detach',
      'baton agents command alice "Fix what you found" --timeout 600 --json',
    ],
    status: ['baton agents status alice', 'baton agents status alice --tail 30 --offset 10 --verbose'],
    wait: ['baton agents wait alice', 'baton agents wait alice --prompt-id 5c2e9a1f --timeout 120 --json'],
    interrupt: ['baton agents interrupt alice'],
    rm: ['baton agents rm alice'],
  };
  for (const command of agents.commands) withExamples(command, examples[command.name()] ?? []);
}
