import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir } from './helpers/agents.ts';
import { batonAs, cliEnvironment, runBaton, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { expectJsonStyle } from './helpers/json-style.ts';

describe('baton CLI against DATABASE_URL', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let work: Awaited<ReturnType<typeof scratchDir>>;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('cli-home');
    work = await scratchDir('cli-work');
    await gitRepository(work.path, { 'README.md': '# demo\n' });
  });
  afterAll(async () => {
    await server?.close();
    await home.remove();
    await work.remove();
  });

  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnvironment({
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server?.url ?? 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: 'sk-ant-cli-test-key',
      BATON_MODEL_MAX_RETRIES: '1',
      BATON_SUMMARIES: 'off',
      ...extra,
    });

  it('agent run --json runs a real agent, prints one object and exits 0', async () => {
    server = await startFakeModelServer({
      script: [
        turn(toolUse('Write', { file_path: join(work.path, 'hello.txt'), content: 'hello\nworld\n' })),
        { ...reply('Wrote hello.txt.'), match: { lastToolResult: { toolName: 'Write' } } },
      ],
    });
    const result = await runBaton(
      ['agent', 'run', 'Write hello.txt', '--cwd', work.path, '--model', 'haiku', '--json'],
      env(),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout);
    expectJsonStyle(outcome, 'agent run --json');
    expect(outcome).toMatchObject({
      status: 'succeeded',
      model: 'claude-haiku-5-5',
      result: 'Wrote hello.txt.',
      files: [{ path: 'hello.txt', status: 'created', linesAdded: 2, linesRemoved: 0, binary: false }],
    });
    expect(outcome.costUsd).toBeGreaterThan(0);
    expect(outcome.numTurns).toBeGreaterThanOrEqual(2);
    server.assertComplete();
    const row = await db.current.pool.query('select status from agent_runs where id = $1', [outcome.id]);
    expect(row.rows[0].status).toBe('succeeded');

    // events tail replays that run from the ledger and, the run having ended, ends too: 0, it succeeded.
    const tail = await runBaton(['events', 'tail', '--run', outcome.id, '--from-seq', '0', '--json'], env());
    expect(tail.code).toBe(0);
    const lines = tail.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    for (const line of lines) expectJsonStyle(line, 'events tail --json');
    const types = lines.map((line) => line.type);
    expect(types[0]).toBe('RunStarted');
    expect(types).toContain('PostToolUse');
  });

  it('agent run shows live progress and a summary, and exits 1 when the run fails', async () => {
    await server.close();
    server = await startFakeModelServer({
      script: [{ error: { status: 500, message: 'model down' }, times: 'always' }],
    });
    const result = await runBaton(['agent', 'run', 'Say hi', '--cwd', work.path], env());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ failed');
    expect(result.stdout).toMatch(/error: .*(500|model down)/);
    expect(result.stdout).toMatch(
      new RegExp(`continue it: ${batonAs(env())} agent run "<prompt>" --resume [0-9a-f-]{36} --cwd `),
    );
  });

  it('rejects bad input with a message naming what to change, recording nothing', async () => {
    const before = await db.current.pool.query('select count(*)::int as count from agent_runs');
    const malformedScript = join(work.path, 'malformed.json');
    const invalidScript = join(work.path, 'invalid.json');
    await writeFile(malformedScript, '{ "turns": [ ');
    await writeFile(invalidScript, JSON.stringify({ turns: [{ delayMs: -1 }] }));
    const cases: [string[], Record<string, string | undefined>, RegExp, number][] = [
      [
        ['agent', 'run', 'x', '--cwd', '/no/such/dir'],
        {},
        /does not exist: pass an existing directory with --cwd/,
        2,
      ],
      [['agent', 'run'], {}, /missing required argument 'prompt'/, 2],
      [
        ['agent', 'run', 'x', '--cwd', work.path, '--model', 'gpt'],
        {},
        /Unknown model "gpt" in --model: use one of opus, sonnet, haiku/,
        2,
      ],
      [
        ['agent', 'run', 'x', '--cwd', work.path, '--max-cost', '-1'],
        {},
        /--max-cost.*expected a positive amount in USD/,
        2,
      ],
      [
        ['agent', 'run', 'x', '--cwd', work.path, '--max-turns', '2.5'],
        {},
        /--max-turns.*expected a whole number of at least 1/,
        2,
      ],
      [['agent', 'run', '  ', '--cwd', work.path], {}, /The prompt is empty/, 2],
      [
        ['agent', 'run', 'x', '--cwd', work.path],
        { ANTHROPIC_BASE_URL: undefined, ANTHROPIC_API_KEY: undefined },
        /No model credentials: set ANTHROPIC_API_KEY/,
        2,
      ],
      [
        ['agent', 'run', 'x', '--cwd', work.path],
        { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' },
        /Cannot use the database at DATABASE_URL .*unset DATABASE_URL to use the embedded database/,
        3,
      ],
      [['agent', 'run', 'x', '--cwd', work.path], { BATON_MODEL: 'gpt' }, /in BATON_MODEL/, 2],
      [
        ['agent', 'run', 'x', '--cwd', work.path, '--resume', 'no-such-session'],
        {},
        /No run or session "no-such-session"/,
        2,
      ],
      [['events', 'tail', '--agent', 'nope'], {}, /--agent.*expected an id/, 2],
      [
        ['agent', 'run', 'x', '--cwd', work.path, '--model', 'claude-nonexistent-9'],
        {},
        /Unknown model "claude-nonexistent-9" in --model: baton has no price for it/,
        2,
      ],
      [
        ['agent', 'run', 'x', '--cwd', work.path],
        { ANTHROPIC_BASE_URL: 'not-a-url' },
        /ANTHROPIC_BASE_URL must be/,
        2,
      ],
      [
        ['dev', 'fake-model', '--script', '/no/such/script.json'],
        {},
        /--script \/no\/such\/script.json: cannot read it/,
        2,
      ],
      [['dev', 'fake-model', '--script', malformedScript], {}, /--script .*: not valid JSON/, 2],
      [['dev', 'fake-model', '--script', invalidScript], {}, /--script: invalid fake model script/, 2],
    ];
    for (const [args, extra, message, code] of cases) {
      const result = await runBaton(args, env(extra));
      expect(result.stderr, args.join(' ')).toMatch(/^baton: error: /);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).not.toMatch(/unexpected error|\n\s+at /);
      expect(result.code, args.join(' ')).toBe(code);
    }
    const after = await db.current.pool.query('select count(*)::int as count from agent_runs');
    expect(after.rows[0].count).toBe(before.rows[0].count);
  });

  it('doctor and db status report on the machine without changing it', async () => {
    const doctor = await runBaton(['doctor', '--json'], env());
    const report = JSON.parse(doctor.stdout);
    expectJsonStyle(report, 'doctor --json');
    expect(report.checks.map((check: { name: string }) => check.name)).toEqual([
      'Node.js',
      'database',
      'Claude Code',
      'git',
      'model access',
    ]);
    expect(report.ok).toBe(true);
    expect(doctor.code).toBe(0);

    const broken = await runBaton(
      ['doctor'],
      env({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x',
        ANTHROPIC_BASE_URL: undefined,
        ANTHROPIC_API_KEY: undefined,
      }),
    );
    expect(broken.code).toBe(3);
    expect(broken.stdout).toMatch(/✗ database/);
    expect(broken.stdout).toMatch(/✗ model access/);
    expect(broken.stdout).toMatch(/→ Set ANTHROPIC_API_KEY/);

    const status = await runBaton(['db', 'status', '--json'], env());
    expectJsonStyle(JSON.parse(status.stdout), 'db status --json');
    const migrations = JSON.parse(status.stdout).migrations;
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((migration: { appliedAt: string | null }) => migration.appliedAt)).toBe(true);
  });
});

describe('baton CLI on the embedded database (no DATABASE_URL)', () => {
  it('runs the scripted demo on a fresh data directory without any credentials', async () => {
    const home = await scratchDir('demo-home');
    try {
      const result = await runBaton(['demo', '--json'], cliEnvironment({ BATON_HOME: home.path }));
      expect(result.code).toBe(0);
      const outcome = JSON.parse(result.stdout);
      expect(outcome).toMatchObject({
        scripted: true,
        status: 'succeeded',
        workflow: 'plan_build_review_fix',
      });
      expect(outcome.repository.startsWith(join(home.path, 'demo'))).toBe(true);
      // The whole flow: the scripted review fails with a BLOCKER and the fix step runs.
      expect(
        outcome.steps.map((step: { name: string; status: string }) => `${step.name}:${step.status}`),
      ).toEqual(['plan:succeeded', 'build:succeeded', 'review:succeeded', 'fix:succeeded']);
      expect(outcome.steps[2].output).toMatchObject({ verdict: 'FAIL', tiers: { BLOCKER: 1 } });
      expect(outcome.branch).toMatch(/^adw\//);
    } finally {
      await home.remove();
    }
  });

  it('starts it, refuses a second owner of the data directory, lets others join, and stops it on exit', async () => {
    const home = await scratchDir('embedded-home');
    const env = cliEnvironment({ BATON_HOME: home.path, BATON_PORT: '0' });
    try {
      const migrated = await runBaton(['db', 'migrate', '--json'], env);
      expect(migrated.code).toBe(0);
      const report = JSON.parse(migrated.stdout);
      expect(report.database).toContain(`embedded PostgreSQL (${join(home.path, 'postgres', 'data')})`);
      expect(report.applied.length).toBeGreaterThan(0);

      const up = startBaton(['up'], env);
      await up.waitFor(/baton is up[\s\S]*open +http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/);
      // The printed URL is the server's, with the token that BATON_HOME/server-token holds.
      const url = new URL(/open +(\S+)/.exec(up.stdout)![1]!);
      const token = readFileSync(join(home.path, 'server-token'), 'utf8').trim();
      expect(url.searchParams.get('token')).toBe(token);
      const health = await fetch(`${url.origin}/api/health`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(health.status).toBe(200);
      expect((await fetch(`${url.origin}/api/health`)).status).toBe(401);
      // The workspace's discovery and orchestrator are wired in.
      for (const path of ['/api/commands', '/api/templates', '/api/orchestrator', '/api/tools']) {
        const response = await fetch(`${url.origin}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status, path).toBe(200);
      }
      const second = await runBaton(['up'], env);
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(
        /already run by another baton process \(pid \d+\).*set BATON_HOME to another directory/,
      );

      const joined = await runBaton(['db', 'status', '--json'], env);
      expect(joined.code).toBe(0);
      expect(
        JSON.parse(joined.stdout).migrations.every((m: { appliedAt: string | null }) => m.appliedAt),
      ).toBe(true);

      // Another address needs saying so, and is refused before anything starts.
      const exposed = await runBaton(['serve', '--host', '0.0.0.0'], env);
      expect(exposed.code).toBe(2);
      expect(exposed.stderr).toMatch(/BATON_HOST=0\.0\.0\.0 .*pass --allow-remote/);

      up.child.kill('SIGINT');
      expect(await up.exited).toBe(130); // stopped cleanly by Ctrl-C
      // Stopped cleanly: the next process becomes the owner again.
      const again = await runBaton(['db', 'status'], env);
      expect(again.code).toBe(0);
    } finally {
      await home.remove();
    }
  });
});
