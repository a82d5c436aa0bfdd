import { describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.ts';
import { insertAgent } from '../src/db/agents.ts';
import { insertEvents } from '../src/db/events.ts';
import { insertFileChanges } from '../src/db/file-changes.ts';
import { insertRun } from '../src/db/runs.ts';
import { upsertUsage } from '../src/db/usage.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, useServerHarness } from './helpers/server.ts';

describe('the REST API over the ledger', () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);

  async function seedAgent(name: string, workspace?: string) {
    const pool = db.current.pool;
    const agent = await insertAgent(pool, {
      name,
      model: 'claude-sonnet-5-5',
      workingDir: workspace ?? '/tmp',
      ...(workspace && { kind: 'command' as const, workspace }),
    });
    const run = await insertRun(pool, {
      id: newId(),
      agentId: agent.id,
      model: agent.model,
      workingDir: '/tmp',
      host: 'test',
      pid: 1,
    });
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
    await upsertUsage(pool, [
      {
        runId: run.id,
        agentId: agent.id,
        messageId: `m-${name}-1`,
        model: agent.model,
        inputTokens: 100,
        outputTokens: 20,
        cacheReadTokens: 5,
        cacheCreationTokens: 7,
        costUsd: 0.0125,
      },
      {
        runId: run.id,
        agentId: agent.id,
        messageId: `m-${name}-2`,
        model: agent.model,
        inputTokens: 50,
        outputTokens: 10,
        cacheReadTokens: 0,
        cacheCreationTokens: 0,
        costUsd: 0.005,
      },
    ]);
    const events = Array.from({ length: 5 }, (_, n) => ({
      id: newId(),
      category: 'response' as const,
      type: 'TextBlock',
      agentId: agent.id,
      runId: run.id,
      payload: { n },
      occurredAt: new Date(),
    }));
    await insertEvents(pool, events);
    return { agent, run };
  }

  it('agents: list, detail, runs, events in seq order with paging, file changes with and without diffs', async () => {
    const server = await harness.setUp();
    const get = async (url: string) => {
      const response = await server.app.inject({ method: 'GET', url, headers: auth });
      return { status: response.statusCode, body: response.json() };
    };
    const alice = await seedAgent('alice');
    await seedAgent('bob');

    const list = await get('/api/agents');
    expect(list.status).toBe(200);
    const listed = list.body.agents.find((agent: { id: string }) => agent.id === alice.agent.id);
    expect(listed).toMatchObject({ name: 'alice', run_count: 1, cost_usd: 0.0175 });

    expect((await get('/api/agents?kind=command')).body.agents).toEqual([]);
    expect((await get('/api/agents?kind=robot')).body.error.field).toBe('query.kind');
    const detail = await get(`/api/agents/${alice.agent.id}`);
    expect(detail.body).toMatchObject({ agent: { name: 'alice' }, latestRun: { id: alice.run.id } });
    expect(
      (await get(`/api/agents/${alice.agent.id}/runs`)).body.runs.map((run: { id: string }) => run.id),
    ).toEqual([alice.run.id]);

    const page1 = await get(`/api/agents/${alice.agent.id}/events?limit=3`);
    expect(page1.body.events).toHaveLength(3);
    expect(page1.body.more).toBe(true);
    const page2 = await get(`/api/agents/${alice.agent.id}/events?fromSeq=${page1.body.nextSeq}&limit=3`);
    const seqs = [...page1.body.events, ...page2.body.events].map((event: { seq: number }) => event.seq);
    expect(page2.body.more).toBe(false);
    expect(seqs).toHaveLength(5);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(page1.body.events[0]).toMatchObject({
      agentId: alice.agent.id,
      runId: alice.run.id,
      payload: { n: 0 },
    });
    expect(typeof page1.body.events[0].occurredAt).toBe('string');

    // Paging back from the newest (the web UI's scroll-up): each page oldest first, ending before beforeSeq.
    const newest = await get(
      `/api/agents/${alice.agent.id}/events?beforeSeq=${Number.MAX_SAFE_INTEGER}&limit=3`,
    );
    expect(newest.body.events.map((event: { seq: number }) => event.seq)).toEqual(seqs.slice(2));
    expect(newest.body.more).toBe(true);
    const back = await get(`/api/agents/${alice.agent.id}/events?beforeSeq=${seqs[2]}&limit=3`);
    expect(back.body.events.map((event: { seq: number }) => event.seq)).toEqual(seqs.slice(0, 2));
    expect(back.body.more).toBe(false);
    expect((await get('/api/events?beforeSeq=0')).body.error.field).toBe('query.beforeSeq');

    const changes = await get(`/api/agents/${alice.agent.id}/file-changes`);
    expect(changes.body.fileChanges).toEqual([
      expect.objectContaining({ path: 'hello.txt', status: 'created', lines_added: 1, diff: '+hello\n' }),
    ]);
    const withoutDiffs = await get(
      `/api/agents/${alice.agent.id}/file-changes?diffs=false&run=${alice.run.id}`,
    );
    expect(withoutDiffs.body.fileChanges[0].diff).toBeNull();

    const missing = await get(`/api/agents/${newId()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await get('/api/agents/not-a-uuid')).body.error).toMatchObject({ field: 'params.id' });
  });

  it('events: filters by agent, run and category, and names a wrong field', async () => {
    const server = await harness.setUp();
    const { agent, run } = await seedAgent('carol');
    const get = async (url: string) =>
      (await server.app.inject({ method: 'GET', url, headers: auth })).json();
    expect((await get(`/api/events?agent=${agent.id}`)).events).toHaveLength(5);
    expect((await get(`/api/events?run=${run.id}&category=response`)).events).toHaveLength(5);
    expect((await get(`/api/events?run=${run.id}&category=hook,system`)).events).toHaveLength(0);
    expect((await get('/api/events?category=hook,bogus')).error).toMatchObject({ field: 'query.category.1' });
    expect((await get('/api/events?limit=0')).error).toMatchObject({ field: 'query.limit' });
    expect((await get('/api/events?limit=1001')).error).toMatchObject({ field: 'query.limit' });
    expect((await get('/api/events?agentId=x')).error).toMatchObject({ field: 'query.agentId' });
  });

  it('cost matches the usage ledger; logs filter by level and text; workflows, commands and the OpenAPI document', async () => {
    const server = await harness.setUp({
      slashCommands: async () => ({ commands: [{ name: 'experts:adw:question' }], errors: [] }),
      agentTemplates: async () => ({ templates: [{ name: 'reviewer', tools: ['Read'] }], errors: [] }),
    });
    const pool = db.current.pool;
    const get = async (url: string) =>
      (await server.app.inject({ method: 'GET', url, headers: auth })).json();
    const { agent } = await seedAgent('dave', server.cwd);
    await seedAgent('erin'); // another workspace's: not in this server's report
    const cost = await get('/api/cost');
    // What report_cost reports, from the usage ledger: the workspace's agents only.
    expect(cost.agents).toEqual([
      expect.objectContaining({
        id: agent.id,
        name: 'dave',
        input_tokens: 150,
        output_tokens: 30,
        cache_read_tokens: 5,
        cache_creation_tokens: 7,
        calls: 2,
      }),
    ]);
    const ledger = (
      await pool.query('select sum(cost_usd)::float as usd from usage where agent_id = $1', [agent.id])
    ).rows[0];
    expect(cost.agents[0].cost_usd).toBeCloseTo(ledger.usd, 9);
    expect(cost.total_usd).toBeCloseTo(ledger.usd, 9);

    await pool.query(
      `insert into system_logs (level, message) values ('INFO', 'worker started'), ('ERROR', 'Step build failed: 100% sure'),
       ('WARNING', 'slow database')`,
    );
    expect((await get('/api/logs?level=ERROR')).logs.map((log: { message: string }) => log.message)).toEqual([
      'Step build failed: 100% sure',
    ]);
    // A plain substring: % and _ are not patterns.
    expect((await get('/api/logs?contains=100%25')).logs).toHaveLength(1);
    expect((await get('/api/logs?contains=_')).logs).toHaveLength(0);
    expect((await get('/api/logs?limit=2')).logs).toHaveLength(2);

    const workflows = await get('/api/workflows');
    expect(workflows.workflows.map((workflow: { name: string }) => workflow.name)).toContain(
      'plan_build_review_fix',
    );
    expect((await get('/api/commands')).commands).toEqual([{ name: 'experts:adw:question' }]);
    expect((await get('/api/templates')).templates).toEqual([{ name: 'reviewer', tools: ['Read'] }]);

    const document = await get('/api/openapi.json');
    expect(document.openapi).toBe('3.0.3');
    for (const route of server.routes) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      expect(
        document.paths[path]?.[route.method.toLowerCase()],
        `${route.method} ${route.url}`,
      ).toBeDefined();
    }
    expect(
      document.paths['/api/adws'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('prompt');
    expect(
      document.paths['/api/events'].get.parameters.map((parameter: { name: string }) => parameter.name),
    ).toEqual(expect.arrayContaining(['fromSeq', 'limit', 'agent', 'run', 'adw', 'category']));
  });
});
