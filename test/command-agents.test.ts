import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventsAfter } from '../src/db/events.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

const minute = 60_000;

describe('persistent command agents on real Claude Code, PostgreSQL and pg-boss', () => {
  const db = useTestDatabase();
  const { setUp } = useCommandAgentHarness(db);
  const runsOf = async (agentId: string) =>
    (
      await db.current.pool.query(
        'select id, status, session_id, resumed_session_id, started_at, ended_at from agent_runs where agent_id = $1 order by started_at',
        [agentId],
      )
    ).rows;

  it('enforces a template with `tools: Read`: a Write is refused, recorded, and no file appears', async () => {
    const h = await setUp((dir) => [
      {
        ...turn(toolUse('Write', { file_path: join(dir, 'x.txt'), content: 'x' })),
        match: { lastUserText: { contains: 'write x.txt' } },
      },
      { ...reply('I may only read.'), match: { lastToolResult: { isError: true } } },
    ]);
    mkdirSync(join(h.dir, '.claude', 'agents'), { recursive: true });
    writeFileSync(
      join(h.dir, '.claude', 'agents', 'reader.md'),
      '---\nname: reader\ndescription: reads only\ntools: Read\nmodel: haiku\ncolor: blue\n---\nYou only read files.\n',
    );
    await h.worker();
    const agent = await h.agents.create({ workspace: h.dir, name: 'reader-1', template: 'reader' });
    expect(agent).toMatchObject({
      template: 'reader',
      tools: ['Read'],
      model: 'claude-haiku-5-5',
      status: 'idle',
    });
    // No model turn at creation.
    expect(h.server.messageRequests()).toHaveLength(0);

    const { commandId } = await h.agents.command({
      workspace: h.dir,
      name: 'reader-1',
      command: 'Please write x.txt',
    });
    const { command } = await h.agents.wait(h.dir, 'reader-1', { commandId, timeoutMs: 2 * minute });
    expect(command).toMatchObject({ status: 'succeeded', result_text: 'I may only read.' });
    expect(existsSync(join(h.dir, 'x.txt'))).toBe(false);
    const tools = (h.server.messageRequests()[0]!.body as { tools?: { name: string }[] }).tools ?? [];
    expect(tools.map((tool) => tool.name)).toEqual(['Read']);
    const events = await readEventsAfter(db.current.pool, 0, { agentId: agent.id }, 1000);
    const refused = events.find((event) => event.type === 'ToolResultBlock');
    expect(refused?.payload).toMatchObject({ is_error: true });
    h.server.assertComplete();
  });

  it('runs two commands to one agent in order, each resuming the session; wait returns the last result', async () => {
    const h = await setUp((dir) => [
      {
        ...turn(toolUse('Write', { file_path: join(dir, 'a.txt'), content: 'a' })),
        match: { lastUserText: { contains: 'first task' } },
        delayMs: 1_500,
      },
      { ...reply('Done first.'), match: { lastToolResult: { contains: 'a.txt' } } },
      {
        ...turn(toolUse('Write', { file_path: join(dir, 'b.txt'), content: 'b' })),
        match: { lastUserText: { contains: 'second task' } },
      },
      { ...reply('Done second.'), match: { lastToolResult: { contains: 'b.txt' } } },
    ]);
    const agent = await h.agents.create({ workspace: h.dir, name: 'alice', systemPrompt: 'You are Alice.' });
    const first = await h.agents.command({ workspace: h.dir, name: 'alice', command: 'The first task' });
    const second = await h.agents.command({ workspace: h.dir, name: 'alice', command: 'The second task' });
    expect([first.ahead, second.ahead]).toEqual([0, 1]);
    // A visible queue, before any worker runs.
    expect((await h.agents.openCommands(agent.id)).map((row) => [row.id, row.status])).toEqual([
      [first.commandId, 'queued'],
      [second.commandId, 'queued'],
    ]);
    await h.worker();
    const waited = await h.agents.wait(h.dir, 'alice', { timeoutMs: 2 * minute });
    expect(waited.command).toMatchObject({
      id: second.commandId,
      status: 'succeeded',
      result_text: 'Done second.',
    });
    const runs = await runsOf(agent.id);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
    expect(runs[1].started_at.getTime()).toBeGreaterThanOrEqual(runs[0].ended_at.getTime());
    expect(runs[1].resumed_session_id).toBe(runs[0].session_id);
    const prompts = await db.current.pool.query(
      'select id, run_id from prompts where agent_id = $1 order by created_at',
      [agent.id],
    );
    expect(prompts.rows).toEqual([
      { id: first.commandId, run_id: runs[0].id },
      { id: second.commandId, run_id: runs[1].id },
    ]);
    expect(existsSync(join(h.dir, 'a.txt')) && existsSync(join(h.dir, 'b.txt'))).toBe(true);
    h.server.assertComplete();
  });

  it('runs commands to two agents at the same time', async () => {
    const slow = (who: string) => ({
      ...reply(`${who} done`),
      match: { lastUserText: { contains: `${who}'s job` } },
      delayMs: 4_000,
    });
    const h = await setUp([slow('alice'), slow('bob')]);
    await h.worker();
    const alice = await h.agents.create({ workspace: h.dir, name: 'alice' });
    const bob = await h.agents.create({ workspace: h.dir, name: 'bob' });
    await h.agents.command({ workspace: h.dir, name: 'alice', command: "alice's job" });
    await h.agents.command({ workspace: h.dir, name: 'bob', command: "bob's job" });
    await until(
      async () => {
        const running = await db.current.pool.query(
          `select count(distinct agent_id)::int as n from agent_runs where agent_id = any($1) and status = 'running'`,
          [[alice.id, bob.id]],
        );
        return running.rows[0].n === 2 ? true : undefined;
      },
      'both agents running at once',
      2 * minute,
    );
    for (const name of ['alice', 'bob']) {
      const { command } = await h.agents.wait(h.dir, name, { timeoutMs: 2 * minute });
      expect(command?.result_text).toBe(`${name} done`);
    }
  });

  it('delete_agent stops a running command, cancels the queue, and frees the name', async () => {
    const h = await setUp([
      { ...reply('too late'), match: { lastUserText: { contains: 'long job' } }, delayMs: 10 * minute },
    ]);
    await h.worker();
    const agent = await h.agents.create({ workspace: h.dir, name: 'carol' });
    await h.agents.command({ workspace: h.dir, name: 'carol', command: 'A long job' });
    const queued = await h.agents.command({ workspace: h.dir, name: 'carol', command: 'Another job' });
    await until(
      async () =>
        (await runsOf(agent.id))[0]?.status === 'running' && h.server.messageRequests().length > 0
          ? true
          : undefined,
      'the run to call the model',
    );
    const removed = await h.agents.remove(h.dir, 'carol');
    expect(removed.stillStopping).toBe(false);
    expect(removed.cancelled).toBe(1);
    expect(removed.stopped?.status).toBe('interrupted');
    expect((await runsOf(agent.id)).map((run) => run.status)).toEqual(['interrupted']);
    const rows = await db.current.pool.query('select status from agent_commands where id = $1', [
      queued.commandId,
    ]);
    expect(rows.rows[0].status).toBe('cancelled');
    await expect(h.agents.command({ workspace: h.dir, name: 'carol', command: 'more' })).rejects.toThrow(
      /was deleted/,
    );
    const again = await h.agents.create({ workspace: h.dir, name: 'carol' });
    expect(again.id).not.toBe(agent.id);
  });

  it('keeps a queued command across a restart of the services, and runs it with new ones', async () => {
    const h = await setUp([
      { ...reply('ran after the restart'), match: { lastUserText: { contains: 'durable job' } } },
    ]);
    const first = await h.moreServices();
    const agents = await first.agents();
    await agents.create({ workspace: h.dir, name: 'dave' });
    const { commandId } = await agents.command({ workspace: h.dir, name: 'dave', command: 'A durable job' });
    await first.close();
    await h.worker();
    const { command } = await h.agents.wait(h.dir, 'dave', { commandId, timeoutMs: 2 * minute });
    expect(command).toMatchObject({ status: 'succeeded', result_text: 'ran after the restart' });
  });

  it('gives a running command back when its worker stops, and another worker resumes its session', async () => {
    const h = await setUp([
      { ...reply('finished elsewhere'), match: { lastUserText: { contains: 'Carry on' } } },
      {
        ...reply('never sent'),
        match: { lastUserText: { contains: 'restartable job' } },
        delayMs: 10 * minute,
      },
    ]);
    const other = await h.moreServices();
    const firstWorker = await h.worker(other);
    const agent = await h.agents.create({ workspace: h.dir, name: 'erin' });
    const { commandId } = await h.agents.command({
      workspace: h.dir,
      name: 'erin',
      command: 'A restartable job',
    });
    await until(
      async () => (h.server.messageRequests().length > 0 ? true : undefined),
      'the first run to call the model',
    );
    await firstWorker.stop();
    await h.worker();
    const { command } = await h.agents.wait(h.dir, 'erin', { commandId, timeoutMs: 2 * minute });
    expect(command).toMatchObject({ status: 'succeeded', result_text: 'finished elsewhere', deliveries: 2 });
    const runs = await runsOf(agent.id);
    expect(runs.map((run) => run.status)).toEqual(['interrupted', 'succeeded']);
  });
});
