import { describe, expect, it } from 'vitest';
import { readEventsAfter } from '../src/db/events.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a worker killed in the middle of a step', () => {
  const db = useTestDatabase();
  const { setUp, defer } = useAdwHarness(db);

  it('loses the step to another worker, which resumes the same session and finishes the ADW; each step completes once, the killed attempt keeps its spend and its file changes', async () => {
    const usage = { input_tokens: 2_000, output_tokens: 300 };
    const adw = await setUp(adwScript({ verdict: 'FAIL', buildAfterEditDelayMs: 8_000, usage }));
    // Two real worker processes on this database.
    const workers = [0, 1].map(() => startBaton(['worker', '--concurrency', '1'], adw.env));
    for (const worker of workers) {
      defer(async () => {
        worker.child.kill('SIGKILL');
        await worker.exited;
      });
      await worker.waitFor(/worker ready/);
    }

    const started = await adw.adws.start({
      workflow: 'plan_build_review_fix',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    // The build's third model call is slow (it has read and edited greet.js by then, and paid for two
    // calls): find the worker running it, and its Claude Code process.
    const firstBuild = await until(
      async () => {
        const result = await db.current.pool.query<{
          id: string;
          pid: number;
          agent_pid: number | null;
          session_id: string | null;
        }>(
          `select id, pid, agent_pid, session_id from agent_runs where adw_id = $1 and adw_step = 'build' and status = 'running'`,
          [started.id],
        );
        const run = result.rows[0];
        if (!run?.agent_pid || !run.session_id) return undefined;
        if (!adw.server.messageRequests().some((request) => request.turnName === 'build after Edit'))
          return undefined;
        // Killed only once its transcript is in the session store: that is what lets another worker resume it.
        const mirrored = await db.current.pool.query('select 1 from session_entries where session_id = $1', [
          run.session_id,
        ]);
        return mirrored.rowCount ? run : undefined;
      },
      'the build step to start',
      60_000,
    );
    const victim = workers.find((worker) => worker.child.pid === firstBuild.pid);
    expect(victim, 'the build runs in one of the two workers').toBeDefined();
    victim!.child.kill('SIGKILL');
    await victim!.exited;

    // Its Claude Code process dies with it (parent-death signal): no orphan keeps editing the worktree.
    await until(
      async () => (alive(firstBuild.agent_pid!) ? undefined : true),
      'the orphaned agent to die',
      5_000,
    );

    const { row, steps } = await waitForAdw(
      adw.adws,
      started.id,
      ['succeeded', 'failed', 'paused', 'cancelled'],
      150_000,
    );
    expect(row.status, `${row.error_step}: ${row.error_message}`).toBe('succeeded');
    expect(steps.map((step) => [step.name, step.status])).toEqual([
      ['plan', 'succeeded'],
      ['build', 'succeeded'],
      ['review', 'succeeded'],
      ['fix', 'succeeded'],
    ]);
    expect(steps[1]!.attempt).toBe(2);

    // The retry resumed the killed attempt's Claude session, on the surviving worker.
    const builds = await db.current.pool.query(
      `select id, status, pid, session_id, resumed_session_id, cost_usd, error_message from agent_runs
        where adw_id = $1 and adw_step = 'build' order by started_at`,
      [started.id],
    );
    expect(builds.rows.map((run) => run.status)).toEqual(['failed', 'succeeded']);
    const killed = builds.rows[0]!;
    expect(killed.error_message).toMatch(/Superseded by attempt 2|exited before it ended/);
    expect(builds.rows[1].resumed_session_id).toBe(firstBuild.session_id);
    expect(builds.rows[1].pid).not.toBe(firstBuild.pid);

    // Each step completed exactly once, and the ADW's events are complete and in order.
    const events = await readEventsAfter(db.current.pool, 0, { adwId: started.id }, 20_000);
    const ends = events.filter((event) => event.type === 'StepEnd').map((event) => event.adwStep);
    expect(ends).toEqual(['plan', 'build', 'review', 'fix']);
    const buildStarts = events.filter((event) => event.type === 'StepStart' && event.adwStep === 'build');
    expect(buildStarts.map((event) => event.payload.attempt)).toEqual([1, 2]);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
    const succeededRuns = await db.current.pool.query(
      `select adw_step, count(*)::int as runs from agent_runs where adw_id = $1 and status = 'succeeded' group by adw_step`,
      [started.id],
    );
    // The killed attempt's spend is in its run, its step and the ADW (budgets read the same ledger).
    const spent = async (where: string, value: string) =>
      (
        await db.current.pool.query<{ cost: number; calls: number }>(
          `select coalesce(sum(u.cost_usd), 0)::float as cost, count(*)::int as calls
             from usage u join agent_runs r on r.id = u.run_id where ${where} = $1`,
          [value],
        )
      ).rows[0]!;
    const killedSpend = await spent('r.id', killed.id);
    expect(killedSpend.calls).toBeGreaterThanOrEqual(2);
    expect(killed.cost_usd).toBeCloseTo(killedSpend.cost, 6);
    expect(row.cost_usd).toBeCloseTo((await spent('r.adw_id', started.id)).cost, 6);
    expect(steps[1]!.cost_usd).toBeCloseTo(
      killedSpend.cost + (await spent('r.id', builds.rows[1]!.id)).cost,
      6,
    );
    // What the killed attempt changed is its own, and its end is told like any run's.
    const killedFiles = await db.current.pool.query(
      'select path, status from file_changes where run_id = $1',
      [killed.id],
    );
    expect(killedFiles.rows).toContainEqual({ path: 'greet.js', status: 'modified' });
    const killedEnd = await readEventsAfter(db.current.pool, 0, { runId: killed.id }, 10_000);
    expect(killedEnd.at(-1)).toMatchObject({
      type: 'RunEnded',
      payload: { status: 'failed', files_changed: 1 },
    });
    expect(Object.fromEntries(succeededRuns.rows.map((run) => [run.adw_step, run.runs]))).toEqual({
      plan: 1,
      build: 1,
      review: 1,
      fix: 1,
    });
  });
});
