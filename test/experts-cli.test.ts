import { describe, expect, it } from 'vitest';
import { expertPaths } from '../src/experts/index.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { commitAll, greeterFiles, writeTree, writesExpertise } from './helpers/experts.ts';

describe('baton expert (the real executable)', () => {
  const db = useTestDatabase();

  it('init → ls → question → improve → history → diff, and clear errors for bad input', async () => {
    const work = await scratchDir('expert-cli');
    const home = await scratchDir('expert-cli-home');
    const server = await startFakeModelServer({
      script: [
        ...writesExpertise('greeting', '# greeting expert: self-improve', 'functions: [greet]\n'),
        {
          ...reply('greet is in greet.js:3.'),
          match: { lastUserText: { contains: '# greeting expert: question' } },
        },
        ...writesExpertise('greeting', '# greeting expert: self-improve', 'functions: [greet, farewell]\n'),
      ],
    });
    try {
      await gitRepository(work.path, { 'README.md': '# greeter\n' });
      await writeTree(work.path, greeterFiles);
      commitAll(work.path, 'greeter');
      const env = cliEnvironment({
        DATABASE_URL: db.current.url,
        BATON_HOME: home.path,
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_API_KEY: 'sk-ant-cli-test-key',
        BATON_SUMMARIES: 'off',
      });
      const baton = (...args: string[]) => runBaton([...args, '--cwd', work.path], env);

      const init = await baton('expert', 'init', 'greeting');
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      expect(init.stdout).toContain(`Wrote ${expertPaths('greeting').question}`);
      expect(init.stdout).toContain('round 1: accepted → version 1');

      const ls = await baton('expert', 'ls');
      expect(ls.code).toBe(0);
      expect(ls.stdout).toMatch(/greeting\s+1\/1000\s+v1\s+\S+ \S+\s+[0-9a-f]{8}\s+0 stale, 0 files changed/);

      const question = await baton('expert', 'question', 'greeting', 'Where is greet?');
      expect(question.code).toBe(0);
      expect(question.stdout.trim()).toBe('greet is in greet.js:3.');

      const improve = await baton('expert', 'improve', 'greeting', '--json');
      expect(improve.code).toBe(0);
      expect(JSON.parse(improve.stdout)).toMatchObject({ ended: 'one_round', versions: [{ version: 2 }] });

      const history = await baton('expert', 'history', 'greeting');
      expect(history.stdout).toMatch(/^v1 .* init .*\nv2 .* improve /m);
      expect(history.stdout).toContain('question round 1: answered');
      const diff = await baton('expert', 'diff', 'greeting');
      expect(diff.stdout).toContain('-functions: [greet]\n+functions: [greet, farewell]');

      const unsafe = await baton('expert', 'init', '../x');
      expect(unsafe.code).toBe(2);
      expect(unsafe.stderr).toMatch(/not a safe folder name/);
      const unknown = await baton('expert', 'question', 'nobody', 'q');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/No expert "nobody".*greeting/);
      const rounds = await baton('expert', 'improve', 'greeting', '--max-rounds', '3');
      expect(rounds.code).toBe(2);
      expect(rounds.stderr).toMatch(/--max-rounds .* needs --until-stable/);
      server.assertComplete();
    } finally {
      await server.close();
      await work.remove();
      await home.remove();
    }
  });
});
