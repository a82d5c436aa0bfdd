import type { Command } from 'commander';
import { resolveModel } from '../../agent/models.ts';
import { assertWorkingDirectory, type AgentRunResult } from '../../agent/run-agent.ts';
import { hasModelAccess, loadConfig } from '../../config/index.ts';
import { UserError } from '../../core/errors.ts';
import type { RunRow } from '../../db/runs.ts';
import { findResumeTarget } from '../../orchestrator/resume-target.ts';
import { startServices } from '../../orchestrator/services.ts';
import { ExitCode } from '../exit-codes.ts';
import { positiveInteger, positiveNumber } from '../parse-options.ts';
import { eventLine, isShownLive, paint, usd } from '../terminal.ts';
import { resolve } from 'node:path';

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
  program
    .command('agent')
    .description('run Claude Code agents with everything recorded in the ledger')
    .command('run')
    .description('run one agent on a prompt in a directory, with live progress and a final summary')
    .argument('<prompt>', 'what the agent should do')
    .requiredOption('--cwd <dir>', 'the directory the agent works in')
    .option('--model <model>', 'opus, sonnet, haiku or a model id (default: BATON_MODEL or sonnet)')
    .option('--max-turns <n>', 'stop after this many turns', positiveInteger)
    .option('--max-cost <usd>', 'stop when the run has cost this much', positiveNumber)
    .option('--resume <run-or-session>', 'continue the session of an earlier run (run id or session id)')
    .option('--name <name>', 'name of the new agent (default: run-<id>)')
    .option('--json', 'print one JSON object with the outcome instead of live progress')
    .action(async (prompt: string, options: AgentRunOptions) => {
      process.exitCode = await agentRun(prompt, options);
    });
}

async function agentRun(prompt: string, options: AgentRunOptions): Promise<number> {
  const config = loadConfig();
  if (!prompt.trim()) throw new UserError('The prompt is empty: say what the agent should do.');
  const cwd = resolve(options.cwd);
  assertWorkingDirectory(cwd);
  const model = resolveModel(options.model ?? config.defaultModel, options.model ? '--model' : 'BATON_MODEL');
  if (!hasModelAccess(config.credentials)) {
    throw new UserError(
      'No model credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN), or set ' +
        'ANTHROPIC_BASE_URL to an Anthropic-compatible endpoint. `baton demo` runs without any.',
      { code: 'config' },
    );
  }
  const services = await startServices(config);
  try {
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
            if (isShownLive(event)) console.log(eventLine(event, Date.now() - started));
          },
    });
    if (!options.json) {
      console.log(paint('dim', `run ${run.runId} · agent ${run.agentId} · ${model} · ${cwd}`));
      console.log(paint('dim', `ledger: ${services.db.description} · Ctrl-C interrupts the agent`));
    }
    const stopOnSignal = () => {
      if (!options.json) console.log(paint('yellow', 'interrupting the agent…'));
      void run.interrupt();
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGINT', stopOnSignal);
    const { run: row, result } = await run.done;
    process.off('SIGINT', stopOnSignal);
    if (options.json) console.log(JSON.stringify(outcomeJson(row, result), null, 2));
    else printSummary(row, result);
    return row.status === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
  } finally {
    await services.close();
  }
}

function outcomeJson(row: RunRow, result: AgentRunResult) {
  return {
    runId: row.id,
    agentId: row.agent_id,
    sessionId: row.session_id,
    status: row.status,
    stopReason: row.stop_reason,
    error: row.error_message,
    model: row.model,
    cwd: row.working_dir,
    numTurns: row.num_turns,
    tokens: {
      input: row.input_tokens,
      output: row.output_tokens,
      cacheRead: row.cache_read_tokens,
      cacheCreation: row.cache_creation_tokens,
      context: row.context_tokens,
    },
    costUsd: row.cost_usd,
    sdkCostUsd: row.sdk_cost_usd,
    unpricedModels: result.unpricedModels,
    durationMs: row.duration_ms,
    result: row.result_text,
    files: result.fileChanges.files.map(({ path, status, linesAdded, linesRemoved, binary }) => ({
      path,
      status,
      linesAdded,
      linesRemoved,
      binary,
    })),
  };
}

function printSummary(row: RunRow, result: AgentRunResult): void {
  const ok = row.status === 'succeeded';
  const title = ok ? paint('green', `✓ ${row.status}`) : paint('red', `✗ ${row.status.replace('_', ' ')}`);
  console.log('');
  console.log(`${title}  ${row.num_turns} turns · ${((row.duration_ms ?? 0) / 1000).toFixed(1)}s`);
  if (row.error_message) console.log(paint('red', `  error: ${row.error_message}`));
  console.log(
    `  tokens: ${row.input_tokens} in · ${row.output_tokens} out · ${row.cache_read_tokens} cache read · ` +
      `${row.cache_creation_tokens} cache write · context ${row.context_tokens}`,
  );
  const sdk =
    row.sdk_cost_usd === null ? '' : paint('dim', ` (Claude Code reported ${usd(row.sdk_cost_usd)})`);
  console.log(`  cost: ${usd(row.cost_usd)}${sdk}`);
  if (result.unpricedModels.length)
    console.log(paint('yellow', `  no price for ${result.unpricedModels.join(', ')} (BATON_PRICES_FILE)`));
  const files = result.fileChanges.files;
  console.log(
    `  files changed: ${files.length}${result.fileChanges.error ? paint('yellow', ` (tracking failed: ${result.fileChanges.error})`) : ''}`,
  );
  for (const file of files.slice(0, 20)) {
    console.log(
      `    ${file.status.padEnd(8)} ${file.path} ${paint('green', `+${file.linesAdded}`)} ${paint('red', `−${file.linesRemoved}`)}`,
    );
  }
  if (files.length > 20) console.log(`    … and ${files.length - 20} more`);
  console.log(paint('dim', `  session ${row.session_id ?? '-'} · resume with --resume ${row.id}`));
}
