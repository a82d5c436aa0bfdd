import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventsAfter } from '../src/db/events.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { until } from './helpers/wait.ts';
import { useTestDatabase } from './helpers/database.ts';

const prompt = 'Add a farewell(name) function to greet.js with a test';

describe('ADWs on the job queue, with real Claude Code, git and PostgreSQL', () => {
  const db = useTestDatabase();
  const { setUp } = useAdwHarness(db);

  it('plan → build → review (FAIL, one BLOCKER) → fix: artifacts, verdict, tiers, four steps, every event recorded', async () => {
    const adw = await setUp(adwScript({ verdict: 'FAIL' }));
    await adw.worker();
    const started = await adw.adws.start({ workflow: 'plan_build_review_fix', prompt, cwd: adw.repo });
    const { row, steps } = await waitForAdw(adw.adws, started.id, [
      'succeeded',
      'failed',
      'paused',
      'cancelled',
    ]);
    adw.server.assertComplete();

    expect(row.status).toBe('succeeded');
    expect(steps.map((step) => [step.name, step.status])).toEqual([
      ['plan', 'succeeded'],
      ['build', 'succeeded'],
      ['review', 'succeeded'],
      ['fix', 'succeeded'],
    ]);
    expect(row.total_steps).toBe(4);
    expect(row.completed_steps).toBe(4);

    // Its own worktree on its own branch; the user's repository is untouched.
    expect(row.branch).toMatch(/^adw\/add-a-farewell-name-function-to-greet-js-[0-9a-f]{8}$/);
    const work = row.inputs.cwd;
    expect(work.startsWith(join(adw.home, 'worktrees'))).toBe(true);
    expect(readFileSync(join(adw.repo, 'greet.js'), 'utf8')).not.toContain('farewell');

    // The spec exists at the path the engine chose; the build changed files; the fix ran.
    const [plan, build, review, fix] = steps;
    expect(plan!.artifact_path).toMatch(/^specs\/add-a-farewell-name-function-to-greet-js-[0-9a-f]{8}\.md$/);
    expect(existsSync(join(work, plan!.artifact_path!))).toBe(true);
    expect(plan!.output.title).toBe('Add a farewell function');
    expect(build!.output.filesChanged).toBeGreaterThanOrEqual(2);
    expect(review!.output).toMatchObject({
      verdict: 'FAIL',
      tiers: { BLOCKER: 1, HIGH: 0, MEDIUM: 0, LOW: 0 },
    });
    expect(review!.artifact_path).toMatch(/^app_review\/review-[0-9a-f]{8}-1\.md$/);
    expect(fix!.output).toMatchObject({ fixStatus: 'ALL_FIXED' });
    expect(existsSync(join(work, fix!.artifact_path!))).toBe(true);
    expect(readFileSync(join(work, 'greet.js'), 'utf8')).toContain('module.exports = { greet, farewell };');
    expect(row.outputs).toMatchObject({ verdict: 'FAIL', specPath: plan!.artifact_path, branch: row.branch });
    expect((row.outputs as { commit?: string }).commit).toMatch(/^[0-9a-f]{40}$/);
    expect(row.cost_usd).toBeGreaterThan(0);
    expect(row.cost_usd).toBeCloseTo(
      steps.reduce((sum, step) => sum + step.cost_usd, 0),
      6,
    );

    // Every step's events are in the ledger, each step started and ended once, in order.
    const events = await readEventsAfter(db.current.pool, 0, { adwId: row.id }, 10_000);
    const lifecycle = events.filter((event) =>
      ['StepStart', 'StepEnd', 'StepSkipped', 'AdwCreated', 'AdwStarted', 'AdwEnded'].includes(event.type),
    );
    expect(lifecycle.map((event) => `${event.type}:${event.adwStep ?? ''}`)).toEqual([
      'AdwCreated:',
      'AdwStarted:',
      'StepStart:plan',
      'StepEnd:plan',
      'StepStart:build',
      'StepEnd:build',
      'StepStart:review',
      'StepEnd:review',
      'StepStart:fix',
      'StepEnd:fix',
      'AdwEnded:',
    ]);
    for (const step of ['plan', 'build', 'review', 'fix']) {
      const agentEvents = events.filter((event) => event.adwStep === step && event.category !== 'adw_step');
      expect(
        agentEvents.map((event) => event.type),
        step,
      ).toEqual(expect.arrayContaining(['RunStarted', 'ToolUseBlock', 'PostToolUse', 'RunEnded']));
    }
    const agents = await db.current.pool.query(
      'select name, adw_step from agents where adw_id = $1 order by created_at',
      [row.id],
    );
    expect(agents.rows.map((agent) => agent.adw_step)).toEqual(['plan', 'build', 'review', 'fix']);
  });

  it('skips fix when the review passes, even when its prose says "FAILURES: 0"', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS' }));
    await adw.worker();
    const started = await adw.adws.start({ workflow: 'plan_build_review_fix', prompt, cwd: adw.repo });
    const { row, steps } = await waitForAdw(adw.adws, started.id, [
      'succeeded',
      'failed',
      'paused',
      'cancelled',
    ]);
    expect(row.status).toBe('succeeded');
    expect(steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'skipped']);
    expect(steps[2]!.output.verdict).toBe('PASS');
    expect(steps[3]!.skipped_reason).toMatch(/review/);
    expect(row.completed_steps).toBe(4);
  });

  it('gives a missing artifact one follow-up in the same session, then fails the step clearly', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS', planForgetsSpec: true }));
    await adw.worker();
    const started = await adw.adws.start({
      workflow: 'plan_build',
      prompt,
      cwd: adw.repo,
      stepMaxTurns: 6,
      stepMaxCostUsd: 5,
    });
    const { row, steps } = await waitForAdw(adw.adws, started.id, ['succeeded', 'failed']);
    expect(row.status).toBe('failed');
    expect(row.error_step).toBe('plan');
    expect(row.error_message).toMatch(
      /The file specs\/.*\.md does not exist.*still wrong after one follow-up/,
    );
    expect(steps.map((step) => step.status)).toEqual(['failed', 'pending']);
    // Two runs of the plan agent: the step and its follow-up, which resumed the same session.
    const runs = await db.current.pool.query(
      'select session_id, resumed_session_id, max_turns, max_cost_usd from agent_runs where adw_id = $1 order by started_at',
      [row.id],
    );
    expect(runs.rows).toHaveLength(2);
    expect(runs.rows[1].resumed_session_id).toBe(runs.rows[0].session_id);
    // The follow-up is held to the step's limits like the step itself: turns, cost and tools.
    for (const run of runs.rows) {
      expect(run.max_turns).toBe(6);
      expect(run.max_cost_usd).toBeGreaterThan(0);
      expect(run.max_cost_usd).toBeLessThanOrEqual(5);
    }
    const requests = adw.server.messageRequests();
    const toolsOf = (request: (typeof requests)[number]) =>
      ((request.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name).sort();
    const followUp = requests.at(-1)!;
    expect(JSON.stringify(followUp.body)).toContain('does not exist');
    expect(toolsOf(followUp)).toEqual(toolsOf(requests[0]!));
  });

  it('cancels an ADW mid-step within seconds, then resumes it to the end', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS', buildDelayMs: 30_000 }));
    await adw.worker();
    const started = await adw.adws.start({ workflow: 'plan_build', prompt, cwd: adw.repo });
    // The agent is waiting on the slow model (30 s): a cancel must stop it rather than wait for the answer.
    await until(
      async () => adw.server.messageRequests().some((request) => request.turnName === 'build') || undefined,
      'the build to call the model',
    );
    await adw.adws.cancel(started.id);
    const { row, steps } = await waitForAdw(adw.adws, started.id, ['cancelled']);
    expect(adw.server.messageRequests().some((request) => request.turnName === 'build after Read')).toBe(
      false,
    );
    expect(steps.map((step) => step.status)).toEqual(['succeeded', 'cancelled']);
    const build = await db.current.pool.query(
      `select status from agent_runs where adw_id = $1 and adw_step = 'build'`,
      [row.id],
    );
    expect(build.rows.map((run) => run.status)).toEqual(['interrupted']);

    await expect(adw.adws.cancel(started.id)).rejects.toThrow(/nothing to cancel/);
    await adw.adws.resume(started.id);
    const resumed = await waitForAdw(adw.adws, started.id, ['succeeded', 'failed'], 120_000);
    expect(resumed.row.status).toBe('succeeded');
    await expect(adw.adws.resume(started.id)).rejects.toThrow(/succeeded: there is nothing to resume/);
  });

  it('pauses at its cost budget and completes when resumed with more', async () => {
    const usage = { input_tokens: 100_000, output_tokens: 1_000 }; // ~$0.21 a call at sonnet prices
    const adw = await setUp(adwScript({ verdict: 'PASS', usage }));
    await adw.worker();
    const started = await adw.adws.start({ workflow: 'plan_build', prompt, cwd: adw.repo, maxCostUsd: 0.3 });
    const paused = await waitForAdw(adw.adws, started.id, ['paused', 'succeeded', 'failed']);
    expect(paused.row.status).toBe('paused');
    expect(paused.row.paused_reason).toMatch(/budget/);
    expect(paused.steps.some((step) => step.status === 'pending')).toBe(true);

    await adw.adws.resume(started.id, { addCostUsd: 5 });
    const done = await waitForAdw(adw.adws, started.id, ['succeeded', 'failed', 'paused'], 120_000);
    expect(done.row.status).toBe('succeeded');
    expect(done.row.max_cost_usd).toBeCloseTo(5.3, 6);
  });

  it('runs two ADWs on one repository at once, each in its own worktree', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS' }));
    await adw.worker(2);
    const [first, second] = await Promise.all([
      adw.adws.start({ workflow: 'plan_build', prompt, cwd: adw.repo }),
      adw.adws.start({ workflow: 'plan_build', prompt: `${prompt}, again`, cwd: adw.repo }),
    ]);
    const results = await Promise.all(
      [first!, second!].map((row) => waitForAdw(adw.adws, row.id, ['succeeded', 'failed'], 150_000)),
    );
    expect(results.map((result) => result.row.status)).toEqual(['succeeded', 'succeeded']);
    const [a, b] = results.map((result) => result.row);
    expect(a!.inputs.cwd).not.toBe(b!.inputs.cwd);
    expect(a!.branch).not.toBe(b!.branch);
    // Each worktree holds its own spec only.
    const specA = results[0]!.steps[0]!.artifact_path!;
    const specB = results[1]!.steps[0]!.artifact_path!;
    expect(existsSync(join(a!.inputs.cwd, specA))).toBe(true);
    expect(existsSync(join(a!.inputs.cwd, specB))).toBe(false);
    expect(existsSync(join(b!.inputs.cwd, specB))).toBe(true);
  });
});
