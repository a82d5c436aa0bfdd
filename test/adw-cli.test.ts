import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adwScript } from '../src/demo/adw-script.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { scratchDir } from './helpers/agents.ts';
import { batonAs, cliEnvironment, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { expectJsonStyle } from './helpers/json-style.ts';

describe('baton adw commands', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let repo: string;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('adw-cli');
    repo = await createSampleRepository(home.path);
    server = await startFakeModelServer({ script: adwScript({ verdict: 'FAIL' }) });
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
  });

  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnvironment({
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-cli-test',
      BATON_MODEL_MAX_RETRIES: '1',
      BATON_SUMMARIES: 'off',
      ...extra,
    });
  const adwCount = async () =>
    (await db.current.pool.query('select count(*)::int as count from adws')).rows[0].count;

  it('adw run --json works the ADW to the end and prints one object; show, ls and events read it back', async () => {
    const result = await runBaton(
      [
        'adw',
        'run',
        'plan_build_review_fix',
        'Add a farewell function',
        '--cwd',
        repo,
        '--max-cost',
        '10',
        '--json',
      ],
      env(),
      180_000,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout);
    expect(outcome).toMatchObject({ workflow: 'plan_build_review_fix', status: 'succeeded', maxCostUsd: 10 });
    expect(outcome.steps.map((step: { name: string; status: string }) => [step.name, step.status])).toEqual([
      ['plan', 'succeeded'],
      ['build', 'succeeded'],
      ['review', 'succeeded'],
      ['fix', 'succeeded'],
    ]);
    expect(outcome.steps[2].output).toMatchObject({ verdict: 'FAIL', tiers: { BLOCKER: 1 } });
    expect(outcome.costUsd).toBeGreaterThan(0);
    expect(outcome.branch).toMatch(/^adw\/add-a-farewell-function-[0-9a-f]{8}$/);

    const show = await runBaton(['adw', 'show', outcome.id], env());
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('✓ ADW succeeded');
    expect(show.stdout).toMatch(/review\s+succeeded .*verdict FAIL \(1 BLOCKER\)/);
    expect(show.stdout).toContain(`merge it: git -C ${repo} merge ${outcome.branch}`);
    // Succeeded: nothing to resume or cancel; the hints are the merge, the events and the clean-up.
    expect(show.stdout).not.toMatch(/adw (resume|cancel)/);
    expect(show.stdout).toContain(`  events: ${batonAs(env())} adw events ${outcome.id}\n`);
    expect(show.stdout).toContain(`  clean up: ${batonAs(env())} gc --older-than 0 --dry-run\n`);
    const merge = /merge it: git (.+)$/m.exec(show.stdout)![1]!.split(' ');
    execFileSync('git', [...merge, '--no-edit', '-q'], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    });
    expect(execFileSync('git', ['-C', repo, 'branch', '--merged'], { encoding: 'utf8' })).toContain(
      outcome.branch,
    );
    expectJsonStyle(outcome, 'adw run --json');
    expectJsonStyle(
      JSON.parse((await runBaton(['adw', 'show', outcome.id, '--json'], env())).stdout),
      'adw show --json',
    );
    expectJsonStyle(JSON.parse((await runBaton(['adw', 'ls', '--json'], env())).stdout), 'adw ls --json');

    const list = await runBaton(['adw', 'ls'], env());
    expect(list.stdout).toContain(outcome.id.slice(0, 8));

    const events = await runBaton(['adw', 'events', outcome.id], env());
    expect(events.code).toBe(0);
    // Following an ADW that has ended prints it all and ends at once, with its outcome: 0, it succeeded.
    const followed = await runBaton(['adw', 'events', outcome.id, '--follow', '--json'], env());
    expect(followed.code).toBe(0);
    const followedLines = followed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(followedLines.at(-1).type).toBe('AdwEnded');
    for (const event of followedLines) expectJsonStyle(event, 'adw events --json');
    const lines = events.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/AdwCreated/);
    expect(lines.at(-1)).toMatch(/AdwEnded/);
    expect(events.stdout).toMatch(/review\s+StepEnd/);

    const again = await runBaton(['adw', 'resume', outcome.id], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/succeeded: there is nothing to resume/);
  });

  it('adw types lists every workflow with its steps', async () => {
    const result = await runBaton(['adw', 'types', '--cwd', repo], env());
    expect(result.code).toBe(0);
    for (const name of ['plan_build', 'plan_build_review', 'plan_build_review_fix', 'plan_build_test']) {
      expect(result.stdout).toContain(name);
    }
    expect(result.stdout).toMatch(/plan → build → review → fix\?/);
  });

  it('--detach queues the ADW and returns; ls and show print it safely with hints that work; cancel stops it', async () => {
    // A prompt that would retitle the terminal and clear the screen if printed raw.
    const prompt = 'Add a farewell function \u001b]0;pwned\u0007\u001b[2J';
    const result = await runBaton(
      ['adw', 'run', 'plan_build', prompt, '--cwd', repo, '--detach', '--json'],
      env(),
    );
    expect(result.code).toBe(0);
    const queued = JSON.parse(result.stdout);
    expect(queued.status).toBe('running');
    const list = await runBaton(['adw', 'ls'], env());
    expect(list.stdout).toMatch(/^ID\s+STATUS\s+WORKFLOW/);
    expect(list.stdout).toContain('\\x1b]0;pwned\\x07\\x1b[2J');
    expect(list.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    // A running ADW is not shown as failed, and only hints that work now are given.
    const show = await runBaton(['adw', 'show', queued.id], env());
    expect(show.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(show.stdout).not.toContain('✗');
    expect(show.stdout).toContain(`${batonAs(env())} adw cancel ${queued.id}`);
    expect(show.stdout).not.toContain('adw resume');
    const cancel = await runBaton(['adw', 'cancel', queued.id], env());
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/cancelled/);
    const row = await db.current.pool.query('select status from adws where id = $1', [queued.id]);
    expect(row.rows[0].status).toBe('cancelled');
  });

  it('rejects bad input with a message naming what to change, recording nothing', async () => {
    const before = await adwCount();
    const unknownId = '0b5e8f3c-1d2a-4c3b-9f8e-7a6b5c4d3e2f';
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [
        ['adw', 'run', 'plan_bild', 'x', '--cwd', repo],
        /Unknown workflow "plan_bild": use one of plan_build, plan_build_review/,
      ],
      [['adw', 'run', 'plan_build', '   ', '--cwd', repo], /The prompt is empty/],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', '/no/such/dir'],
        /does not exist: pass an existing directory with --cwd/,
      ],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--max-cost', '0'],
        /--max-cost.*expected a positive amount in USD, got "0"/,
      ],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--max-cost', 'lots'],
        /--max-cost.*expected a positive amount in USD, got "lots"/,
      ],
      // Values the ledger's columns cannot hold: refused, not overflowed or rounded to nothing.
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--max-cost', '1e300'],
        /--max-cost.*the largest amount baton records is \$99999999, got "1e300"/,
      ],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--max-cost', '0.000000001'],
        /--max-cost.*the smallest amount baton records is \$0.000001/,
      ],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--max-turns', '99999999999'],
        /--max-turns.*the largest count baton records is 2147483647/,
      ],
      [['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--max-turns', '-3'], /--max-turns/],
      [['adw', 'run', 'plan_build', 'x', '--cwd', ''], /--cwd.*expected a directory, got an empty value/],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--model', 'gpt-4o'],
        /Unknown model "gpt-4o" in --model: baton has no price for it.*BATON_PRICES_FILE/,
      ],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo],
        /Unknown model "claude-nonexistent-9" in BATON_MODEL/,
        { BATON_MODEL: 'claude-nonexistent-9' },
      ],
      [
        ['adw', 'run', 'plan_build', 'x', '--cwd', repo],
        /ANTHROPIC_BASE_URL must be an http:\/\/ or https:\/\/ URL/,
        { ANTHROPIC_BASE_URL: 'not-a-url' },
      ],
      [['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--fix-rounds', '2'], /has no review → fix loop/],
      [['adw', 'run', 'plan_build', 'x', '--cwd', repo, '--model', 'gpt'], /Unknown model "gpt" in --model/],
      [
        ['adw', 'show', unknownId],
        new RegExp(
          `No ADW 0b5e8f3c-1d2a-4c3b-9f8e-7a6b5c4d3e2f \\(given as <id>\\): list them with \`${batonAs(env())} adw ls\``,
        ),
      ],
      [['adw', 'cancel', unknownId], /No ADW/],
      [['adw', 'resume', unknownId], /No ADW/],
      [['adw', 'show', 'not-an-id'], /expected an id/],
      [['adw', 'resume', unknownId, '--add-cost', '-2'], /--add-cost.*positive amount/],
    ];
    const branches = () =>
      execFileSync('git', ['branch', '--list', 'adw/*'], { cwd: repo, encoding: 'utf8' });
    const worktrees = () => execFileSync('git', ['worktree', 'list'], { cwd: repo, encoding: 'utf8' });
    const [branchesBefore, worktreesBefore] = [branches(), worktrees()];
    for (const [args, message, extra] of cases) {
      const result = await runBaton(args, { ...env(), ...extra });
      expect(result.stderr, args.join(' ')).toMatch(/^baton: error: /);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).not.toMatch(/unexpected error|\n\s+at /);
      expect(result.code, args.join(' ')).toBe(2);
    }
    expect(await adwCount()).toBe(before);
    // Nothing half-made: no branch or worktree of an ADW that was refused.
    expect(branches()).toBe(branchesBefore);
    expect(worktrees()).toBe(worktreesBefore);
  });
});
