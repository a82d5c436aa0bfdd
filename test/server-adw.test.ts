import { describe, expect, it } from 'vitest';
import { adwScript } from '../src/demo/adw-script.ts';
import { useAdwHarness } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, connectClient, useServerHarness } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const prompt = 'Add a farewell(name) function to greet.js with a test';

describe('ADWs through the REST API, with real Claude Code against the fake model', () => {
  const db = useTestDatabase();
  const adwHarness = useAdwHarness(db);
  const serverHarness = useServerHarness(db);

  it('POST /api/adws starts a workflow a worker runs to the end; a WebSocket client follows it', async () => {
    const adw = await adwHarness.setUp(adwScript({ verdict: 'FAIL' }));
    const server = await serverHarness.setUp({ services: adw.services, cwd: adw.repo });
    const client = await connectClient(await server.listen());
    serverHarness.defer(() => client.close());
    client.send({ type: 'subscribe', topic: 'all' });
    await client.next('subscription.started');
    await adw.worker();

    const started = await server.app.inject({
      method: 'POST',
      url: '/api/adws',
      headers: auth,
      payload: { workflow: 'plan_build_review_fix', prompt },
    });
    expect(started.statusCode).toBe(201);
    const id: string = started.json().adw.id;
    expect(started.json().adw).toMatchObject({
      workflow: 'plan_build_review_fix',
      status: 'running',
      total_steps: 4,
    });

    const done = await until(
      async () => {
        const response = await server.app.inject({ method: 'GET', url: `/api/adws/${id}`, headers: auth });
        const body = response.json();
        return ['succeeded', 'failed', 'cancelled', 'paused'].includes(body.adw.status) &&
          !body.steps.some((step: { status: string }) => step.status === 'running')
          ? body
          : undefined;
      },
      'the ADW to settle',
      150_000,
    );
    adw.server.assertComplete();
    expect(done.adw.status).toBe('succeeded');
    expect(done.steps.map((step: { name: string; status: string }) => [step.name, step.status])).toEqual([
      ['plan', 'succeeded'],
      ['build', 'succeeded'],
      ['review', 'succeeded'],
      ['fix', 'succeeded'],
    ]);

    // The client saw the ADW's whole story live, in seq order, and its summary as it changed.
    const ended = await client.next(
      'adw.updated',
      (message) => message.adw.id === id && message.adw.status === 'succeeded',
    );
    expect(ended.adw).toMatchObject({ completedSteps: 4, totalSteps: 4 });
    const events = await server.app.inject({
      method: 'GET',
      url: `/api/adws/${id}/events?limit=1000`,
      headers: auth,
    });
    const stored: number[] = events.json().events.map((event: { seq: number }) => event.seq);
    await until(async () => {
      const live = client.messages.flatMap((message) =>
        message.type === 'event.appended' && message.event.adwId === id ? [message.event.seq] : [],
      );
      return live.length >= stored.length ? live : undefined;
    }, 'every ADW event over the WebSocket');
    const live = client.messages.flatMap((message) =>
      message.type === 'event.appended' && message.event.adwId === id ? [message.event.seq] : [],
    );
    expect(live.slice(0, stored.length)).toEqual(stored);
    const types = new Set(
      client.messages.flatMap((message) => (message.type === 'event.appended' ? [message.event.type] : [])),
    );
    for (const type of ['AdwCreated', 'StepStart', 'ToolUseBlock', 'FileChanges', 'StepEnd', 'AdwEnded'])
      expect(types, type).toContain(type);
  });

  it('cancel and resume through the API; refusals name what is wrong', async () => {
    const adw = await adwHarness.setUp([]);
    const server = await serverHarness.setUp({ services: adw.services, cwd: adw.repo });
    const post = async (url: string, payload?: object) => {
      const response = await server.app.inject({ method: 'POST', url, headers: auth, payload });
      return { status: response.statusCode, body: response.json() };
    };
    // No worker here: the first step waits in the queue.
    const started = await post('/api/adws', { workflow: 'plan_build', prompt, maxCostUsd: 2 });
    expect(started.status).toBe(201);
    const id = started.body.adw.id;

    const cancelled = await post(`/api/adws/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.adw.status).toBe('cancelled');
    const again = await post(`/api/adws/${id}/cancel`);
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/nothing to cancel/);

    expect((await post(`/api/adws/${id}/resume`, { addCostUsd: -1 })).body.error).toMatchObject({
      field: 'body.addCostUsd',
    });
    const resumed = await post(`/api/adws/${id}/resume`, { addCostUsd: 1 });
    expect(resumed.status).toBe(200);
    expect(resumed.body.adw).toMatchObject({ status: 'running', max_cost_usd: 3 });
    expect((await post(`/api/adws/${id}/cancel`)).body.adw.status).toBe('cancelled');

    expect((await post('/api/adws', { workflow: 'no_such_flow', prompt })).body.error.message).toMatch(
      /Unknown workflow "no_such_flow"/,
    );
    expect((await post('/api/adws', { workflow: 'plan_build', prompt: '   ' })).body.error).toMatchObject({
      field: 'body.prompt',
    });
    expect((await post('/api/adws/00000000-0000-4000-8000-000000000000/cancel')).status).toBe(404);
  });
});
