import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { expectJsonStyle } from './helpers/json-style.ts';

describe('baton agents, logs and cost: thin calls of the management tools', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let work: Awaited<ReturnType<typeof scratchDir>>;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('agents-cli-home');
    work = await scratchDir('agents-cli-work');
    await gitRepository(work.path, { 'README.md': '# cli\n' });
    server = await startFakeModelServer({
      script: [
        { ...reply('Hi from the CLI.'), match: { lastUserText: { contains: 'say hi' } } },
        { ...reply('Second answer.'), match: { lastUserText: { contains: 'again' } } },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
    await work.remove();
  });

  const baton = async (...args: string[]) => {
    const result = await runBaton(args, {
      ...cliEnvironment({}),
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-cli-test',
      BATON_MODEL_MAX_RETRIES: '1',
      BATON_SUMMARIES: 'off',
    });
    return {
      ...result,
      json: () => {
        const value = JSON.parse(result.stdout);
        expectJsonStyle(value, args.join(' '));
        return value;
      },
    };
  };

  it('create, command (worked in-process), wait, ls, status, cost, logs and rm round-trip with --json', async () => {
    const created = await baton(
      'agents',
      'create',
      'alice',
      '--cwd',
      work.path,
      '--system-prompt',
      'Be brief.',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.json().agent).toMatchObject({ name: 'alice', status: 'idle' });

    const commanded = await baton(
      'agents',
      'command',
      'alice',
      'Please say hi',
      '--cwd',
      work.path,
      '--json',
    );
    expect(commanded.code, commanded.stderr).toBe(0);
    expect(commanded.json()).toMatchObject({
      timedOut: false,
      command: { status: 'succeeded', result: 'Hi from the CLI.' },
    });

    const detached = await baton(
      'agents',
      'command',
      'alice',
      'Say it again',
      '--cwd',
      work.path,
      '--detach',
      '--json',
    );
    expect(detached.code, detached.stderr).toBe(0);
    const waited = await baton('agents', 'wait', 'alice', '--cwd', work.path, '--json');
    expect(waited.json().command).toMatchObject({
      promptId: detached.json().promptId,
      status: 'succeeded',
      result: 'Second answer.',
    });

    const listed = await baton('agents', 'ls', '--cwd', work.path, '--json');
    expect(
      listed.json().agents.map((agent: { name: string; status: string }) => [agent.name, agent.status]),
    ).toEqual([['alice', 'idle']]);

    const status = await baton('agents', 'status', 'alice', '--cwd', work.path);
    expect(status.stdout).toMatch(/^alice \[idle\]/);
    const statusJson = await baton('agents', 'status', 'alice', '--cwd', work.path, '--json');
    expect(statusJson.json()).toMatchObject({
      agent: { name: 'alice' },
      latestCommand: { status: 'succeeded' },
    });
    const idle = await baton('agents', 'interrupt', 'alice', '--cwd', work.path, '--json');
    expect(idle.json()).toMatchObject({ interruptedPromptId: null });

    const cost = await baton('cost', '--cwd', work.path, '--json');
    const ledger = await db.current.pool.query('select sum(cost_usd)::float8 as usd from usage');
    expect(cost.json().agents[0].costUsd).toBeCloseTo(ledger.rows[0].usd, 6);

    const removed = await baton('agents', 'rm', 'alice', '--cwd', work.path);
    expect(removed.stdout).toMatch(/Deleted alice/);
    const logs = await baton('logs', '--contains', 'alice', '--json');
    expect(logs.json().logs).toHaveLength(2);

    const unknown = await baton('agents', 'status', 'alice', '--cwd', work.path, '--json');
    expect(unknown.code).toBe(2);
    // An error is text with the one prefix, --json or not; it names the agent asked for.
    expect(unknown.stderr).toMatch(/^baton: error: .*alice/);
    expect(unknown.stdout).toBe('');
    server.assertComplete();
  });
});
