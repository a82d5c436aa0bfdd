import { describe, expect, it } from 'vitest';
import { isAlive } from '../src/core/is-alive.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { startBaton } from './helpers/cli.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

const minute = 60_000;

describe('agent commands when workers die', () => {
  const db = useTestDatabase();
  const { setUp, defer } = useCommandAgentHarness(db);

  it('a command whose `baton worker` is SIGKILLed resumes its session in another worker and ends once', async () => {
    const h = await setUp([
      { ...reply('finished by the survivor'), match: { lastUserText: { contains: 'Carry on' } } },
      { ...reply('never sent'), match: { lastUserText: { contains: 'long job' } }, delayMs: 10 * minute },
    ]);
    const workers = [0, 1].map(() =>
      startBaton(['worker', '--concurrency', '1'], { ...h.env, BATON_FROM_SOURCE: '1' }),
    );
    for (const worker of workers) {
      defer(async () => {
        worker.child.kill('SIGKILL');
        await worker.exited;
      });
      await worker.waitFor(/worker ready/);
    }
    const agent = await h.agents.create({ workspace: h.dir, name: 'frank' });
    const { commandId } = await h.agents.command({ workspace: h.dir, name: 'frank', command: 'A long job' });

    // Killed once its transcript is in the session store, which is what lets another worker resume it.
    const first = await until(
      async () => {
        const { rows } = await db.current.pool.query<{ pid: number; agent_pid: number | null }>(
          `select r.pid, r.agent_pid from agent_runs r
             join session_entries s on s.session_id = r.session_id
            where r.agent_id = $1 and r.status = 'running' and r.agent_pid is not null limit 1`,
          [agent.id],
        );
        return rows[0] && h.server.messageRequests().length > 0 ? rows[0] : undefined;
      },
      'the command to start and call the model',
      2 * minute,
    );
    const victim = workers.find((worker) => worker.child.pid === first.pid);
    expect(victim, 'the command runs in one of the two workers').toBeDefined();
    victim!.child.kill('SIGKILL');
    await victim!.exited;
    await until(
      async () => (isAlive(first.agent_pid!) ? undefined : true),
      'the orphaned Claude Code to die',
    );

    const { command } = await h.agents.wait(h.dir, 'frank', { commandId, timeoutMs: 3 * minute });
    expect(command).toMatchObject({
      status: 'succeeded',
      result_text: 'finished by the survivor',
      deliveries: 2,
    });
    const runs = await db.current.pool.query<{
      status: string;
      error_message: string | null;
      session_id: string;
      resumed_session_id: string;
    }>(
      'select status, error_message, session_id, resumed_session_id from agent_runs where agent_id = $1 order by started_at',
      [agent.id],
    );
    // The killed attempt is ended by the survivor, saying why; the second run resumes its session.
    expect(runs.rows.map((run) => run.status)).toEqual(['failed', 'succeeded']);
    expect(runs.rows[0]!.error_message).toMatch(/worker stopped/);
    expect(runs.rows[1]!.resumed_session_id).toBe(runs.rows[0]!.session_id);
    const ended = (await readEventsAfter(db.current.pool, 0, { agentId: agent.id }, 1000)).filter(
      (event) => event.type === 'CommandEnded' && event.payload.command_id === commandId,
    );
    expect(ended).toHaveLength(1);
  });

  it('ends a command whose job failed for good, and the agent’s next command still runs', async () => {
    const h = await setUp([reply('the next one ran')]);
    const agent = await h.agents.create({ workspace: h.dir, name: 'gina' });
    const stuck = await h.agents.command({ workspace: h.dir, name: 'gina', command: 'Doomed' });
    const next = await h.agents.command({ workspace: h.dir, name: 'gina', command: 'Next' });
    // What pg-boss leaves after the last of the job's deliveries died with its workers: a failed job, which
    // holds back every later job with the same key (this agent's) in a key_strict_fifo queue.
    await db.current.pool.query(`update pgboss.job set state = 'failed' where id = $1`, [stuck.commandId]);

    await h.worker();
    const { command: doomed } = await h.agents.wait(h.dir, 'gina', {
      commandId: stuck.commandId,
      timeoutMs: minute,
    });
    expect(doomed?.status).toBe('failed');
    expect(doomed?.error_message).toMatch(/gave up on this command/);
    const { command } = await h.agents.wait(h.dir, 'gina', {
      commandId: next.commandId,
      timeoutMs: 2 * minute,
    });
    expect(command).toMatchObject({ status: 'succeeded', result_text: 'the next one ran' });
    const left = await db.current.pool.query(`select 1 from pgboss.job where id = $1`, [stuck.commandId]);
    expect(left.rowCount, 'the failed job is out of the queue').toBe(0);
    expect(agent.name).toBe('gina');
  });
});
