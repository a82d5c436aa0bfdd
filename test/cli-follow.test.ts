import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

describe('following runs and the event log, and Ctrl-C', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let work: Awaited<ReturnType<typeof scratchDir>>;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('follow-home');
    work = await scratchDir('follow-work');
    await gitRepository(work.path, { 'README.md': '# follow\n' });
    server = await startFakeModelServer({
      script: [
        // The slow one: an agent that is still thinking when it is followed and interrupted.
        {
          ...reply('Finally.'),
          delayMs: 60_000,
          match: { lastUserText: { contains: 'slowly' } },
          times: 'always',
        },
        { ...reply('Quick.'), match: { lastUserText: { contains: 'quickly' } }, times: 'always' },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
    await work.remove();
  });

  const env = () =>
    cliEnvironment({
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-follow-test',
      BATON_MODEL_MAX_RETRIES: '0',
      BATON_SUMMARIES: 'off',
    });
  const runOf = async (agentName: string) =>
    until(async () => {
      const result = await db.current.pool.query(
        `select r.id, r.status from agent_runs r join agents a on a.id = r.agent_id where a.name = $1`,
        [agentName],
      );
      return result.rows[0] as { id: string; status: string } | undefined;
    }, `the run of ${agentName}`);

  it('agent run: Ctrl-C interrupts the agent, records it as interrupted and exits 130; a follow of the run ends with it', async () => {
    // --cwd defaults to the directory baton is started in, as for every command that takes it.
    const agent = startBaton(['agent', 'run', 'Answer slowly', '--name', 'slow'], env(), { cwd: work.path });
    const run = await runOf('slow');
    await agent.waitFor(/Ctrl-C interrupts the agent/);
    const follow = startBaton(['events', 'tail', '--run', run.id.slice(0, 8), '--json'], env());
    await follow.waitFor(/"type":"RunStarted"/);

    agent.child.kill('SIGINT');
    expect(await agent.exited).toBe(130);
    expect(agent.stdout).toMatch(/■ interrupted/);
    expect((await runOf('slow')).status).toBe('interrupted');
    const cwd = await db.current.pool.query('select working_dir from agent_runs where id = $1', [run.id]);
    expect(cwd.rows[0].working_dir).toBe(work.path);

    // The run ended (interrupted, not succeeded): the follow ends by itself with 1, its last event printed.
    expect(await follow.exited).toBe(1);
    expect(follow.stdout.trim().split('\n').at(-1)).toMatch(/"type":"RunEnded"/);
  });

  it('events tail without --run or --adw keeps following until Ctrl-C (130); --no-follow lists and exits 0', async () => {
    const quick = await runBaton(['agent', 'run', 'Answer quickly', '--cwd', work.path, '--json'], env());
    expect(quick.code, quick.stderr).toBe(0);
    const { id } = JSON.parse(quick.stdout) as { id: string };

    const listing = await runBaton(['events', 'tail', '--last', '3', '--no-follow', '--json'], env());
    expect(listing.code).toBe(0);
    const listed = listing.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { runId?: string });
    expect(listed).toHaveLength(3);
    expect(listed.at(-1)!.runId).toBe(id);

    const tail = startBaton(['events', 'tail', '--json'], env());
    await tail.waitFor(new RegExp(`"runId":"${id}"`));
    // A new run's events arrive while it follows.
    const next = await runBaton(
      ['agent', 'run', 'Answer quickly again', '--cwd', work.path, '--json'],
      env(),
    );
    const nextId = (JSON.parse(next.stdout) as { id: string }).id;
    await tail.waitFor(
      new RegExp(`"runId":"${nextId}".*"type":"RunEnded"|"type":"RunEnded".*"runId":"${nextId}"`),
    );
    expect(tail.child.exitCode).toBeNull();
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(130);
  });
});
