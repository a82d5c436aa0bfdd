import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { findResumeTarget } from '../src/services/runs/resume-target.ts';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { scratchDir, testRunner, testRuntime, useAgentHarness } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';

const model = modelAliases.haiku;

function processesMatching(text: string): string[] {
  const result = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line.trim() && Number(line) !== result.pid);
}

describe('agent runs: resume, interrupt, model errors, budgets', () => {
  const db = useTestDatabase();
  const { setUp, defer } = useAgentHarness(db);

  it('resumes an earlier session: the model sees the earlier conversation', async () => {
    const { dir, server, runner } = await setUp([
      reply('Noted: the code word is pineapple.'),
      {
        ...reply('The code word was pineapple.'),
        match: { lastUserText: { contains: 'What was the code word?' } },
      },
    ]);
    const first = await runner.start({
      prompt: 'Remember the code word pineapple.',
      cwd: dir,
      model,
      author: 'engineer',
    });
    const firstDone = await first.done;
    expect(firstDone.run.status).toBe('succeeded');

    const target = await findResumeTarget(db.current.pool, first.runId);
    expect(target).toEqual({ agentId: first.agentId, sessionId: firstDone.run.session_id });
    const second = await runner.start({
      prompt: 'What was the code word?',
      cwd: dir,
      model,
      author: 'engineer',
      agentId: target.agentId,
      resumeSessionId: target.sessionId,
    });
    const secondDone = await second.done;
    server.assertComplete();
    expect(secondDone.run.status).toBe('succeeded');
    expect(secondDone.run.session_id).toBe(firstDone.run.session_id);
    expect(secondDone.run.resumed_session_id).toBe(firstDone.run.session_id);
    expect(secondDone.result.resultText).toBe('The code word was pineapple.');

    const resumedRequest = JSON.stringify(server.messageRequests().at(-1)!.body);
    expect(resumedRequest).toContain('Remember the code word pineapple.');
    expect(resumedRequest).toContain('Noted: the code word is pineapple.');
    expect(second.agentId).toBe(first.agentId);
  });

  it('resumes a session on another machine through the PostgreSQL session store', async () => {
    const { dir, server, runner } = await setUp([
      reply('Noted: the code word is mango.'),
      { ...reply('It was mango.'), match: { lastUserText: { contains: 'Which code word?' } } },
    ]);
    const first = await runner.start({
      prompt: 'Remember the code word mango.',
      cwd: dir,
      model,
      author: 'engineer',
    });
    const firstDone = await first.done;
    const stored = await db.current.pool.query(
      'select count(*)::int as count from session_entries where session_id = $1',
      [firstDone.run.session_id],
    );
    expect(stored.rows[0].count).toBeGreaterThan(0);

    // Another "machine": its own Claude Code config directory, which has never seen this session.
    const elsewhere = await scratchDir('elsewhere');
    defer(elsewhere.remove);
    const { runner: remote, writer } = testRunner(db.current.pool, testRuntime(elsewhere.path, server.url));
    defer(() => writer.close());
    const second = await remote.start({
      prompt: 'Which code word?',
      cwd: dir,
      model,
      author: 'engineer',
      agentId: first.agentId,
      resumeSessionId: firstDone.run.session_id!,
    });
    const secondDone = await second.done;
    server.assertComplete();
    expect(secondDone.run.status).toBe('succeeded');
    expect(JSON.stringify(server.messageRequests().at(-1)!.body)).toContain('Remember the code word mango.');
  });

  it('interrupts a run in the middle of a tool call within seconds, recorded as interrupted', async () => {
    // Claude Code refuses a bare `sleep`; a node process marked so we can look for it afterwards does the same.
    const marker = `baton-interrupt-${process.pid}-${Date.now()}`;
    const { dir, runner } = await setUp([
      turn(toolUse('Bash', { command: `node -e "setTimeout(() => {}, 600000)" --title ${marker}` })),
      { ...reply('unused'), times: 'always' },
    ]);
    const run = await runner.start({ prompt: 'Wait a while', cwd: dir, model, author: 'engineer' });
    // Interrupted once the tool's process really runs: it would run for 10 minutes, so a run that waited
    // for it instead of stopping it would time the test out.
    for (let tries = 0; processesMatching(marker).length === 0; tries++) {
      if (tries > 600) throw new Error('the tool process never started');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await run.interrupt();
    const { run: row } = await run.done;
    expect(row.status).toBe('interrupted');
    expect(row.stop_reason).toBe('interrupted');
    expect(processesMatching(marker), 'the tool process was stopped too').toEqual([]);
    const events = await readEventsAfter(db.current.pool, 0, { runId: run.runId });
    expect(events.at(-1)!.type).toBe('RunEnded');
    expect(events.at(-1)!.payload.status).toBe('interrupted');
    const agent = await db.current.pool.query('select status from agents where id = $1', [run.agentId]);
    expect(agent.rows[0].status).toBe('idle');
  });

  it('completes after a 529 overloaded answer, recording the retry', async () => {
    const { dir, server, runner } = await setUp([{ error: { status: 529 } }, reply('Fine now.')]);
    const run = await runner.start({ prompt: 'Hello', cwd: dir, model, author: 'engineer' });
    const { run: row } = await run.done;
    server.assertComplete();
    expect(row.status).toBe('succeeded');
    const events = await readEventsAfter(db.current.pool, 0, { runId: run.runId });
    const retry = events.find((event) => event.type === 'ApiRetry');
    expect(retry?.payload.error_status).toBe(529);
  });

  it('fails the run with the error recorded when the model keeps answering 500', async () => {
    const { dir, runner } = await setUp([
      { error: { status: 500, message: 'the model is broken' }, times: 'always' },
    ]);
    const run = await runner.start({ prompt: 'Hello', cwd: dir, model, author: 'engineer' });
    const { run: row } = await run.done;
    expect(row.status).toBe('failed');
    expect(row.error_message).toMatch(/500|the model is broken/);
    const events = await readEventsAfter(db.current.pool, 0, { runId: run.runId });
    expect(events.filter((event) => event.type === 'ApiRetry')).toHaveLength(2);
    expect(events.at(-1)!.payload).toMatchObject({ status: 'failed' });
    const agent = await db.current.pool.query('select status from agents where id = $1', [run.agentId]);
    expect(agent.rows[0].status).toBe('blocked');
  });

  it('stops at the turn limit and at the cost budget, recorded as budget_exceeded', async () => {
    const looping: Turn = { ...turn(toolUse('Bash', { command: 'echo again' })), times: 'always' };
    const { dir, runner } = await setUp([looping]);
    const turns = await (
      await runner.start({ prompt: 'Loop', cwd: dir, model, author: 'engineer', maxTurns: 2 })
    ).done;
    expect(turns.run.status).toBe('budget_exceeded');
    expect(turns.run.stop_reason).toBe('max_turns');

    const costly = await runner.start({
      prompt: 'Loop',
      cwd: dir,
      model,
      author: 'engineer',
      maxCostUsd: 0.0001,
    });
    const cost = await costly.done;
    expect(cost.run.status).toBe('budget_exceeded');
    expect(cost.run.stop_reason).toBe('max_cost');
    expect(cost.run.cost_usd).toBeGreaterThanOrEqual(0.0001);
  });

  it('refuses a working directory that does not exist before recording anything', async () => {
    const { runner } = await setUp([]);
    const before = await db.current.pool.query('select count(*)::int as count from agent_runs');
    await expect(
      runner.start({ prompt: 'x', cwd: '/nonexistent/baton/dir', model, author: 'engineer' }),
    ).rejects.toThrow(/does not exist: pass an existing directory with --cwd/);
    const after = await db.current.pool.query('select count(*)::int as count from agent_runs');
    expect(after.rows[0].count).toBe(before.rows[0].count);
  });
});
