import { describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { useAgentHarness } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';

const model = modelAliases.haiku;

describe('agent runs: subagents and compaction', () => {
  const db = useTestDatabase();
  const { setUp } = useAgentHarness(db);

  it('records SubagentStart and SubagentStop with the fields the SDK sends, and the subagent call in usage', async () => {
    const usage = { input_tokens: 1_000, output_tokens: 10 };
    const task = toolUse('Task', {
      description: 'survey',
      prompt: 'List the files here',
      subagent_type: 'general-purpose',
    });
    const { dir, server, runner } = await setUp([
      { ...turn(task), usage },
      { ...reply('There is one file.'), match: { lastUserText: { contains: 'List the files here' } }, usage },
      // Claude Code runs the subagent in the background: the main agent answers once when the Task call
      // returns and again when the subagent's notification arrives.
      { ...reply('The subagent found one file.'), times: 'always', usage },
    ]);
    const run = await runner.start({ prompt: 'Survey the repository', cwd: dir, model, author: 'engineer' });
    const { run: row } = await run.done;
    server.assertComplete();
    expect(row.status).toBe('succeeded');
    const events = await readEventsAfter(db.current.pool, 0, { runId: run.runId });
    const started = events.find((event) => event.type === 'SubagentStart');
    const stopped = events.find((event) => event.type === 'SubagentStop');
    expect(started?.payload).toMatchObject({ agent_type: 'general-purpose' });
    expect(stopped?.payload).toMatchObject({
      agent_type: 'general-purpose',
      agent_id: started?.payload.agent_id,
    });
    expect(stopped?.payload).toHaveProperty('agent_transcript_path');
    expect(started!.seq).toBeLessThan(stopped!.seq);
    // Every call is in the usage ledger, the subagent's included (it does not stream to us: what its
    // assistant message lacks is made up from Claude Code's session totals).
    const totals = await db.current.pool.query(
      'select sum(input_tokens)::int as input, sum(output_tokens)::int as output from usage where run_id = $1',
      [run.runId],
    );
    const calls = server.messageRequests().length;
    expect(totals.rows[0]).toEqual({ input: 1_000 * calls, output: 10 * calls });
  });

  it('records compaction (PreCompact, CompactBoundary) and never takes spend back', async () => {
    const { dir, runner } = await setUp([
      reply('Here is a long answer worth compacting later.'),
      {
        ...reply('Summary: the user asked for a long answer.'),
        usage: { input_tokens: 4_000, output_tokens: 300 },
      },
    ]);
    const first = await runner.start({
      prompt: 'Tell me something long',
      cwd: dir,
      model,
      author: 'engineer',
    });
    const firstDone = await first.done;
    const spend = async (runId: string) =>
      (
        await db.current.pool.query<{ message_id: string; cost_usd: number }>(
          'select message_id, cost_usd from usage where run_id = $1 order by message_id',
          [runId],
        )
      ).rows;
    const agentTotal = async () =>
      (
        await db.current.pool.query<{ total: number }>(
          'select coalesce(sum(cost_usd), 0)::float as total from usage where agent_id = $1',
          [first.agentId],
        )
      ).rows[0]!.total;
    const firstSpendBefore = await spend(first.runId);
    const totalBefore = await agentTotal();
    expect(totalBefore).toBeGreaterThan(0);
    const compact = await runner.start({
      prompt: '/compact',
      cwd: dir,
      model,
      author: 'engineer',
      agentId: first.agentId,
      resumeSessionId: firstDone.run.session_id!,
    });
    const compactDone = await compact.done;
    expect(compactDone.run.status).toBe('succeeded');

    const events = await readEventsAfter(db.current.pool, 0, { runId: compact.runId });
    expect(events.find((event) => event.type === 'PreCompact')?.payload).toMatchObject({ trigger: 'manual' });
    expect(events.find((event) => event.type === 'CompactBoundary')?.payload).toMatchObject({
      trigger: 'manual',
    });

    // Across the compaction (after which Claude Code's own session totals start again), spend only grows:
    // the first run's calls are as they were, the compaction call is added, and the run records it.
    expect(await spend(first.runId)).toEqual(firstSpendBefore);
    const compactSpend = await spend(compact.runId);
    const compactCost = compactSpend.reduce((sum, call) => sum + call.cost_usd, 0);
    expect(compactCost).toBeGreaterThan(0);
    expect(compactDone.run.cost_usd).toBeCloseTo(compactCost, 6);
    expect(await agentTotal()).toBeCloseTo(totalBefore + compactCost, 6);
    expect(compactDone.run.sdk_cost_usd ?? 0).toBeGreaterThanOrEqual(0);
  });
});
