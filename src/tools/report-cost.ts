import { resolve } from 'node:path';
import { z } from 'zod';
import { spendByAdw, spendByAgent, type SpendRow } from '../db/cost-report.ts';
import { defineTool } from './tool.ts';

/** The context window the percentages are of (Claude's standard window). */
export const contextWindowTokens = 200_000;

function line(label: string, row: SpendRow): string {
  const share = ((row.context_tokens / contextWindowTokens) * 100).toFixed(1);
  return (
    `${label}: $${row.cost_usd.toFixed(4)} · in ${row.input_tokens} · out ${row.output_tokens} · ` +
    `cache read ${row.cache_read_tokens} · cache write ${row.cache_creation_tokens} · context ${row.context_tokens} (${share}%)`
  );
}

export const reportCost = defineTool({
  name: 'report_cost',
  description:
    'Spend in this workspace from the usage ledger (every model call, never reset): the orchestrator, each ' +
    'agent and each ADW, with input, output, cache-read and cache-write tokens, USD, and how full the ' +
    'context window is after the last call.',
  input: z.object({}),
  async run(_input, context) {
    const pool = context.services.db.pool;
    const workspace = resolve(context.cwd);
    const [orchestrator, agents, adws] = await Promise.all([
      spendByAgent(pool, workspace, ['orchestrator']),
      spendByAgent(pool, workspace, ['command']),
      spendByAdw(pool, workspace),
    ]);
    const all = [...orchestrator, ...agents, ...adws];
    const total = all.reduce((sum, row) => sum + row.cost_usd, 0);
    const text = [
      `Total: $${total.toFixed(4)}`,
      ...orchestrator.map((row) => line('orchestrator', row)),
      ...agents.map((row) => line(`agent ${row.name}`, row)),
      ...adws.map((row) => line(`ADW ${row.name} (${row.id})`, row)),
      ...all
        .filter((row) => row.context_tokens / contextWindowTokens >= 0.8)
        .map(
          (row) =>
            `⚠ ${row.name} has used ${Math.round((row.context_tokens / contextWindowTokens) * 100)}% of its context window.`,
        ),
    ].join('\n');
    return {
      text,
      structured: {
        total_usd: total,
        context_window_tokens: contextWindowTokens,
        orchestrator,
        agents,
        adws,
      },
    };
  },
});
