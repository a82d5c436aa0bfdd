import type { Command } from 'commander';
import { nonEmptyPath, nonNegativeInteger, positiveInteger } from '../parse-options.ts';
import { runToolCommand, type ToolCommandOptions } from '../tool-command.ts';
import { withExamples } from '../help-text.ts';

/** `baton logs`: the read_system_logs tool. */
export function registerLogs(program: Command): void {
  const logs = program
    .command('logs')
    .description("baton's system log, newest first")
    .option('--offset <n>', 'skip this many of the newest', nonNegativeInteger, 0)
    .option('--limit <n>', 'how many', positiveInteger, 50)
    .option('--contains <text>', 'only messages containing this (any case)')
    .option('--level <level>', 'DEBUG, INFO, WARNING or ERROR')
    .option('--cwd <dir>', 'the workspace', nonEmptyPath, '.')
    .option('--json', 'print the structured result as JSON')
    .action(
      async (
        options: ToolCommandOptions & { offset: number; limit: number; contains?: string; level?: string },
      ) => {
        process.exitCode = await runToolCommand(options, (call) =>
          call('read_system_logs', {
            offset: options.offset,
            limit: options.limit,
            contains: options.contains,
            level: options.level,
          }),
        );
      },
    );
  withExamples(logs, [
    'baton logs',
    'baton logs --level ERROR --limit 20',
    'baton logs --contains alice --offset 50 --cwd ~/code/app --json',
  ]);
}

/** `baton cost`: the report_cost tool. */
export function registerCost(program: Command): void {
  const cost = program
    .command('cost')
    .description('spend of the orchestrator, each agent and each ADW of the workspace, from the usage ledger')
    .option('--cwd <dir>', 'the workspace', nonEmptyPath, '.')
    .option('--json', 'print the structured result as JSON')
    .action(async (options: ToolCommandOptions) => {
      process.exitCode = await runToolCommand(options, (call) => call('report_cost', {}));
    });
  withExamples(cost, ['baton cost', 'baton cost --cwd ~/code/app --json']);
}
