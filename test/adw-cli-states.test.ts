import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adwScript } from '../src/demo/adw-script.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { scratchDir } from './helpers/agents.ts';
import { batonAs, cliEnvironment, hintArguments, runBaton, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

/** The `label: command` hints `adw show` prints, as [label, command]. */
function hints(show: string): [string, string][] {
  return [...show.matchAll(/^ {2}([a-z ]+): ((?:npx baton|baton|git) .+)$/gm)].map((match) => [
    match[1]!,
    match[2]!,
  ]);
}

/** The first line of `adw show`'s summary: `✓ ADW succeeded · …`. */
const title = (show: string) => show.split('\n').find((line) => line.includes(' ADW '))!;

// One step, no retries, so a model that fails fails the ADW at once.
const oneStep = `name: one_step
description: one step the model has to do
steps:
  - name: work
    prompt: "Do it: {{prompt}}"
    retries: 0
`;

describe('adw show in each state: the right mark, and hints that work in that state', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let repo: string;
  let scripted: FakeModelServer;
  let broken: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('adw-states');
    repo = await createSampleRepository(home.path);
    mkdirSync(join(repo, '.baton', 'workflows'), { recursive: true });
    writeFileSync(join(repo, '.baton', 'workflows', 'one_step.yaml'), oneStep);
    execFileSync('git', ['-C', repo, 'add', '-A']);
    execFileSync('git', [
      '-C',
      repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '-qm',
      'one step',
    ]);
    // ~$0.21 a call at sonnet prices: a $0.30 budget pauses the plan step.
    scripted = await startFakeModelServer({
      script: adwScript({ verdict: 'PASS', usage: { input_tokens: 100_000, output_tokens: 1_000 } }),
    });
    broken = await startFakeModelServer({
      script: [{ error: { status: 500, message: 'the model is down' }, times: 'always' }],
    });
  });
  afterAll(async () => {
    await scripted.close();
    await broken.close();
    await home.remove();
  });

  const env = (server: FakeModelServer = scripted) =>
    cliEnvironment({
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-states-test',
      BATON_MODEL_MAX_RETRIES: '0',
      BATON_SUMMARIES: 'off',
    });
  const status = async (id: string) =>
    (await db.current.pool.query('select status from adws where id = $1', [id])).rows[0].status as string;
  const show = async (id: string) => {
    const result = await runBaton(['adw', 'show', id], env());
    expect(result.code).toBe(0);
    return result.stdout;
  };
  /** The form hints take here (`baton` or `npx baton`, whichever works with the tests' PATH). */
  const baton = batonAs(cliEnvironment({}));
  /** Runs a hinted `baton …` command; a resume gets --detach so that it returns once accepted. */
  const runHint = (command: string, extra: string[] = []) =>
    runBaton([...hintArguments(command), ...extra], env());

  it('running: ▶, no ✗; following it ends when it ends (1: cancelled) or on Ctrl-C (130); cancel works', async () => {
    // No worker anywhere: the ADW stays running, its first step queued.
    const queued = await runBaton(
      ['adw', 'run', 'plan_build', 'Add a farewell function', '--cwd', repo, '--detach', '--json'],
      env(),
    );
    expect(queued.code).toBe(0);
    const { id } = JSON.parse(queued.stdout) as { id: string };

    const running = await show(id);
    expect(title(running)).toMatch(/^▶ ADW running/);
    expect(running).not.toContain('✗');
    expect(hints(running)).toEqual([
      ['follow it', `${baton} adw events ${id} --follow`],
      ['stop it', `${baton} adw cancel ${id}`],
    ]);

    // A one-shot listing returns at once, while the ADW goes on.
    const listing = await runBaton(['adw', 'events', id, '--no-follow'], env());
    expect(listing.code).toBe(0);
    expect(listing.stdout).toMatch(/AdwCreated/);
    const tailListing = await runBaton(['events', 'tail', '--adw', id, '--no-follow', '--json'], env());
    expect(tailListing.code).toBe(0);
    expect(tailListing.stdout).toMatch(/"type":"AdwCreated"/);

    // Ctrl-C while following: the documented 130, through bin/baton.js as npx runs it.
    const interrupted = startBaton(hintArguments(hints(running)[0]![1]), env());
    await interrupted.waitFor(/AdwCreated/);
    interrupted.child.kill('SIGINT');
    expect(await interrupted.exited).toBe(130);

    // The hints as printed: the follow ends by itself when the ADW ends, and says how (1: cancelled).
    const follow = startBaton(hintArguments(hints(running)[0]![1]), env());
    const tail = startBaton(['events', 'tail', '--adw', id.slice(0, 8), '--json'], env());
    await follow.waitFor(/AdwCreated/);
    await tail.waitFor(/"type":"AdwCreated"/);
    const cancel = await runHint(hints(running)[1]![1]);
    expect(cancel.code).toBe(0);
    expect(await follow.exited).toBe(1);
    expect(await tail.exited).toBe(1);
    expect(follow.stdout.trim().split('\n').at(-1)).toMatch(/AdwEnded/);
    expect(tail.stdout.trim().split('\n').at(-1)).toMatch(/"type":"AdwEnded"/);
    expect(await status(id)).toBe('cancelled');

    // Cancelled: not a failure either; resume continues it.
    const cancelled = await show(id);
    expect(title(cancelled)).toMatch(/^■ ADW cancelled/);
    expect(cancelled).not.toContain('✗');
    expect(hints(cancelled)).toEqual([
      ['continue', `${baton} adw resume ${id}`],
      ['events', `${baton} adw events ${id}`],
      ['clean up', `${baton} gc --older-than 0 --dry-run`],
    ]);
    const cleanUp = await runHint(hints(cancelled)[2]![1]);
    expect(cleanUp.code, cleanUp.stderr).toBe(0);
    expect(cleanUp.stdout).toMatch(/would remove worktree /);
    const events = await runHint(hints(cancelled)[1]![1]);
    expect(events.code).toBe(0);
    expect(events.stdout).toMatch(/AdwEnded/);
    const resumed = await runHint(hints(cancelled)[0]![1], ['--detach']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await status(id)).toBe('running');
    expect((await runBaton(['adw', 'cancel', id], env())).code).toBe(0);
  });

  it('paused at its budget: ⏸, and the resume hint raises the budget it ran out of', async () => {
    const result = await runBaton(
      ['adw', 'run', 'plan_build', 'Add a farewell function', '--cwd', repo, '--max-cost', '0.3', '--json'],
      env(),
      180_000,
    );
    expect(result.code).toBe(1);
    const { id, status: ended } = JSON.parse(result.stdout) as { id: string; status: string };
    expect(ended).toBe('paused');
    const paused = await show(id);
    expect(title(paused)).toMatch(/^⏸ ADW paused/);
    // The pause says how much of how much: the amounts, as a person reads dollars.
    expect(paused).toMatch(
      /paused: cost budget reached: \$0\.\d\d of \$0\.30 spent \(raise it with --add-cost\)/,
    );
    expect(paused).not.toContain('✗');
    expect(hints(paused)).toEqual([
      ['continue', `${baton} adw resume ${id} --add-cost USD`],
      ['stop it', `${baton} adw cancel ${id}`],
      ['events', `${baton} adw events ${id}`],
    ]);
    const resumed = await runHint(hints(paused)[0]![1].replace('USD', '5'), ['--detach']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse((await runBaton(['adw', 'show', id, '--json'], env())).stdout);
    expect(after.status).toBe('running');
    expect(after.maxCostUsd).toBeCloseTo(5.3, 6);
    expect((await runBaton(['adw', 'cancel', id], env())).code).toBe(0);
  });

  it('failed: ✗, and resume (which works on a failed ADW) is the hint', async () => {
    const result = await runBaton(
      ['adw', 'run', 'one_step', 'Add a farewell function', '--cwd', repo, '--json'],
      env(broken),
      180_000,
    );
    expect(result.code).toBe(1);
    const { id, status: ended } = JSON.parse(result.stdout) as { id: string; status: string };
    expect(ended).toBe('failed');
    const failed = await show(id);
    expect(title(failed)).toMatch(/^✗ ADW failed/);
    expect(failed).toMatch(/failed at work: .*(500|the model is down)/);
    expect(hints(failed)).toEqual([
      ['continue', `${baton} adw resume ${id}`],
      ['events', `${baton} adw events ${id}`],
      ['clean up', `${baton} gc --older-than 0 --dry-run`],
    ]);
    const resumed = await runHint(hints(failed)[0]![1], ['--detach']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await status(id)).toBe('running');
    expect((await runBaton(['adw', 'cancel', id], env())).code).toBe(0);
  });
});
