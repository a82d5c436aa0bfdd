import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import type { EventDraft } from '../src/core/events.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir, testRunner, testRuntime } from './helpers/agents.ts';

// Claude Code keeps its API replay records (a cache of request bodies) local: it never mirrors them.
const localOnly = new Set(['api-request', 'api-request-shape', 'api-request-blob', 'api-request-resumed']);

/** The entries of a session's transcript that Claude Code wrote under its config directory and mirrors. */
async function localTranscript(
  claudeConfigDir: string,
  sessionId: string,
): Promise<Record<string, unknown>[]> {
  const projects = join(claudeConfigDir, 'projects');
  for (const project of await readdir(projects)) {
    const text = await readFile(join(projects, project, `${sessionId}.jsonl`), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => !localOnly.has(entry.type as string));
    }
  }
  throw new Error(`no local transcript of session ${sessionId} under ${projects}`);
}

describe('an agent run while PostgreSQL restarts', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('keeps running, then records every event, usage row, file change and transcript entry exactly once', async () => {
    const home = await scratchDir('restart-home');
    const work = await scratchDir('restart-work');
    cleanup.push(home.remove, work.remove);
    await gitRepository(work.path, { 'a.txt': 'a\n' });
    let server: EmbeddedDatabase = await startEmbeddedPostgres(join(home.path, 'postgres'));
    cleanup.push(() => server.stop({ force: true }));
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
        { ...reply('I wrote b.txt.'), match: { lastUserText: { contains: 'What did you write?' } } },
      ],
    });
    cleanup.push(() => model.close());
    const { runner, writer, sessions } = testRunner(pool, testRuntime(join(home.path, 'baton'), model.url));
    cleanup.push(
      () => writer.close(),
      () => sessions.close(),
    );

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
            await server.stop({ force: true });
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            server = await startEmbeddedPostgres(join(home.path, 'postgres'));
          })();
        }
      },
    });
    const { run: row } = await run.done;
    await restart;

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

    // The transcript Claude Code wrote locally is in the store, entry for entry, in order.
    const sessionId = row.session_id!;
    const local = await localTranscript(join(home.path, 'baton', 'claude'), sessionId);
    const stored = await pool.query<{ entry: Record<string, unknown> }>(
      `select entry from session_entries where session_id = $1 and subpath = '' order by seq`,
      [sessionId],
    );
    const mirrored = stored.rows.map((stored) => stored.entry);
    expect(mirrored.length).toBe(local.length);
    expect(mirrored.map((entry) => entry.uuid)).toEqual(local.map((entry) => entry.uuid));
    expect(mirrored).toEqual(local);

    // And another machine resumes it from there.
    const elsewhere = await scratchDir('restart-elsewhere');
    cleanup.push(elsewhere.remove);
    const remote = testRunner(pool, testRuntime(elsewhere.path, model.url));
    cleanup.push(
      () => remote.writer.close(),
      () => remote.sessions.close(),
    );
    const resumed = await remote.runner.start({
      prompt: 'What did you write?',
      cwd: work.path,
      model: modelAliases.haiku,
      author: 'engineer',
      agentId: run.agentId,
      resumeSessionId: sessionId,
    });
    expect((await resumed.done).run.status).toBe('succeeded');
    model.assertComplete();
    const resumedRequest = JSON.stringify(model.messageRequests().at(-1)!.body);
    expect(resumedRequest).toContain('Write b.txt');
    expect(resumedRequest).toContain('echo during');
  });

  it('fails the run cleanly, stopping the agent, when the database does not come back', async () => {
    const home = await scratchDir('gone-home');
    const work = await scratchDir('gone-work');
    cleanup.push(home.remove, work.remove);
    await gitRepository(work.path, { 'a.txt': 'a\n' });
    const server = await startEmbeddedPostgres(join(home.path, 'postgres'));
    cleanup.push(() => server.stop({ force: true }));
    const pool = createPool(server.url);
    cleanup.push(() => pool.end());
    await migrate(pool);
    const model = await startFakeModelServer({
      // A model that takes 10 minutes: a run that waited for it instead of being stopped when the ledger
      // gives up would time the test out.
      script: [{ ...turn(toolUse('Bash', { command: 'echo never' })), delayMs: 600_000, times: 'always' }],
    });
    cleanup.push(() => model.close());
    const log: string[] = [];
    const { runner, writer, sessions } = testRunner(pool, testRuntime(join(home.path, 'baton'), model.url), {
      writer: { maxOutageMs: 1_500, log: (line) => log.push(line) },
      maxOutageMs: 1_500,
    });
    cleanup.push(
      () => writer.close(),
      () => sessions.close(),
    );

    const run = await runner.start({
      prompt: 'Run echo',
      cwd: work.path,
      model: modelAliases.haiku,
      author: 'engineer',
    });
    // The run is recorded as started; then the database goes away for good. The agent's first events
    // cannot be written, the writer gives up after maxOutageMs, and the runner stops the agent.
    await server.stop({ force: true });
    await expect(run.done).rejects.toMatchObject({ code: 'database_unavailable' });
    // Stopped, not left waiting: on a busy machine it may be stopped before its first request is sent.
    expect(model.messageRequests().length).toBeLessThanOrEqual(1);
    expect(log[0]).toMatch(/unreachable for 1.5 s/);
  });

  it('fails a run cleanly during an outage longer than the limit, and records the next run completely once the database is back', async () => {
    const home = await scratchDir('outage-home');
    const work = await scratchDir('outage-work');
    cleanup.push(home.remove, work.remove);
    await gitRepository(work.path, { 'a.txt': 'a\n' });
    const dataDir = join(home.path, 'postgres');
    let server = await startEmbeddedPostgres(dataDir);
    cleanup.push(() => server.stop({ force: true }));
    const pool = createPool(server.url);
    cleanup.push(() => pool.end());
    await migrate(pool);
    const model = await startFakeModelServer({
      script: [
        // A slow model: the first run is still waiting for it when the ledger gives up.
        {
          ...turn(toolUse('Bash', { command: 'echo never' })),
          match: { lastUserText: { contains: 'Run echo' } },
          delayMs: 20_000,
          times: 'always',
        },
        { ...reply('Back again.'), match: { lastUserText: { contains: 'Say hello' } } },
      ],
    });
    cleanup.push(() => model.close());
    // The database comes back as soon as the writer has given up on the events of the outage.
    let restarted: Promise<void> | undefined;
    const log: string[] = [];
    const { runner, writer, sessions } = testRunner(pool, testRuntime(join(home.path, 'baton'), model.url), {
      writer: {
        maxOutageMs: 1_000,
        log: (line) => {
          log.push(line);
          restarted ??= startEmbeddedPostgres(dataDir).then((started) => void (server = started));
        },
      },
      maxOutageMs: 60_000,
    });
    cleanup.push(
      () => writer.close(),
      () => sessions.close(),
    );

    const first = await runner.start({
      prompt: 'Run echo',
      cwd: work.path,
      model: modelAliases.haiku,
      author: 'engineer',
    });
    await server.stop({ force: true });
    await expect(first.done).rejects.toMatchObject({
      code: 'database_unavailable',
      message: expect.stringMatching(/unreachable for 1 s .*could not be written/),
    });
    await restarted;
    const firstRow = await pool.query(
      'select r.status, r.error_message, a.status as agent_status from agent_runs r join agents a on a.id = r.agent_id where r.id = $1',
      [first.runId],
    );
    expect(firstRow.rows[0]).toMatchObject({
      status: 'failed',
      error_message: expect.stringMatching(/unreachable/),
      agent_status: 'blocked',
    });

    const live: EventDraft[] = [];
    const second = await runner.start({
      prompt: 'Say hello',
      cwd: work.path,
      model: modelAliases.haiku,
      author: 'engineer',
      onEvent: (event) => live.push(event),
    });
    const { run: row } = await second.done;
    expect(row.status).toBe('succeeded');
    const events = await readEventsAfter(pool, 0, { runId: second.runId }, 10_000);
    expect(events.map((event) => event.id)).toEqual(live.map((event) => event.id));
    expect(events.at(-1)!.type).toBe('RunEnded');
    const local = await localTranscript(join(home.path, 'baton', 'claude'), row.session_id!);
    const stored = await pool.query(
      'select count(*)::int as count from session_entries where session_id = $1',
      [row.session_id],
    );
    expect(stored.rows[0].count).toBe(local.length);
  });
});
