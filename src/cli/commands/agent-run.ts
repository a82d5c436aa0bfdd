import type { Command } from 'commander';
import { resolveModel } from '../../agent/models.ts';
import { loadPriceTable, requirePrice } from '../../agent/pricing.ts';
import { assertWorkingDirectory } from '../../agent/run-agent.ts';
import { loadConfig, requireModelAccess } from '../../config/index.ts';
import { UserError } from '../../core/errors.ts';
import { findResumeTarget } from '../../services/runs/resume-target.ts';
import { withServices } from '../with-services.ts';
import { ExitCode } from '../exit-codes.ts';
import { nonEmptyPath, positiveInteger, usdAmount } from '../parse-options.ts';
import { outcomeJson, printSummary } from '../run-output.ts';
import { eventLine, isShownLive, paint } from '../terminal.ts';
import { fitWidth } from '../fit-width.ts';
import { resolve } from 'node:path';
import { onInterrupt } from '../signals.ts';
import { withExamples } from '../help-text.ts';

interface AgentRunOptions {
  cwd: string;
  model?: string;
  maxTurns?: number;
  maxCost?: number;
  resume?: string;
  name?: string;
  json?: boolean;
}

export function registerAgentRun(program: Command): void {
  const agent = program
    .command('agent')
    .description('run Claude Code agents with everything recorded in the ledger');
  const run = agent
    .command('run')
    .description('run one agent on a prompt in a directory, with live progress and a final summary')
    .argument('<prompt>', 'what the agent should do')
    .option('--cwd <dir>', 'the directory the agent works in', nonEmptyPath, '.')
    .option('--model <model>', 'opus, sonnet, haiku or a model id (default: BATON_MODEL or sonnet)')
    .option('--max-turns <n>', 'stop after this many turns', positiveInteger)
    .option('--max-cost <usd>', 'stop when the run has cost this much', usdAmount)
    .option(
      '--resume <run-or-session>',
      'continue the session of an earlier run (run id, a unique prefix of it, or session id)',
    )
    .option('--name <name>', 'name of the new agent (default: run-<id>)')
    .option('--json', 'print one JSON object with the outcome instead of live progress')
    .action(async (prompt: string, options: AgentRunOptions) => {
      process.exitCode = await agentRun(prompt, options);
    });
  const examples = [
    'baton agent run "Add input validation to the signup form" --cwd ~/code/app --max-cost 2',
    'baton agent run "Now the login form" --resume 7d1c2a9e',
    'baton agent run "Summarise the README" --model haiku --max-turns 3 --json',
  ];
  withExamples(agent, examples);
  withExamples(run, examples);
}

async function agentRun(prompt: string, options: AgentRunOptions): Promise<number> {
  const config = loadConfig();
  if (!prompt.trim()) throw new UserError('The prompt is empty: say what the agent should do.');
  const cwd = resolve(options.cwd);
  assertWorkingDirectory(cwd);
  const source = options.model ? '--model' : 'BATON_MODEL';
  const model = resolveModel(options.model ?? config.defaultModel, source);
  requirePrice(loadPriceTable(config.pricesFile), model, source);
  requireModelAccess(config.credentials);
  return withServices(async (services) => {
    const resume = options.resume ? await findResumeTarget(services.db.pool, options.resume) : undefined;
    const started = Date.now();
    const run = await services.runner.start({
      prompt,
      cwd,
      model,
      agentId: resume?.agentId,
      agentName: options.name,
      resumeSessionId: resume?.sessionId,
      maxTurns: options.maxTurns,
      maxCostUsd: options.maxCost,
      author: 'engineer',
      onEvent: options.json
        ? undefined
        : (event) => {
            if (!isShownLive(event)) return;
            const line = eventLine(event, Date.now() - started);
            // On a terminal each line fits its width, as the ADW view's do; a log file gets it whole.
            console.log(process.stdout.isTTY ? fitWidth(line, process.stdout.columns || 80) : line);
          },
    });
    if (!options.json) {
      console.log(paint('dim', `run ${run.runId} · agent ${run.agentId} · ${model} · ${cwd}`));
      console.log(paint('dim', `ledger: ${services.db.description} · Ctrl-C interrupts the agent`));
    }
    const removeInterrupt = onInterrupt(() => {
      if (!options.json) console.log(paint('yellow', 'interrupting the agent…'));
      void run.interrupt();
    });
    const { run: row, result } = await run.done;
    removeInterrupt();
    if (options.json) console.log(JSON.stringify(outcomeJson(row, result), null, 2));
    else printSummary(row, result);
    return row.status === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
  }, config);
}
