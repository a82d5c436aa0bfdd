import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import type { EventDraft } from '../src/core/events.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { migrate } from '../src/db/migrate.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { createPool } from '../src/db/pool.ts';
import { createAgentRunner } from '../src/orchestrator/agent-runner.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir, testRunner, testRuntime } from './helpers/agents.ts';

describe('an agent run while PostgreSQL restarts', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('keeps running, then records every event, usage row and file change exactly once', async () => {
    const home = await scratchDir('restart-home');
    const work = await scratchDir('restart-work');
    cleanup.push(home.remove, work.remove);
    await gitRepository(work.path, { 'a.txt': 'a\n' });
    let server: EmbeddedDatabase = await startEmbeddedPostgres(join(home.path, 'postgres'));
    cleanup.push(() => server.stop());
    const pool = createPool(server.url);
    cleanup.push(() => pool.end());
    await migrate(pool);

    const usage = { input_tokens: 500, output_tokens: 20 };
    const model = await startFakeModelServer({
      script: [
        { ...turn(toolUse('Write', { file_path: join(work.path, 'b.txt'), content: 'b\n' })), usage },
        // The model takes its time here, and the database restarts meanwhile.
        {
          ...turn(toolUse('Bash', { command: 'echo during' })),
          match: { lastToolResult: { toolName: 'Write' } },
          delayMs: 3_000,
          usage,
        },
        { ...reply('done'), match: { lastToolResult: { toolName: 'Bash' } }, usage },
      ],
    });
    cleanup.push(() => model.close());
    const { runner, writer } = testRunner(pool, testRuntime(join(home.path, 'baton'), model.url));
    cleanup.push(() => writer.close());

    const live: EventDraft[] = [];
    let restart: Promise<void> | undefined;
    const run = await runner.start({
      prompt: 'Write b.txt',
      cwd: work.path,
      model: modelAliases.haiku,
      author: 'engineer',
      onEvent: (event) => {
        live.push(event);
        if (event.type === 'PostToolUse' && !restart) {
          restart = (async () => {
            await server.stop();
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            server = await startEmbeddedPostgres(join(home.path, 'postgres'));
          })();
        }
      },
    });
    const { run: row } = await run.done;
    await restart;
    model.assertComplete();

    expect(row.status).toBe('succeeded');
    const events = await readEventsAfter(pool, 0, { runId: run.runId }, 10_000);
    expect(events.map((event) => event.id)).toEqual(live.map((event) => event.id));
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    const usageRows = await pool.query(
      'select sum(input_tokens)::int as input, count(*)::int as calls from usage where run_id = $1',
      [run.runId],
    );
    expect(usageRows.rows[0]).toEqual({ input: 1_500, calls: 3 });
    const changes = await pool.query('select path, status from file_changes where run_id = $1', [run.runId]);
    expect(changes.rows).toEqual([{ path: 'b.txt', status: 'created' }]);
  });

  it('fails the run cleanly, stopping the agent, when the database does not come back', async () => {
    const home = await scratchDir('gone-home');
    const work = await scratchDir('gone-work');
    cleanup.push(home.remove, work.remove);
    await gitRepository(work.path, { 'a.txt': 'a\n' });
    const server = await startEmbeddedPostgres(join(home.path, 'postgres'));
    cleanup.push(() => server.stop());
    const pool = createPool(server.url);
    cleanup.push(() => pool.end());
    await migrate(pool);
    const model = await startFakeModelServer({
      // A model that takes 10 minutes: a run that waited for it instead of being stopped when the ledger
      // gives up would time the test out.
      script: [{ ...turn(toolUse('Bash', { command: 'echo never' })), delayMs: 600_000, times: 'always' }],
    });
    cleanup.push(() => model.close());
    const writer = createEventWriter(pool, { maxOutageMs: 1_500 });
    const runner = createAgentRunner({
      pool,
      writer,
      runtime: testRuntime(join(home.path, 'baton'), model.url),
      maxOutageMs: 1_500,
    });

    const run = await runner.start({
      prompt: 'Run echo',
      cwd: work.path,
      model: modelAliases.haiku,
      author: 'engineer',
    });
    // The run is recorded as started; then the database goes away for good. The agent's first events
    // cannot be written, the writer gives up after maxOutageMs, and the runner stops the agent.
    await server.stop();
    await expect(run.done).rejects.toMatchObject({ code: 'database_unavailable' });
    expect(model.messageRequests().length).toBe(1);
  });
});
