import { plural } from '../core/plural.ts';
import type { AgentRunResult } from '../agent/run-agent.ts';
import type { RunRow } from '../db/runs.ts';
import { paint, usd } from './terminal.ts';
import { baton } from './invocation.ts';

/** The one object `--json` prints for a finished run: the run's own id is `id`, as in every `--json`. */
export function outcomeJson(row: RunRow, result: AgentRunResult) {
  return {
    id: row.id,
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

/** The human summary at the end of a run. */
export function printSummary(row: RunRow, result: AgentRunResult): void {
  const ok = row.status === 'succeeded';
  const status = row.status.replace('_', ' ');
  // Interrupted is what the person asked for (Ctrl-C), not a failure.
  const title = ok
    ? paint('green', `✓ ${status}`)
    : row.status === 'interrupted'
      ? paint('yellow', `■ ${status}`)
      : paint('red', `✗ ${status}`);
  console.log('');
  console.log(`${title}  ${plural(row.num_turns, 'turn')} · ${((row.duration_ms ?? 0) / 1000).toFixed(1)}s`);
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
  // `--resume` needs the Claude session the run started; without one there is nothing to continue.
  console.log(
    paint(
      'dim',
      row.session_id
        ? `  session ${row.session_id} · continue it: ${baton()} agent run "<prompt>" --resume ${row.id} --cwd ${row.working_dir}`
        : '  no Claude session was started, so there is nothing to resume: start a new run',
    ),
  );
}
