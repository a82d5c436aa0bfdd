import { describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.ts';
import { insertCommand } from '../src/db/agent-commands.ts';
import { insertAgent } from '../src/db/agents.ts';
import { insertFileChanges } from '../src/db/file-changes.ts';
import { insertPrompt } from '../src/db/prompts.ts';
import { insertRun } from '../src/db/runs.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, useServerHarness } from './helpers/server.ts';

/** What the web UI's agent detail view reads: runs with their prompt, the command queue, the listing's queue count. */
describe('the REST API for an agent’s detail', () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);

  it('runs carry their prompt and file count; the queue lists the running command first, then the waiting ones in order', async () => {
    const pool = db.current.pool;
    const agent = await insertAgent(pool, {
      name: 'erin',
      model: 'claude-sonnet-5-5',
      workingDir: '/tmp',
      kind: 'command',
      workspace: '/tmp',
    });
    const run = await insertRun(pool, {
      id: newId(),
      agentId: agent.id,
      model: agent.model,
      workingDir: '/tmp',
      host: 'test',
      pid: 1,
    });
    const first = await insertPrompt(pool, {
      agentId: agent.id,
      runId: run.id,
      author: 'engineer',
      text: 'Write hello.txt',
    });
    await insertCommand(pool, { id: first, agentId: agent.id });
    await pool.query(`update agent_commands set status = 'running', started_at = now() where id = $1`, [
      first,
    ]);
    const waiting: string[] = [];
    for (const text of ['Then say goodbye', 'Then stop']) {
      const id = await insertPrompt(pool, { agentId: agent.id, author: 'engineer', text });
      await insertCommand(pool, { id, agentId: agent.id });
      waiting.push(id);
    }
    await insertFileChanges(pool, run.id, agent.id, [
      {
        path: 'hello.txt',
        status: 'created',
        linesAdded: 1,
        linesRemoved: 0,
        binary: false,
        diff: '+hello\n',
        diffTruncated: false,
      },
    ]);

    const server = await harness.setUp();
    const get = async (url: string) => {
      const response = await server.app.inject({ method: 'GET', url, headers: auth });
      return { status: response.statusCode, body: response.json() };
    };

    const runs = await get(`/api/agents/${agent.id}/runs`);
    expect(runs.status).toBe(200);
    expect(runs.body.runs).toEqual([
      expect.objectContaining({
        id: run.id,
        prompt_text: 'Write hello.txt',
        files_changed: 1,
        status: 'running',
      }),
    ]);

    const queue = await get(`/api/agents/${agent.id}/commands`);
    expect(queue.status).toBe(200);
    expect(
      queue.body.commands.map((command: { prompt_id: string; status: string; command: string }) => [
        command.prompt_id,
        command.status,
        command.command,
      ]),
    ).toEqual([
      [first, 'running', 'Write hello.txt'],
      [waiting[0], 'queued', 'Then say goodbye'],
      [waiting[1], 'queued', 'Then stop'],
    ]);

    const listed = (await get('/api/agents')).body.agents.find((row: { id: string }) => row.id === agent.id);
    expect(listed).toMatchObject({ name: 'erin', queued_commands: 2 });

    // The queue empties as commands end; an unknown agent and a malformed id are refused by name.
    await pool.query(`update agent_commands set status = 'cancelled', ended_at = now() where agent_id = $1`, [
      agent.id,
    ]);
    expect((await get(`/api/agents/${agent.id}/commands`)).body.commands).toEqual([]);
    const missing = await get(`/api/agents/${newId()}/commands`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const malformed = await get('/api/agents/not-a-uuid/commands');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toBe('params.id');
    const unknownQuery = await get(`/api/agents/${agent.id}/commands?all=1`);
    expect(unknownQuery.status).toBe(400);
  });
});
