import { describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { createChatService } from '../src/orchestrator/chat-service.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useAdwHarness } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, connectClient, useServerHarness } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

describe('the orchestrator through the API, with real Claude Code against the fake model', () => {
  const db = useTestDatabase();
  const adwHarness = useAdwHarness(db);
  const serverHarness = useServerHarness(db);

  it('sends a message, streams the reply to a WebSocket client on the orchestrator topic, and pages the history', async () => {
    const adw = await adwHarness.setUp([
      { ...reply('Hello from the orchestrator.'), match: { lastUserText: { contains: 'say hello' } } },
    ]);
    const chat = createChatService({
      services: adw.services,
      tools: managementTools,
      cwd: adw.repo,
      model: modelAliases.sonnet,
      promptContext: async () => ({ templates: [], workflows: [], slashCommands: [] }),
    });
    adwHarness.defer(() => chat.close());
    const orchestrator = await chat.orchestrator();
    const server = await serverHarness.setUp({
      services: adw.services,
      cwd: adw.repo,
      chat,
      orchestrator: async () => ({ id: orchestrator.id, agentId: orchestrator.agent_id }),
    });
    const client = await connectClient(await server.listen());
    serverHarness.defer(() => client.close());
    client.send({ type: 'subscribe', topic: 'orchestrator' });
    await client.next('subscription.started');
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const response = await server.app.inject({ method, url, headers: auth, payload });
      return { status: response.statusCode, body: response.json() };
    };

    expect((await call('POST', '/api/orchestrator/messages', { message: '  ' })).body.error).toMatchObject({
      field: 'body.message',
    });
    const sent = await call('POST', '/api/orchestrator/messages', { message: 'say hello' });
    expect(sent.status).toBe(202);
    expect(sent.body.message).toMatchObject({ sender_type: 'user', status: 'queued', message: 'say hello' });
    await chat.settled(sent.body.message.id);
    adw.server.assertComplete();

    // The reply arrived live: its event, its token fragments, and the chat items.
    const text = await client.next(
      'event.appended',
      (message) => message.event.type === 'TextBlock' && message.event.orchestratorId === orchestrator.id,
    );
    expect(text.event.payload).toMatchObject({ text: 'Hello from the orchestrator.' });
    const fragments = client.messages.flatMap((message) =>
      message.type === 'event.delta' && message.delta.kind === 'text' ? [message.delta.text] : [],
    );
    expect(fragments.join('')).toBe('Hello from the orchestrator.');
    await until(
      async () =>
        client.messages.filter((message) => message.type === 'chat.appended').length >= 2 ? true : undefined,
      'the chat items over the WebSocket',
    );

    const history = await call('GET', '/api/orchestrator/chat');
    expect(
      history.body.items.map((item: { sender_type: string; message: string }) => [
        item.sender_type,
        item.message,
      ]),
    ).toEqual([
      ['user', 'say hello'],
      ['orchestrator', 'Hello from the orchestrator.'],
    ]);
    const older = await call(
      'GET',
      `/api/orchestrator/chat?before=${history.body.items[1].position}&limit=5`,
    );
    expect(older.body.items.map((item: { message: string }) => item.message)).toEqual(['say hello']);
    expect((await call('GET', '/api/orchestrator/chat?before=abc')).body.error.field).toBe('query.before');

    const state = await call('GET', '/api/orchestrator');
    expect(state.body).toMatchObject({ orchestrator: { id: orchestrator.id, status: 'idle' }, queued: [] });
    expect((await call('POST', '/api/orchestrator/interrupt')).body).toEqual({ interrupted: false });
  });

  it('answers 400 naming the fix when the server runs no orchestrator', async () => {
    const server = await serverHarness.setUp();
    const response = await server.app.inject({ method: 'GET', url: '/api/orchestrator', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/runs no orchestrator/);
  });
});
