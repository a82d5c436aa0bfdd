import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../src/core/is-alive.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { cliEnvironment, startBaton } from './helpers/cli.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

const minute = 60_000;

/** A command that writes `file` (with these usage figures on each of its two model calls), then says `done`. */
function writes(
  dir: string,
  label: string,
  file: string,
  usage = { input_tokens: 1_000, output_tokens: 10 },
) {
  return [
    {
      ...turn(toolUse('Write', { file_path: join(dir, file), content: `${label}\n` })),
      match: { lastUserText: { contains: label } },
      usage,
    },
    { ...reply(`${label} done`), match: { lastToolResult: { contains: file } }, usage },
  ] satisfies Turn[];
}

describe('warm Claude Code processes for command agents (real Claude Code, PostgreSQL, pg-boss)', () => {
  const db = useTestDatabase();
  const { setUp } = useCommandAgentHarness(db);
  const query = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await db.current.pool.query(text, values)).rows as T[];
  const runsOf = (agentId: string) =>
    query<{
      id: string;
      status: string;
      agent_pid: number;
      session_id: string;
      resumed_session_id: string | null;
      cost_usd: number;
      sdk_cost_usd: number;
      input_tokens: number;
      output_tokens: number;
    }>(
      `select id, status, agent_pid, session_id, resumed_session_id, cost_usd::float8, sdk_cost_usd::float8,
              input_tokens, output_tokens
         from agent_runs where agent_id = $1 order by started_at`,
      [agentId],
    );
  const eventsOf = (agentId: string, type: string) =>
    query<{ run_id: string; payload: Record<string, unknown> }>(
      'select run_id, payload from events where agent_id = $1 and type = $2 order by seq',
      [agentId, type],
    );
  const warmRows = (agentId: string) =>
    query<{ worker_id: string }>('select worker_id from warm_agents where agent_id = $1', [agentId]);

  it('runs a follow-up in the same process, recording each run with its own prompt, usage, cost and files', async () => {
    const h = await setUp((dir) => [
      ...writes(dir, 'first task', 'a.txt'),
      ...writes(dir, 'second task', 'b.txt', { input_tokens: 3_000, output_tokens: 30 }),
    ]);
    const worker = await h.worker();
    const agent = await h.agents.create({ workspace: h.dir, name: 'alice' });
    const first = await h.agents.command({ workspace: h.dir, name: 'alice', command: 'The first task' });
    await h.agents.wait(h.dir, 'alice', { commandId: first.commandId, timeoutMs: 2 * minute });
    const [firstRun] = await runsOf(agent.id);
    expect(isAlive(firstRun!.agent_pid)).toBe(true); // kept alive after its command
    expect((await warmRows(agent.id)).map((row) => row.worker_id)).toEqual([worker.id]);

    const second = await h.agents.command({ workspace: h.dir, name: 'alice', command: 'The second task' });
    const { command } = await h.agents.wait(h.dir, 'alice', {
      commandId: second.commandId,
      timeoutMs: 2 * minute,
    });
    expect(command).toMatchObject({ status: 'succeeded', result_text: 'second task done' });
    h.server.assertComplete();

    const runs = await runsOf(agent.id);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
    // One process: the same pid, the second run started warm, and Claude Code started its session once.
    expect(runs[1]!.agent_pid).toBe(runs[0]!.agent_pid);
    expect((await eventsOf(agent.id, 'RunStarted')).map((event) => event.payload.warm)).toEqual([
      false,
      true,
    ]);
    expect(await eventsOf(agent.id, 'SessionStart')).toHaveLength(1);
    expect(runs[1]!.resumed_session_id).toBe(runs[0]!.session_id);
    expect(runs[1]!.session_id).toBe(runs[0]!.session_id);
    // Each prompt row is its own run's.
    const prompts = await query('select id, run_id from prompts where agent_id = $1 order by created_at', [
      agent.id,
    ]);
    expect(prompts).toEqual([
      { id: first.commandId, run_id: runs[0]!.id },
      { id: second.commandId, run_id: runs[1]!.id },
    ]);
    // Usage per run, not cumulative: two calls each, at each run's own figures.
    for (const [run, input, output] of [
      [runs[0]!, 2_000, 20],
      [runs[1]!, 6_000, 60],
    ] as const) {
      const [sums] = await query(
        'select sum(input_tokens)::int as input, sum(output_tokens)::int as output from usage where run_id = $1',
        [run.id],
      );
      expect(sums).toEqual({ input, output });
      expect([run.input_tokens, run.output_tokens]).toEqual([input, output]);
      // Claude Code's own cost figure for the run is this run's share of its cumulative total.
      expect(run.sdk_cost_usd).toBeCloseTo(run.cost_usd, 6);
    }
    // Each run's own file changes.
    const files = await query(
      'select run_id, path, status from file_changes where agent_id = $1 order by path',
      [agent.id],
    );
    expect(files).toEqual([
      { run_id: runs[0]!.id, path: 'a.txt', status: 'created' },
      { run_id: runs[1]!.id, path: 'b.txt', status: 'created' },
    ]);
  });

  it('closes an idle process after BATON_WARM_IDLE_MS, records its SessionEnd, and the next command starts cold', async () => {
    const h = await setUp(
      (dir) => [...writes(dir, 'early task', 'a.txt'), ...writes(dir, 'late task', 'b.txt')],
      {
        env: { BATON_WARM_IDLE_MS: '1500' },
      },
    );
    await h.worker();
    const agent = await h.agents.create({ workspace: h.dir, name: 'bob' });
    await h.agents.command({ workspace: h.dir, name: 'bob', command: 'The early task' });
    await h.agents.wait(h.dir, 'bob', { timeoutMs: 2 * minute });
    const [firstRun] = await runsOf(agent.id);
    await until(
      async () => (!isAlive(firstRun!.agent_pid) ? true : undefined),
      'the idle process to be closed',
      30_000,
    );
    await until(
      async () => ((await warmRows(agent.id)).length === 0 ? true : undefined),
      'warm_agents row gone',
    );
    const ends = await until(async () => {
      const rows = await eventsOf(agent.id, 'SessionEnd');
      return rows.length ? rows : undefined;
    }, 'its SessionEnd');
    expect(ends.map((event) => event.run_id)).toEqual([firstRun!.id]);

    await h.agents.command({ workspace: h.dir, name: 'bob', command: 'The late task' });
    const { command } = await h.agents.wait(h.dir, 'bob', { timeoutMs: 2 * minute });
    expect(command?.status).toBe('succeeded');
    const runs = await runsOf(agent.id);
    expect(runs[1]!.agent_pid).not.toBe(runs[0]!.agent_pid);
    expect((await eventsOf(agent.id, 'RunStarted')).map((event) => event.payload.warm)).toEqual([
      false,
      false,
    ]);
    expect(runs[1]!.resumed_session_id).toBe(runs[0]!.session_id);
  });

  it('interrupts a follow-up running in a warm process, and closes that process', async () => {
    const h = await setUp((dir) => [
      ...writes(dir, 'quick task', 'a.txt'),
      { ...reply('too late'), match: { lastUserText: { contains: 'slow task' } }, delayMs: 10 * minute },
    ]);
    await h.worker();
    const agent = await h.agents.create({ workspace: h.dir, name: 'carol' });
    await h.agents.command({ workspace: h.dir, name: 'carol', command: 'The quick task' });
    await h.agents.wait(h.dir, 'carol', { timeoutMs: 2 * minute });
    const requestsBefore = h.server.messageRequests().length;
    const slow = await h.agents.command({ workspace: h.dir, name: 'carol', command: 'The slow task' });
    await until(
      async () => (h.server.messageRequests().length > requestsBefore ? true : undefined),
      'the follow-up to call the model',
    );
    const interrupted = await h.agents.interrupt(h.dir, 'carol');
    expect(interrupted.command?.id).toBe(slow.commandId);
    const { command } = await h.agents.wait(h.dir, 'carol', { commandId: slow.commandId, timeoutMs: minute });
    expect(command?.status).toBe('interrupted');
    const runs = await runsOf(agent.id);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'interrupted']);
    expect(runs[1]!.agent_pid).toBe(runs[0]!.agent_pid);
    expect((await eventsOf(agent.id, 'RunStarted')).map((event) => event.payload.warm)).toEqual([
      false,
      true,
    ]);
    // An interrupted run's process is not kept.
    await until(async () => (!isAlive(runs[1]!.agent_pid) ? true : undefined), 'the process to end');
    await until(
      async () => ((await warmRows(agent.id)).length === 0 ? true : undefined),
      'warm_agents row gone',
    );
  });

  it('kills the warm process of an agent that is deleted', async () => {
    const h = await setUp((dir) => writes(dir, 'only task', 'a.txt'));
    await h.worker();
    const agent = await h.agents.create({ workspace: h.dir, name: 'dave' });
    await h.agents.command({ workspace: h.dir, name: 'dave', command: 'The only task' });
    await h.agents.wait(h.dir, 'dave', { timeoutMs: 2 * minute });
    const [run] = await runsOf(agent.id);
    expect(isAlive(run!.agent_pid)).toBe(true);
    await h.agents.remove(h.dir, 'dave');
    await until(async () => (!isAlive(run!.agent_pid) ? true : undefined), 'the warm process to end');
    await until(
      async () => ((await warmRows(agent.id)).length === 0 ? true : undefined),
      'warm_agents row gone',
    );
  });

  it('evicts an idle warm process when another agent needs its Claude Code slot', async () => {
    const h = await setUp(
      (dir) => [...writes(dir, 'alice task', 'a.txt'), ...writes(dir, 'bob task', 'b.txt')],
      { env: { BATON_MAX_AGENTS: '1', BATON_WARM_IDLE_MS: String(30 * minute) } },
    );
    await h.worker();
    const alice = await h.agents.create({ workspace: h.dir, name: 'alice' });
    const bob = await h.agents.create({ workspace: h.dir, name: 'bob' });
    await h.agents.command({ workspace: h.dir, name: 'alice', command: 'The alice task' });
    await h.agents.wait(h.dir, 'alice', { timeoutMs: 2 * minute });
    const [aliceRun] = await runsOf(alice.id);
    expect(isAlive(aliceRun!.agent_pid)).toBe(true); // idle, holding the host's only slot

    await h.agents.command({ workspace: h.dir, name: 'bob', command: 'The bob task' });
    const { command } = await h.agents.wait(h.dir, 'bob', { timeoutMs: 2 * minute });
    expect(command?.status).toBe('succeeded');
    expect(existsSync(join(h.dir, 'b.txt'))).toBe(true);
    // Bob waited for the slot, and alice's idle process gave it up.
    expect((await eventsOf(bob.id, 'RunQueued')).length).toBeGreaterThan(0);
    // It closes beside bob's run, which took its slot at once.
    await until(async () => (!isAlive(aliceRun!.agent_pid) ? true : undefined), 'alice exits');
    await until(async () => ((await warmRows(alice.id)).length === 0 ? true : undefined), 'no warm row');
  });

  it('routes follow-ups to the worker that keeps the agent warm when two workers take commands', async () => {
    const labels = ['one', 'two', 'three', 'four'];
    const h = await setUp((dir) => labels.flatMap((label) => writes(dir, `task ${label}`, `${label}.txt`)));
    const other = await h.moreServices();
    const workers = [await h.worker(), await h.worker(other)];
    const agent = await h.agents.create({ workspace: h.dir, name: 'erin' });
    for (const label of labels) {
      await h.agents.command({ workspace: h.dir, name: 'erin', command: `The task ${label}` });
      const { command } = await h.agents.wait(h.dir, 'erin', { timeoutMs: 2 * minute });
      expect(command?.status).toBe('succeeded');
    }
    const commands = await query<{ worker_id: string }>(
      'select worker_id from agent_commands where agent_id = $1 order by position',
      [agent.id],
    );
    expect(new Set(commands.map((row) => row.worker_id)).size).toBe(1);
    expect(workers.map((worker) => worker.id)).toContain(commands[0]!.worker_id);
    const runs = await runsOf(agent.id);
    expect(new Set(runs.map((run) => run.agent_pid)).size).toBe(1);
    expect((await eventsOf(agent.id, 'RunStarted')).map((event) => event.payload.warm)).toEqual([
      false,
      true,
      true,
      true,
    ]);
  });

  it('never strands a follow-up whose warm holder died: another worker runs it cold', async () => {
    const h = await setUp((dir) => [
      ...writes(dir, 'before death', 'a.txt'),
      ...writes(dir, 'after death', 'b.txt'),
    ]);
    // The holder: a `baton worker` of its own, killed with SIGKILL once it keeps the agent warm.
    const holder = startBaton(
      ['worker'],
      cliEnvironment({ ...h.env, BATON_WARM_IDLE_MS: String(30 * minute) }),
    );
    await holder.waitFor(/worker ready/, 2 * minute);
    const agent = await h.agents.create({ workspace: h.dir, name: 'frank' });
    await h.agents.command({ workspace: h.dir, name: 'frank', command: 'Work before death' });
    await h.agents.wait(h.dir, 'frank', { timeoutMs: 2 * minute });
    const [holderRow] = await until(async () => {
      const rows = await warmRows(agent.id);
      return rows.length ? rows : undefined;
    }, 'the holder to keep the agent warm');
    holder.child.kill('SIGKILL');
    await holder.exited;

    const survivor = await h.worker(undefined, 4, { staleMs: 3_000, heartbeatMs: 500 });
    await h.agents.command({ workspace: h.dir, name: 'frank', command: 'Work after death' });
    const { command } = await h.agents.wait(h.dir, 'frank', { timeoutMs: 2 * minute });
    expect(command?.status).toBe('succeeded');
    const commands = await query<{ worker_id: string }>(
      'select worker_id from agent_commands where agent_id = $1 order by position',
      [agent.id],
    );
    expect(commands.map((row) => row.worker_id)).toEqual([holderRow!.worker_id, survivor.id]);
    expect((await eventsOf(agent.id, 'RunStarted')).map((event) => event.payload.warm)).toEqual([
      false,
      false,
    ]);
    expect(existsSync(join(h.dir, 'b.txt'))).toBe(true);
  });
});
