import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { createAdmission } from '../src/services/admission/admission.ts';
import type { RecordedRun } from '../src/services/runs/agent-runner.ts';
import {
  startFakeModelServer,
  type FakeModelServer,
  type Turn,
} from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { until } from './helpers/wait.ts';
import { scratchDir, testRunner, testRuntime, writeFiles } from './helpers/agents.ts';
import { cliEnvironment, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

const model = modelAliases.haiku;

/** A run that holds its Claude Code process (and so its slot) in a Bash loop until `gate` exists. */
function gatedRun(label: string, gate: string): Turn[] {
  return [
    {
      ...turn(toolUse('Bash', { command: `until [ -e ${gate} ]; do sleep 0.05; done; echo open` })),
      match: { anyText: { contains: label } },
    },
    {
      ...reply(`${label} done`),
      match: { anyText: { contains: label }, lastToolResult: { toolName: 'Bash' } },
    },
  ];
}

/** A run that reads a file and replies. */
function quickRun(label: string, dir: string): Turn[] {
  return [
    {
      ...turn(toolUse('Read', { file_path: join(dir, 'notes.txt') })),
      match: { anyText: { contains: label } },
    },
    {
      ...reply(`${label} done`),
      match: { anyText: { contains: label }, lastToolResult: { toolName: 'Read' } },
    },
  ];
}

/** Positions of the model requests a run (known by the label in its prompt) made. */
function requestsOf(server: FakeModelServer, label: string): number[] {
  return server
    .messageRequests()
    .filter((request) => JSON.stringify(request.body).includes(label))
    .map((request) => request.index);
}

async function eventsOf(pool: Pool, runId: string) {
  const { rows } = await pool.query<{ seq: number; type: string; payload: Record<string, unknown> }>(
    'select seq, type, payload from events where run_id = $1 order by seq',
    [runId],
  );
  return rows;
}

async function agentStatus(pool: Pool, agentId: string): Promise<string> {
  const { rows } = await pool.query<{ status: string }>('select status from agents where id = $1', [agentId]);
  return rows[0]!.status;
}

/** Resolves when the run has a RunQueued event stored with this position. */
function queuedAt(pool: Pool, run: RecordedRun, position: number) {
  return until(async () => {
    const events = await eventsOf(pool, run.runId);
    return events.find((event) => event.type === 'RunQueued' && event.payload.position === position);
  }, `run ${run.runId} queued at position ${position}`);
}

describe('admission of Claude Code processes', () => {
  const db = useTestDatabase();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  });

  /**
   * A BATON_HOME (the admission scope), a working directory, a gate file's path, a fake model playing
   * `script`, and a recording runner in this process whose agents get `slots` slots; agents' HOME is a
   * scratch directory, so Claude Code's shell sources no profile.
   */
  async function setUp(script: (dir: string, gate: string) => Turn[], slots: number, pool?: Pool) {
    const home = await scratchDir('admission-home');
    const work = await scratchDir('admission-work');
    const userHome = await scratchDir('admission-user');
    cleanup.push(home.remove, work.remove, userHome.remove);
    await writeFiles(work.path, { 'notes.txt': 'notes\n' });
    const gate = join(work.path, 'gate');
    // Whatever a test leaves gated (a killed agent's shell) is let go.
    cleanup.push(() => writeFile(gate, ''));
    const server = await startFakeModelServer({ script: script(work.path, gate) });
    cleanup.push(() => server.close());
    const admission = createAdmission({ scope: home.path, slots });
    cleanup.push(async () => admission.close());
    const runtime = { ...testRuntime(home.path, server.url, { HOME: userHome.path }), admission };
    const { runner, writer, sessions } = testRunner(pool ?? db.current.pool, runtime);
    cleanup.push(
      () => writer.close(),
      () => sessions.close(),
    );
    /** Event ids each run handed to the ledger, by run id. */
    const seen = new Map<string, string[]>();
    const start = async (label: string) => {
      const ids: string[] = [];
      const run = await runner.start({
        prompt: `This is ${label}.`,
        cwd: work.path,
        model,
        author: 'engineer',
        onEvent: (event) => ids.push(event.id),
      });
      seen.set(run.runId, ids);
      return run;
    };
    /** `baton agent run` (its live view) in a process of its own, on the same BATON_HOME with `slots` slots. */
    const batonRun = (label: string, agentName: string) => {
      const child = startBaton(
        ['agent', 'run', `This is ${label}.`, '--cwd', work.path, '--model', 'haiku', '--name', agentName],
        cliEnvironment({
          DATABASE_URL: db.current.url,
          BATON_HOME: home.path,
          BATON_MAX_AGENTS: String(slots),
          BATON_SUMMARIES: 'off',
          BATON_MODEL_MAX_RETRIES: '1',
          ANTHROPIC_BASE_URL: server.url,
          ANTHROPIC_API_KEY: 'sk-ant-admission-test-key',
          HOME: userHome.path,
        }),
      );
      cleanup.push(async () => {
        child.child.kill('SIGKILL');
        await child.exited;
      });
      return child;
    };
    return { server, gate, start, seen, batonRun, openGate: () => writeFile(gate, '') };
  }

  it('holds the cap across two processes: with one slot, the second run waits until the first agent has exited', async () => {
    const { server, start, batonRun, openGate } = await setUp(
      (dir, gate) => [...gatedRun('run A', gate), ...quickRun('run B', dir)],
      1,
    );
    const first = await start('run A');
    await until(async () => (requestsOf(server, 'run A').length ? true : undefined), 'run A at work');

    const second = batonRun('run B', 'agent-b');
    await second.waitFor(/queued \(position 1\)/);
    const agent = await until(async () => {
      const { rows } = await db.current.pool.query<{ id: string; status: string; run_id: string }>(
        `select a.id, a.status, r.id as run_id from agents a join agent_runs r on r.agent_id = a.id
          where a.name = 'agent-b'`,
      );
      return rows[0]?.status === 'waiting' ? rows[0] : undefined;
    }, 'the second agent waiting');
    const queued = await until(async () => {
      const events = await eventsOf(db.current.pool, agent.run_id);
      return events.find((event) => event.type === 'RunQueued');
    }, 'the second run queued in the ledger');
    expect(queued.payload).toEqual({ position: 1, slots: 1 });
    expect(requestsOf(server, 'run B'), 'the second agent has not started').toEqual([]);

    await openGate();
    expect((await first.done).run.status).toBe('succeeded');
    expect(await second.exited, second.stderr).toBe(0);
    expect(Math.min(...requestsOf(server, 'run B'))).toBeGreaterThan(
      Math.max(...requestsOf(server, 'run A')),
    );
    const types = (await eventsOf(db.current.pool, agent.run_id)).map((event) => event.type);
    expect(types.indexOf('RunQueued')).toBeLessThan(types.indexOf('RunStarted'));
    expect(await agentStatus(db.current.pool, agent.id)).toBe('idle');
    server.assertComplete();
  });

  it('takes an interrupted queued run out of the queue at once and records it as interrupted', async () => {
    const { server, start, openGate } = await setUp(
      (dir, gate) => [...gatedRun('run A', gate), ...quickRun('run C', dir)],
      1,
    );
    const holder = await start('run A');
    await until(async () => (requestsOf(server, 'run A').length ? true : undefined), 'run A at work');
    const leaving = await start('run B');
    await queuedAt(db.current.pool, leaving, 1);
    const behind = await start('run C');
    await queuedAt(db.current.pool, behind, 2);

    await leaving.interrupt();
    const { run, result } = await leaving.done;
    expect(run.status).toBe('interrupted');
    expect(run.stop_reason).toBe('interrupted');
    expect(result.numTurns).toBe(0);
    // The run behind moves up while the slot is still held: the interrupted run has left the queue.
    await queuedAt(db.current.pool, behind, 1);
    const types = (await eventsOf(db.current.pool, leaving.runId)).map((event) => event.type);
    expect(types).toEqual(['RunQueued', 'RunEnded']);
    expect(await agentStatus(db.current.pool, leaving.agentId)).toBe('idle');

    await openGate();
    expect((await holder.done).run.status).toBe('succeeded');
    expect((await behind.done).run.status).toBe('succeeded');
    expect(requestsOf(server, 'run B'), 'the interrupted run never reached the model').toEqual([]);
    server.assertComplete();
  });

  it('frees the slot of a process killed while its agent runs', async () => {
    const { server, start, batonRun } = await setUp(
      (dir, gate) => [gatedRun('run A', gate)[0]!, ...quickRun('run B', dir)],
      1,
    );
    const victim = batonRun('run A', 'agent-a');
    await until(async () => (requestsOf(server, 'run A').length ? true : undefined), 'run A at work');
    const waiting = await start('run B');
    await queuedAt(db.current.pool, waiting, 1);

    victim.child.kill('SIGKILL');
    const { run } = await waiting.done;
    expect(run.status).toBe('succeeded');
    server.assertComplete();
  });

  it('loses nothing when more runs than the pool has connections record at once', async () => {
    const runs = 6;
    const pool = createPool(db.current.url, { max: 2 });
    cleanup.push(() => pool.end());
    const labels = Array.from({ length: runs }, (_, n) => `run ${n + 1} of the crowd`);
    const { server, start, seen } = await setUp(
      (dir) => labels.flatMap((label) => quickRun(label, dir)),
      runs,
      pool,
    );

    const started = await Promise.all(labels.map(start));
    const outcomes = await Promise.all(started.map((run) => run.done));
    for (const [n, { run }] of outcomes.entries()) {
      expect(run.status).toBe('succeeded');
      const stored = await db.current.pool.query<{ id: string }>(
        'select id from events where run_id = $1 order by seq',
        [run.id],
      );
      expect(stored.rows.map((row) => row.id)).toEqual(seen.get(run.id));
      expect(seen.get(run.id)!.length).toBeGreaterThan(5);
      const usage = await db.current.pool.query('select 1 from usage where run_id = $1', [run.id]);
      expect(usage.rowCount, 'one usage row per model call').toBe(requestsOf(server, labels[n]!).length);
    }
    server.assertComplete();
  });
});
