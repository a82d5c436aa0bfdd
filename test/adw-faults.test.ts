import { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { readEventsAfter } from '../src/db/events.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { createReconciler } from '../src/services/adws/reconciler.ts';
import { stepJobId, type StepJob } from '../src/services/adws/step-queue.ts';
import type { StepPoint } from '../src/services/adws/step-worker.ts';
import { parseAdwState } from '../src/workflow/state.ts';
import { useAdwHarness, waitForAdw, type AdwHarness } from './helpers/adw.ts';
import { until } from './helpers/wait.ts';
import { useTestDatabase } from './helpers/database.ts';

const ended = ['succeeded', 'failed', 'paused', 'cancelled'] as const;
/** A model request answered with the build step's first turn (the slow one, when it is slow). */
const buildRequest = (request: { turnName?: string }) => request.turnName === 'build';

describe('ADWs settle whatever happens to their step jobs', () => {
  const db = useTestDatabase();
  const { setUp, defer } = useAdwHarness(db);

  const stateOf = async (adw: AdwHarness, id: string) => parseAdwState((await adw.adws.get(id)).state);
  /** The job the engine dispatched last for a step, as the queue knows it. */
  const currentJob = async (adw: AdwHarness, id: string, index: number): Promise<StepJob> => ({
    adwId: id,
    index,
    dispatch: (await stateOf(adw, id)).steps[index]!.dispatch,
  });
  const queueClient = async (): Promise<PgBoss> => {
    const boss = new PgBoss({
      connectionString: db.current.url,
      schema: 'pgboss',
      supervise: false,
      schedule: false,
    });
    boss.on('error', () => {});
    await boss.start();
    defer(() => boss.stop({ graceful: false, close: true }));
    return boss;
  };
  const usageCost = async (id: string) =>
    (
      await db.current.pool.query<{ cost: number }>(
        'select coalesce(sum(u.cost_usd), 0)::float as cost from usage u join agent_runs r on r.id = u.run_id where r.adw_id = $1',
        [id],
      )
    ).rows[0]!.cost;

  it('a worker stopped gracefully three times during one step gives it back each time, using no retry', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS', buildDelayMs: 30_000, slowBuilds: 3 }));
    const started = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    for (let stop = 1; stop <= 3; stop++) {
      const worker = await adw.worker(1);
      // The build's slow first call is under way in this worker's agent.
      await until(
        async () => adw.server.messageRequests().filter(buildRequest).length >= stop || undefined,
        `build attempt ${stop} to call the model`,
      );
      await worker.stop();
      const build = (await stateOf(adw, started.id)).steps[1]!;
      expect(build).toMatchObject({ status: 'pending', attempts: stop, failures: 0, dispatch: stop + 1 });
    }
    await adw.worker(1);
    const { row, steps } = await waitForAdw(adw.adws, started.id, [...ended]);
    expect(row.status, `${row.error_step}: ${row.error_message}`).toBe('succeeded');
    expect(steps[1]).toMatchObject({ status: 'succeeded', attempt: 4 });
    const events = await readEventsAfter(db.current.pool, 0, { adwId: started.id }, 10_000);
    const requeued = events.filter((event) => event.type === 'StepRequeued');
    expect(requeued.map((event) => event.payload.reason)).toEqual(['released', 'released', 'released']);
    // Each released attempt's run ended as interrupted; the ADW's cost is every call the ledger has.
    const runs = await db.current.pool.query(
      `select status from agent_runs where adw_id = $1 and adw_step = 'build' order by started_at`,
      [started.id],
    );
    expect(runs.rows.map((run) => run.status)).toEqual([
      'interrupted',
      'interrupted',
      'interrupted',
      'succeeded',
    ]);
    expect(row.cost_usd).toBeCloseTo(await usageCost(started.id), 6);
  });

  it('a step whose job ends in the queue without an outcome is dispatched again, then fails after its retries', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS' }));
    const boss = await queueClient();
    const queue = await adw.services.queue();
    const reconciler = createReconciler({ pool: db.current.pool, queue });
    const started = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    // No worker: the plan's job waits in the queue. Cancelling it there strands the step.
    for (let lost = 1; lost <= 3; lost++) {
      const job = await currentJob(adw, started.id, 0);
      expect(job.dispatch).toBe(lost);
      await boss.cancel('baton-adw-step', stepJobId(job));
      expect(await reconciler.reconcileAll()).toBe(1);
      expect(await reconciler.reconcileAll()).toBe(0); // the new dispatch has a live job
    }
    const row = await adw.adws.get(started.id);
    expect(row.status).toBe('failed');
    expect(row.error_step).toBe('plan');
    expect(row.error_message).toMatch(
      /its job \(dispatch 3\) ended in the queue without an outcome \(cancelled/,
    );
    const events = await readEventsAfter(db.current.pool, 0, { adwId: started.id }, 1_000);
    expect(events.filter((event) => event.type === 'StepRequeued')).toHaveLength(2);
    expect(events.at(-1)?.type).toBe('AdwEnded');

    // Resumed, it gets its retries back and a worker finishes it.
    await adw.adws.resume(started.id);
    await adw.worker(1);
    expect((await waitForAdw(adw.adws, started.id, [...ended])).row.status).toBe('succeeded');
  });

  it('a worker finds a running ADW whose job vanished, and `adw resume` accepts one that no job works on', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS' }));
    const boss = await queueClient();
    const first = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    const second = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    await boss.deleteJob('baton-adw-step', stepJobId(await currentJob(adw, first.id, 0)));
    await boss.deleteJob('baton-adw-step', stepJobId(await currentJob(adw, second.id, 0)));
    // A running ADW whose step no job works on is resumed at once (not refused as "running").
    const resumed = await adw.adws.resume(second.id);
    expect(resumed.status).toBe('running');
    expect((await stateOf(adw, second.id)).steps[0]).toMatchObject({
      status: 'pending',
      dispatch: 2,
      failures: 1,
    });
    // The first is found by the worker's own reconciling.
    await adw.worker(2, { reconcileMs: 500 });
    for (const id of [first.id, second.id]) {
      expect((await waitForAdw(adw.adws, id, [...ended])).row.status).toBe('succeeded');
    }
    // With a worker on it, a running ADW is not resumed.
    const third = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    await expect(adw.adws.resume(third.id)).rejects.toThrow(/is running and a worker is on its current step/);
    await waitForAdw(adw.adws, third.id, [...ended]);
  });

  it.each<StepPoint>(['registered', 'started', 'agent_started', 'agent_ended'])(
    'a cancel that lands at %s settles the ADW as cancelled, with the step settled and its spend counted',
    async (point) => {
      const adw = await setUp(adwScript({ verdict: 'PASS' }));
      let id = '';
      let cancelled = false;
      await adw.worker(1, {
        checkpoint: async (at, job) => {
          if (at !== point || job.index !== 1 || cancelled) return;
          cancelled = true;
          await adw.adws.cancel(id);
        },
      });
      id = (
        await adw.adws.start({ workflow: 'plan_build', prompt: 'Add a farewell function', cwd: adw.repo })
      ).id;
      const { row, steps } = await waitForAdw(adw.adws, id, [...ended]);
      expect(cancelled).toBe(true);
      expect(row.status).toBe('cancelled');
      // Stopped before its agent, or while it ran: cancelled; finished before the cancel was seen: its result is kept.
      expect(steps[1]!.status).toBe(point === 'agent_ended' ? 'succeeded' : 'cancelled');
      expect(steps.some((step) => step.status === 'running')).toBe(false);
      expect(row.cost_usd).toBeCloseTo(await usageCost(id), 6);
      const running = await db.current.pool.query(
        `select 1 from agent_runs where adw_id = $1 and status = 'running'`,
        [id],
      );
      expect(running.rowCount).toBe(0);
      // And it resumes to the end.
      await adw.adws.resume(id);
      expect((await waitForAdw(adw.adws, id, [...ended])).row.status).toBe('succeeded');
    },
  );

  it('cancel then resume at once runs the step again once, with no duplicate job and no agent superseded', async () => {
    const adw = await setUp(adwScript({ verdict: 'PASS', buildDelayMs: 20_000 }));
    await adw.worker(2);
    const started = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    await until(
      async () => adw.server.messageRequests().some(buildRequest) || undefined,
      'the build to call the model',
    );
    await adw.adws.cancel(started.id);
    // Resume as soon as the stopping step allows it.
    await until(
      () =>
        adw.adws.resume(started.id).then(
          () => true,
          (error: Error) => (/still stopping/.test(error.message) ? undefined : Promise.reject(error)),
        ),
      'the resume to be accepted',
    );
    const { row } = await waitForAdw(adw.adws, started.id, [...ended]);
    expect(row.status).toBe('succeeded');
    const builds = await db.current.pool.query<{ status: string; error_message: string | null }>(
      `select status, error_message from agent_runs where adw_id = $1 and adw_step = 'build' order by started_at`,
      [started.id],
    );
    expect(builds.rows.map((run) => run.status)).toEqual(['interrupted', 'succeeded']);
    expect(builds.rows.some((run) => /Superseded/.test(run.error_message ?? ''))).toBe(false);
    // One job per dispatch: enqueueing a dispatch again is a no-op.
    const queue = await adw.services.queue();
    const job = await currentJob(adw, started.id, 1);
    await queue.enqueue(job, { retries: 2 });
    const jobs = await db.current.pool.query(`select count(*)::int as n from pgboss.job where id = $1`, [
      stepJobId(job),
    ]);
    expect(jobs.rows[0].n).toBe(1);
  });
});
