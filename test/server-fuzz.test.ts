import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NotFoundError } from '../src/core/errors.ts';
import { newId } from '../src/core/ids.ts';
import type { AnyRouteSpec } from '../src/server/route.ts';
import { managementTools } from '../src/tools/registry.ts';
import { defineTool } from '../src/tools/tool.ts';
import { openChat } from '../src/orchestrator/open-chat.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { scratchDir } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import {
  encode,
  propertyNames,
  randomObject,
  randomString,
  randomValue,
  seededRandom,
  type Random,
} from './helpers/fuzz.ts';
import { auth, connectClient, useServerHarness } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const tools = [
  defineTool({
    name: 'count_to',
    description: 'Counts to n.',
    input: z.object({ n: z.number().int().min(1).max(5), label: z.string().max(20).optional() }),
    run: async ({ n }) => ({ text: Array.from({ length: n }, (_, i) => i + 1).join(' '), structured: { n } }),
  }),
  defineTool({
    name: 'find_nothing',
    description: 'Looks for something that is not there.',
    input: z.object({ name: z.string() }),
    run: async ({ name }) => {
      throw new NotFoundError(`No ${name}.`);
    },
  }),
];

function fuzzedUrl(random: Random, route: AnyRouteSpec): string {
  const path = route.url
    .replace(':id', () => (random.next() < 0.5 ? newId() : encode(randomString(random))))
    .replace(':name', () =>
      random.next() < 0.5 ? random.pick(['count_to', 'find_nothing', 'nope']) : encode(randomString(random)),
    );
  if (random.next() < 0.1)
    return `${path}?${random.pick(['limit=%E0%A4%A', '%%%', '&&=&', 'a[b]=c', 'fromSeq'])}`;
  const query = new URLSearchParams();
  const keys = [...propertyNames(route.query), 'extra'];
  for (let i = random.int(4); i > 0; i -= 1) {
    const key = random.pick(keys);
    for (let n = random.next() < 0.2 ? 2 : 1; n > 0; n -= 1) query.append(key, randomString(random));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function fuzzedBody(random: Random, route: AnyRouteSpec): { payload?: string; type?: string } {
  const roll = random.next();
  if (roll < 0.1) return {};
  if (roll < 0.2)
    return { payload: random.pick(['{', '{"a":', 'nul', '[1,', '"\\u12"', '{}}']), type: 'application/json' };
  if (roll < 0.25) return { payload: randomString(random), type: 'text/plain' };
  const keys = route.url.startsWith('/api/tools') ? ['n', 'label', 'name'] : propertyNames(route.body);
  const value = roll < 0.35 ? randomValue(random, 0, keys) : randomObject(random, 0, keys);
  return { payload: JSON.stringify(value), type: 'application/json' };
}

describe('fuzzed requests: no route answers a 5xx', () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);

  it('hundreds of generated queries and bodies on every route (seed 7) get 2xx or 4xx with an error naming the problem', async () => {
    const server = await harness.setUp({ tools });
    const random = seededRandom(7);
    const failures: string[] = [];
    let cases = 0;
    for (const route of server.routes) {
      for (let i = 0; i < 40; i += 1) {
        const url = fuzzedUrl(random, route);
        const body = route.method === 'POST' ? fuzzedBody(random, route) : {};
        const response = await server.app.inject({
          method: route.method,
          url,
          headers: { ...auth, ...(body.type && { 'content-type': body.type }) },
          payload: body.payload,
        });
        cases += 1;
        const status = response.statusCode;
        const what = () =>
          `${route.method} ${url.slice(0, 200)} ${(body.payload ?? '').slice(0, 200)} → ${status} ${response.body.slice(0, 300)}`;
        if (status >= 500) failures.push(what());
        else if (status >= 400 && !response.json().error?.message)
          failures.push(`no error message: ${what()}`);
      }
    }
    expect(cases).toBeGreaterThanOrEqual(600);
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('the orchestrator routes with a live chat (seed 11): fuzzed queries and bodies get 2xx or 4xx, turns and all', async () => {
    const model = await startFakeModelServer({ script: [{ ...reply('Noted.'), times: 'always' }] });
    harness.defer(() => model.close());
    const services = await harness.services({
      ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'sk-ant-fuzz',
    });
    const workspace = await scratchDir('fuzz-chat');
    harness.defer(workspace.remove);
    const chat = await openChat(services, workspace.path, managementTools);
    harness.defer(() => chat.close());
    const server = await harness.setUp({ services, chat, cwd: workspace.path });
    const random = seededRandom(11);
    const failures: string[] = [];
    const routes = server.routes.filter((route) => route.url.startsWith('/api/orchestrator'));
    expect(routes.map((route) => `${route.method} ${route.url}`)).toContain(
      'POST /api/orchestrator/messages',
    );
    for (const route of routes) {
      for (let i = 0; i < 25; i += 1) {
        const url = fuzzedUrl(random, route);
        // Every fifth message is a well-formed one with fuzzed text, so turns really run meanwhile.
        const body =
          route.url === '/api/orchestrator/messages' && i % 5 === 0
            ? { payload: JSON.stringify({ message: `x ${randomString(random)}` }), type: 'application/json' }
            : route.method === 'POST'
              ? fuzzedBody(random, route)
              : {};
        const response = await server.app.inject({
          method: route.method,
          url,
          headers: { ...auth, ...(body.type && { 'content-type': body.type }) },
          payload: body.payload,
        });
        if (response.statusCode >= 500)
          failures.push(`${route.method} ${url.slice(0, 200)} → ${response.body.slice(0, 300)}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // The fuzz got messages through, and each was queued and then answered or interrupted: none is stuck.
    const pending = async () =>
      (
        await services.db.pool.query<{ status: string }>(
          `select status from orchestrator_chat where sender_type = 'user'`,
        )
      ).rows;
    expect((await pending()).length).toBeGreaterThan(0);
    await until(
      async () =>
        (await pending()).every((row) => !['queued', 'running'].includes(row.status)) ? true : undefined,
      'every message the fuzz sent to be settled',
      3 * 60_000,
    );
  });

  it('generated arguments for every management tool (seed 13) get a result or a tool error, never a 5xx', async () => {
    const server = await harness.setUp({ tools: managementTools });
    const random = seededRandom(13);
    const failures: string[] = [];
    for (const tool of managementTools) {
      const keys = Object.keys(tool.input.shape);
      for (let i = 0; i < 25; i += 1) {
        const args = random.next() < 0.15 ? randomValue(random, 0, keys) : randomObject(random, 0, keys);
        // An agent the fuzz created and commanded could keep wait_for_agent for its whole timeout.
        if (tool.name === 'wait_for_agent' && args && typeof args === 'object' && !Array.isArray(args))
          (args as Record<string, unknown>).timeout_s = 0.01;
        const response = await server.app.inject({
          method: 'POST',
          url: `/api/tools/${tool.name}`,
          headers: auth,
          payload: JSON.stringify(args),
        });
        if (response.statusCode >= 500)
          failures.push(
            `${tool.name} ${JSON.stringify(args).slice(0, 200)} → ${response.body.slice(0, 300)}`,
          );
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('a tool error is a 400 carrying the field; a valid call returns its result', async () => {
    const server = await harness.setUp({ tools });
    const call = (name: string, payload: unknown) =>
      server.app.inject({
        method: 'POST',
        url: `/api/tools/${name}`,
        headers: auth,
        payload: payload as object,
      });
    const ok = await call('count_to', { n: 3 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ text: '1 2 3', structured: { n: 3 }, isError: false });
    const bad = await call('count_to', { n: 9 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ isError: true, structured: { field: 'n' } });
    expect((await call('find_nothing', { name: 'bob' })).json()).toMatchObject({
      isError: true,
      structured: { code: 'not_found' },
    });
    expect((await call('nope', {})).statusCode).toBe(404);
    const listed = await server.app.inject({ method: 'GET', url: '/api/tools', headers: auth });
    expect(listed.json().tools.map((tool: { name: string }) => tool.name)).toEqual([
      'count_to',
      'find_nothing',
    ]);
    expect(listed.json().tools[0].inputSchema).toMatchObject({
      type: 'object',
      properties: { n: { type: 'integer', minimum: 1, maximum: 5 } },
    });
  });

  it('hundreds of generated WebSocket frames get typed errors and the socket keeps serving', async () => {
    const server = await harness.setUp();
    const client = await connectClient(await server.listen());
    harness.defer(() => client.close());
    await client.next('connection.opened');
    const random = seededRandom(11);
    const frames = 300;
    for (let i = 0; i < frames; i += 1) {
      const roll = random.next();
      const frame =
        roll < 0.2
          ? randomString(random)
          : JSON.stringify(
              roll < 0.4
                ? randomValue(random)
                : {
                    type: random.pick(['subscribe', 'unsubscribe', 'ping', 'event.appended', 'Subscribe']),
                    ...randomObject(random, 0, ['topic', 'fromSeq']),
                  },
            );
      client.send(frame);
    }
    client.send({ type: 'subscribe', topic: 'all' });
    await client.next('subscription.started', (message) => message.topic === 'all', 0);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    const errors = client.messages.filter((message) => message.type === 'error');
    expect(errors.length).toBeGreaterThan(frames / 2);
    for (const error of errors) expect(error.message).toBeTruthy();
  });
});
