import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventsAfter } from '../src/db/events.ts';
import { listExpertiseVersions, listExpertRounds } from '../src/db/experts.ts';
import { expertPaths, scaffoldExpert } from '../src/experts/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { useAgentHarness } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { commitAll, greeterFiles, testExpertService, writeTree, writesExpertise } from './helpers/experts.ts';

const paths = expertPaths('greeting');

const v1 = `overview:
  description: Greets people; greet.js formats with lib/format.js
  key_files: [greet.js, lib/format.js]
functions:
  - greet(name)
  - farewell(name)
tables: [users]
`;
const v2 = `${v1}best_practices:
  - Add new greetings next to greet in greet.js
`;

describe('agent experts (real Claude Code, git and PostgreSQL; fake model)', () => {
  const db = useTestDatabase();
  const { setUp } = useAgentHarness(db);

  async function project(script: Parameters<typeof setUp>[0]) {
    const harness = await setUp(script, { files: { 'README.md': greeterFiles['README.md']! } });
    await writeTree(harness.dir, greeterFiles);
    commitAll(harness.dir, 'greeter');
    return { ...harness, experts: testExpertService(db.current.pool, harness.runner) };
  }

  it('init scaffolds the folder and builds a first, checked expertise; question cannot write; plan writes a checked spec', async () => {
    const { dir, server, experts } = await project((cwd) => [
      ...writesExpertise('greeting', '# greeting expert: self-improve', v1, 'Built the expertise.'),
      // The question tries to write a file: Claude Code refuses, since Write is not among its tools.
      {
        ...turn(toolUse('Write', { file_path: join(cwd, 'answer.md'), content: 'x' })),
        match: { lastUserText: { contains: '# greeting expert: question' } },
      },
      {
        ...reply('greet(name) is in greet.js:3; it formats with lib/format.js:1.'),
        match: { lastToolResult: { toolName: 'Write', isError: true } },
      },
      {
        ...turn(
          toolUse('Write', {
            file_path: `${cwd}/{{request:(specs/expert-greeting-[a-z0-9-]+\\.md)}}`,
            content:
              '# Add a shout greeting\n\n## Objective\nshout(name)\n\n## Step by Step Tasks\n### 1. Add shout to greet.js\n\n## Acceptance Criteria\n- shout works\n',
          }),
        ),
        match: { lastUserText: { contains: '# greeting expert: plan' } },
      },
      { ...reply('Spec written.'), match: { lastToolResult: { toolName: 'Write' } } },
    ]);

    const init = await experts.init({ cwd: dir, domain: 'greeting', focus: 'greet.js and lib/' });
    expect(init.scaffolded).toEqual([paths.question, paths.selfImprove, paths.plan, paths.planBuildImprove]);
    expect(init.ended).toBe('one_round');
    expect(init.rounds.map((round) => [round.outcome, round.version, round.staleClaims])).toEqual([
      ['accepted', 1, 0],
    ]);
    expect(readFileSync(join(dir, paths.expertise), 'utf8')).toBe(v1);
    const [version] = await listExpertiseVersions(db.current.pool, init.expert.id);
    expect(version).toMatchObject({
      version: 1,
      operation: 'init',
      line_count: 7,
      stale_claim_count: 0,
      content: v1,
    });
    expect(version!.diff).toContain('+  - farewell(name)');

    const answer = await experts.question({ cwd: dir, domain: 'greeting', question: 'Where is greet?' });
    expect(answer.answer).toContain('greet.js:3');
    expect(existsSync(join(dir, 'answer.md'))).toBe(false);
    // The expertise was in the prompt: the model needed no tool to read it.
    const questionRequest = server.requests.find((request) =>
      JSON.stringify(request.body).includes('# greeting expert: question'),
    );
    expect(JSON.stringify(questionRequest?.body)).toContain('injected by baton');
    expect(JSON.stringify(questionRequest?.body)).toContain('farewell(name)');
    const events = await readEventsAfter(db.current.pool, 0, { runId: answer.run.id }, 1000);
    const refused = events.find(
      (event) => event.type === 'ToolResultBlock' && event.payload.is_error === true,
    );
    expect(refused, 'the refused Write is recorded').toBeDefined();

    const plan = await experts.plan({ cwd: dir, domain: 'greeting', task: 'Add a shout greeting' });
    expect(plan.specPath).toMatch(/^specs\/expert-greeting-add-a-shout-greeting-[0-9a-f]{8}\.md$/);
    expect(plan.title).toBe('Add a shout greeting');
    expect(existsSync(join(dir, plan.specPath))).toBe(true);

    const rounds = await listExpertRounds(db.current.pool, init.expert.id);
    expect(rounds.map((round) => [round.operation, round.outcome])).toEqual([
      ['init', 'accepted'],
      ['question', 'answered'],
      ['plan', 'planned'],
    ]);
    server.assertComplete();
  });

  it('improve --until-stable: a change, then invalid YAML (restored, follow-up, fixed), then no change: stable after 3 rounds, 2 versions', async () => {
    const { dir, server, experts } = await project([
      ...writesExpertise('greeting', '# greeting expert: self-improve', v1),
      ...writesExpertise('greeting', 'Round 2 of self-improve', 'overview: [unclosed\n  bad: : yaml\n'),
      ...writesExpertise('greeting', 'is not valid YAML', v2),
      { ...reply('Nothing to change.'), match: { lastUserText: { contains: 'Round 3 of self-improve' } } },
    ]);
    await scaffoldExpert(dir, 'greeting');
    const original = 'overview:\n  description: Greets people\nfunctions: [greet]\n';
    await writeFile(join(dir, paths.expertise), original);
    const head = commitAll(dir, 'expert');

    const result = await experts.improve({ cwd: dir, domain: 'greeting', untilStable: true });
    server.assertComplete();
    expect(result.ended).toBe('stable');
    expect(
      result.rounds.map((round) => [round.round, round.outcome, round.followUps, round.version]),
    ).toEqual([
      [1, 'accepted', 0, 1],
      [2, 'accepted', 1, 2],
      [3, 'unchanged', 0, undefined],
    ]);
    expect(readFileSync(join(dir, paths.expertise), 'utf8')).toBe(v2);
    // The follow-up told the agent the invalid file was replaced by the last good version.
    const followUp = server.requests.find((request) =>
      JSON.stringify(request.body).includes('is not valid YAML'),
    );
    expect(JSON.stringify(followUp?.body)).toContain('restored the last good version');

    const versions = await listExpertiseVersions(db.current.pool, result.expert.id);
    expect(versions.map((version) => [version.version, version.git_commit, version.operation])).toEqual([
      [1, head, 'improve'],
      [2, head, 'improve'],
    ]);
    expect(versions[0]!.diff).toContain('-functions: [greet]');
    expect(versions[0]!.diff).toContain('+  - farewell(name)');
    expect(versions[1]!.diff).toContain('+best_practices:');
    expect(versions[1]!.diff).not.toContain('unclosed');
    const runIds = versions.map((version) => version.run_id);
    const { rows } = await db.current.pool.query('select id, status from agent_runs where id = any($1)', [
      runIds,
    ]);
    expect(rows.map((row) => row.status)).toEqual(['succeeded', 'succeeded']);
    const history = await experts.history(dir, 'greeting');
    expect(history.rounds).toHaveLength(3);
    expect(await experts.diff(dir, 'greeting')).toBe(versions[1]!.diff);
    expect(await experts.diff(dir, 'greeting', { from: 1, to: 2 })).toContain('+best_practices:');
  });

  it('sends back exactly the deleted path and the renamed function as stale claims, and stores zero once fixed', async () => {
    const fixed = v1
      .replace(', lib/format.js', '')
      .replace('with lib/format.js', 'inline')
      .replace('farewell(name)', 'goodbye(name)');
    const { dir, server, experts } = await project([
      {
        ...reply('Nothing to change.'),
        match: { lastUserText: { contains: '# greeting expert: self-improve' } },
      },
      ...writesExpertise('greeting', 'stale claims', fixed),
    ]);
    await scaffoldExpert(dir, 'greeting');
    await writeFile(join(dir, paths.expertise), v1);
    commitAll(dir, 'expert');
    // The code moves on: the formatter is deleted and farewell renamed.
    await rm(join(dir, 'lib/format.js'));
    await writeFile(
      join(dir, 'greet.js'),
      "function greet(name) {\n  return 'Hello, ' + name;\n}\nfunction goodbye(name) {}\nmodule.exports = { greet, goodbye };\n",
    );
    commitAll(dir, 'inline the formatter, rename farewell');

    const result = await experts.improve({ cwd: dir, domain: 'greeting' });
    server.assertComplete();
    const followUp = server.requests
      .map((request) => JSON.stringify(request.body))
      .find((body) => body.includes('stale claim'));
    expect(followUp).toContain('found 2 stale claims');
    expect(followUp).toContain('path `lib/format.js`');
    expect(followUp).toContain('symbol `farewell(name)`');
    expect(result.rounds).toMatchObject([{ outcome: 'accepted', followUps: 1, staleClaims: 0, version: 1 }]);
    const listing = await experts.list(dir);
    expect(listing).toEqual([
      expect.objectContaining({
        domain: 'greeting',
        version: 1,
        staleClaims: 0,
        filesChanged: 0,
        modified: false,
      }),
    ]);
  });

  it('a model that keeps writing invalid YAML: a rejected round, no version, and the last good expertise kept', async () => {
    const bad = 'overview: [unclosed\n';
    const { dir, server, experts } = await project([
      ...writesExpertise('greeting', '# greeting expert: self-improve', bad),
      ...writesExpertise('greeting', 'is not valid YAML', bad),
      ...writesExpertise('greeting', 'is not valid YAML', bad),
    ]);
    await scaffoldExpert(dir, 'greeting');
    await writeFile(join(dir, paths.expertise), v1);
    commitAll(dir, 'expert');

    const result = await experts.improve({ cwd: dir, domain: 'greeting' });
    server.assertComplete();
    expect(result.ended).toBe('rejected');
    expect(result.rounds).toMatchObject([{ outcome: 'rejected', followUps: 2 }]);
    expect(result.rounds[0]!.detail).toMatch(
      /not valid YAML.*after 2 follow-ups; the last good version was restored/s,
    );
    expect(readFileSync(join(dir, paths.expertise), 'utf8')).toBe(v1);
    expect(await listExpertiseVersions(db.current.pool, result.expert.id)).toEqual([]);
    expect((await listExpertRounds(db.current.pool, result.expert.id)).map((round) => round.outcome)).toEqual(
      ['rejected'],
    );
  });

  it('refuses bad input before running anything: unsafe domain, unknown expert, no expertise, no commits', async () => {
    const { dir, server, experts } = await project([]);
    await expect(experts.init({ cwd: dir, domain: '../etc' })).rejects.toThrow(
      expect.objectContaining({ field: 'domain' }),
    );
    await expect(experts.question({ cwd: dir, domain: 'nobody', question: 'q' })).rejects.toThrow(
      /No expert "nobody"/,
    );
    await scaffoldExpert(dir, 'greeting');
    await expect(experts.question({ cwd: dir, domain: 'greeting', question: 'q' })).rejects.toThrow(
      /no expertise yet/,
    );
    await writeFile(join(dir, paths.expertise), 'a: [\n');
    await expect(experts.plan({ cwd: dir, domain: 'greeting', task: 't' })).rejects.toThrow(/not valid YAML/);
    await expect(experts.improve({ cwd: dir, domain: 'greeting', maxRounds: 3 })).rejects.toThrow(
      expect.objectContaining({ field: 'max_rounds' }),
    );
    await expect(experts.improve({ cwd: dir, domain: 'greeting', since: 'nope' })).rejects.toThrow(
      expect.objectContaining({ field: '--since' }),
    );
    await rm(join(dir, '.git'), { recursive: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['init', '-q'], { cwd: dir });
    await expect(experts.improve({ cwd: dir, domain: 'greeting' })).rejects.toThrow(/no commits yet/);
    expect(server.requests).toHaveLength(0);
  });
});
