import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adwScript } from '../src/demo/adw-script.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import {
  startFakeModelServer,
  type FakeModelServer,
  type Turn,
} from '../src/testing/fake-model-server/index.ts';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

/** The summary model is down: every batch of summaries fails. */
const summariesFail: Turn = {
  name: 'summaries fail',
  match: { hasTools: false, anyText: { contains: 'log summarizer' } },
  error: { status: 529 },
  times: 'always',
};

describe('baton up says how to stop it and what it is doing', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let repo: string;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('cli-up-activity');
    repo = await createSampleRepository(home.path);
    // Two ADWs: the second runs after the first failed batch was reported, so its events make a batch of
    // their own, however the first one's events were batched.
    server = await startFakeModelServer({
      script: [summariesFail, ...adwScript({ verdict: 'PASS' }), ...adwScript({ verdict: 'PASS' })],
    });
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
  });

  it('prints an activity log of steps and agents, and a warning that repeats once, with what to do', async () => {
    const env = cliEnvironment({
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      BATON_PORT: '0',
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-up-test',
      BATON_MODEL_MAX_RETRIES: '1',
      BATON_SUMMARIES: 'on',
    });
    const up = startBaton(['up', '--cwd', repo], env);
    try {
      await up.waitFor(/baton is up[\s\S]*stop it +Ctrl-C/);
      await up.waitFor(/activity: /);

      const queued = await runBaton(
        ['adw', 'run', 'plan_build', 'Add a farewell function', '--cwd', repo, '--detach', '--json'],
        env,
      );
      expect(queued.code, queued.stderr).toBe(0);
      const short = (JSON.parse(queued.stdout) as { id: string }).id.slice(0, 8);
      await up.waitFor(new RegExp(`adw ${short} · Workflow succeeded`));

      const time = '\\d\\d:\\d\\d:\\d\\d  ';
      const activity = up.stdout
        .split('\n')
        .filter((line) => new RegExp(`^${time}adw ${short}`).test(line))
        .map((line) => line.replace(new RegExp(`^${time}adw ${short}`), ''));
      expect(activity).toEqual([
        ' · Workflow plan_build started',
        ' · Step plan started',
        ' plan · agent started · 1 agent running',
        expect.stringMatching(/^ plan · Run succeeded after \d+ turns \(\$[\d.]+\) · 0 agents running$/),
        expect.stringMatching(/^ · Step plan succeeded · specs\/\S+\.md$/),
        ' · Step build started',
        ' build · agent started · 1 agent running',
        expect.stringMatching(/^ build · Run succeeded after \d+ turns \(\$[\d.]+\) · 0 agents running$/),
        ' · Step build succeeded',
        expect.stringMatching(/^ · Workflow succeeded \(2\/2 steps, \$[\d.]+\)$/),
      ]);

      // Summaries fail batch after batch; the warning is said once, with what to do about it.
      await up.waitFor(/event summaries by \S+ failed/);
      const again = await runBaton(
        ['adw', 'run', 'plan_build', 'Add a welcome function', '--cwd', repo, '--detach', '--json'],
        env,
      );
      expect(again.code, again.stderr).toBe(0);
      await up.waitFor(/Workflow succeeded[\s\S]*Workflow succeeded/, 120_000);
      const batches = () =>
        new Set(
          server.requests
            .filter((request) => request.turnName === summariesFail.name)
            .map((r) => JSON.stringify(r.body)),
        ).size;
      await until(async () => (batches() >= 2 ? true : undefined), 'a second failed batch of summaries');
      const output = up.stdout + up.stderr;
      expect(output.match(/event summaries by \S+ failed/g), output).toHaveLength(1);
      expect(output).toMatch(/Turn them off with BATON_SUMMARIES=off, or give them a model that answers/);
    } finally {
      up.child.kill('SIGINT');
      expect(await up.exited).toBe(130);
    }
  });
});
