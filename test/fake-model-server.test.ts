import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic, { APIConnectionError, APIError } from '@anthropic-ai/sdk';
import type { MessageParam, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { query } from '@anthropic-ai/claude-agent-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseScript,
  reply,
  runFakeModelServerFromFile,
  startFakeModelServer,
  text,
  thinking,
  toolUse,
  turn,
  type FakeModelServer,
  type Script,
  type Turn,
} from '../src/testing/fake-model-server/index.ts';

const servers: FakeModelServer[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function start(script: Script | Turn[]): Promise<FakeModelServer> {
  const server = await startFakeModelServer({ script });
  servers.push(server);
  return server;
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function clientFor(server: FakeModelServer): Anthropic {
  return new Anthropic({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
}

const hello = { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

async function collect(stream: AsyncIterable<RawMessageStreamEvent>): Promise<RawMessageStreamEvent[]> {
  const events: RawMessageStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function apiError(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('fake model server over @anthropic-ai/sdk', () => {
  it('answers a non-streaming request with the whole message and estimated usage', async () => {
    const server = await start([reply('Hello there, friend.')]);

    const message = await clientFor(server).messages.create(hello);

    expect(message).toMatchObject({
      id: 'msg_fake_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [{ type: 'text', text: 'Hello there, friend.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    const bodyLength = Number(server.requests[0]!.headers['content-length']);
    expect(message.usage).toMatchObject({
      input_tokens: Math.ceil(bodyLength / 4),
      output_tokens: Math.ceil('Hello there, friend.'.length / 4),
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
    expect(server.messageRequests()).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      index: 0,
      method: 'POST',
      path: '/v1/messages',
      turnIndex: 0,
    });
    expect(server.requests[0]!.body).toMatchObject({ model: 'claude-test', messages: hello.messages });
    server.assertComplete();
  });

  it('streams thinking, text and a tool call that the SDK assembles from several deltas', async () => {
    const input = { file_path: '/tmp/a.txt', content: 'line one\nline two\n', nested: { n: [1, 2, 3] } };
    const server = await start([
      {
        ...turn(thinking('I should write the file.'), text('Writing it now.'), toolUse('Write', input)),
        usage: {
          input_tokens: 1200,
          output_tokens: 42,
          cache_read_input_tokens: 800,
          cache_creation_input_tokens: 64,
        },
        model: 'claude-reported',
      },
    ]);

    const message = await clientFor(server).messages.stream(hello).finalMessage();

    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'I should write the file.', signature: 'sig_fake_1' },
      { type: 'text', text: 'Writing it now.' },
      { type: 'tool_use', id: 'toolu_fake_1', name: 'Write', input },
    ]);
    expect(message.model).toBe('claude-reported');
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({
      input_tokens: 1200,
      output_tokens: 42,
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 64,
    });
    server.assertComplete();
  });

  it('sends the documented event sequence with split deltas and usage in message_start and message_delta', async () => {
    const server = await start([
      { ...turn(thinking('hmm, let me see'), text('The answer is 42.')), usage: { output_tokens: 9 } },
    ]);

    const events = await collect(await clientFor(server).messages.create({ ...hello, stream: true }));

    const kinds = events.map((event) =>
      event.type === 'content_block_delta' ? `delta:${event.delta.type}` : event.type,
    );
    expect(kinds).toEqual([
      'message_start',
      'content_block_start',
      'delta:thinking_delta',
      'delta:thinking_delta',
      'delta:thinking_delta',
      'delta:signature_delta',
      'content_block_stop',
      'content_block_start',
      'delta:text_delta',
      'delta:text_delta',
      'delta:text_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const first = events[0]!;
    const delta = events.at(-2)!;
    if (first.type !== 'message_start' || delta.type !== 'message_delta')
      throw new Error('unexpected events');
    expect(first.message.usage).toMatchObject({ output_tokens: 1, cache_read_input_tokens: 0 });
    expect(first.message.usage.input_tokens).toBeGreaterThan(0);
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(delta.usage).toMatchObject({ output_tokens: 9, input_tokens: first.message.usage.input_tokens });
  });

  it('sends raw tool input verbatim as partial_json, even when it is malformed', async () => {
    const rawInput = '{"file_path": "/tmp/x", "content": "unterminated';
    const server = await start([
      { content: [{ type: 'tool_use', name: 'Write', rawInput, id: 'toolu_raw' }] },
    ]);

    const events = await collect(await clientFor(server).messages.create({ ...hello, stream: true }));

    const parts = events.flatMap((event) =>
      event.type === 'content_block_delta' && event.delta.type === 'input_json_delta'
        ? [event.delta.partial_json]
        : [],
    );
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('')).toBe(rawInput);
    expect(events[1]).toMatchObject({ content_block: { type: 'tool_use', id: 'toolu_raw', name: 'Write' } });
  });

  it('honours an explicit stop reason', async () => {
    const server = await start([{ ...reply('cut short'), stopReason: 'max_tokens' }]);
    const message = await clientFor(server).messages.stream(hello).finalMessage();
    expect(message.stop_reason).toBe('max_tokens');
  });

  it.each([
    { status: 429, type: 'rate_limit_error' },
    { status: 529, type: 'overloaded_error' },
    { status: 500, type: 'api_error' },
    { status: 400, type: 'invalid_request_error' },
  ])('answers a scripted $status with an APIError of type $type', async ({ status, type }) => {
    const server = await start([{ error: { status } }]);

    const error = await apiError(clientFor(server).messages.create(hello));

    expect(error.status).toBe(status);
    expect(error.type).toBe(type);
    expect(error.error).toMatchObject({ type: 'error', error: { type } });
    if (status === 429) expect(error.headers?.get('retry-after')).toBe('0');
    server.assertComplete();
  });

  it('fails a stream with a scripted error before any event, with message and retry-after as given', async () => {
    const server = await start([{ error: { status: 429, message: 'slow down', retryAfterSeconds: 3 } }]);

    const error = await apiError(clientFor(server).messages.stream(hello).finalMessage());

    expect(error.status).toBe(429);
    expect(error.apiMessage).toBe('slow down');
    expect(error.headers?.get('retry-after')).toBe('3');
  });

  it('cuts a stream after the given number of complete blocks, so the SDK throws', async () => {
    const server = await start([
      { ...turn(text('first block'), text('never sent')), cut: { afterBlocks: 1 } },
    ]);
    const received: string[] = [];

    const stream = clientFor(server)
      .messages.stream(hello)
      .on('text', (delta) => received.push(delta));
    await expect(stream.finalMessage()).rejects.toThrow();

    expect(received.join('')).toBe('first block');
    server.assertComplete();
  });

  it('cuts right after message_start, and drops a non-streaming connection', async () => {
    const server = await start([{ cut: { afterBlocks: 0 } }, { cut: { afterBlocks: 0 } }]);
    const client = clientFor(server);

    const events: string[] = [];
    const streaming = (async () => {
      for await (const event of await client.messages.create({ ...hello, stream: true }))
        events.push(event.type);
    })();
    await expect(streaming).rejects.toThrow();
    expect(events).toEqual(['message_start']);

    await expect(client.messages.create(hello)).rejects.toBeInstanceOf(APIConnectionError);
    server.assertComplete();
  });

  it('picks turns by the last tool result: its text, error flag and tool name', async () => {
    const server = await start([
      { ...reply('the read failed'), match: { lastToolResult: { toolName: 'Read', isError: true } } },
      { ...reply('bash worked'), match: { lastToolResult: { toolName: 'Bash', contains: 'exit 0' } } },
    ]);
    const history = (tool: string, result: string, isError: boolean): MessageParam[] => [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'tool_use', id: `id_${tool}`, name: tool, input: {} }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: `id_${tool}`, content: result, is_error: isError }],
      },
    ];
    const client = clientFor(server);

    const bash = await client.messages.create({ ...hello, messages: history('Bash', 'done, exit 0', false) });
    const read = await client.messages.create({ ...hello, messages: history('Read', 'no such file', true) });

    expect(bash.content).toEqual([{ type: 'text', text: 'bash worked' }]);
    expect(read.content).toEqual([{ type: 'text', text: 'the read failed' }]);
    expect(server.requests.map((request) => request.turnIndex)).toEqual([1, 0]);
    server.assertComplete();
  });

  it('picks turns by the last user text, any text, the model and whether tools were sent', async () => {
    const tools = [{ name: 'Bash', description: 'run', input_schema: { type: 'object' as const } }];
    const server = await start([
      { ...reply('side call'), name: 'side', match: { hasTools: false, model: { contains: 'haiku' } } },
      {
        ...reply('deploying'),
        name: 'deploy',
        match: { hasTools: true, lastUserText: { contains: 'deploy' } },
      },
      { ...reply('from system'), name: 'system', match: { anyText: { contains: 'pirate' }, stream: true } },
    ]);
    const client = clientFor(server);
    const ask = (content: string) => [
      { role: 'user' as const, content: [{ type: 'text' as const, text: content }] },
    ];

    const deploy = await client.messages.create({ ...hello, tools, messages: ask('please deploy it') });
    const side = await client.messages.create({ ...hello, model: 'claude-haiku-x', messages: ask('title?') });
    const pirate = await client.messages.stream({ ...hello, system: 'talk like a pirate' }).finalMessage();

    expect([deploy, side, pirate].map((message) => message.content[0])).toEqual([
      { type: 'text', text: 'deploying' },
      { type: 'text', text: 'side call' },
      { type: 'text', text: 'from system' },
    ]);
    expect(server.requests.map((request) => request.turnName)).toEqual(['deploy', 'side', 'system']);
    server.assertComplete();
  });

  it('uses a turn `times` times, and never runs out of an `always` turn', async () => {
    const server = await start([
      { ...reply('twice'), times: 2 },
      { ...reply('then always'), times: 'always' },
    ]);
    const client = clientFor(server);

    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const message = await client.messages.create(hello);
      answers.push(message.content[0]!.type === 'text' ? message.content[0]!.text : '');
    }

    expect(answers).toEqual(['twice', 'twice', 'then always', 'then always', 'then always']);
    expect(server.remainingTurns()).toEqual([]);
    server.assertComplete();
  });

  it('generates a fresh tool id each time a turn is used', async () => {
    const server = await start([{ ...turn(toolUse('Bash', { command: 'ls' })), times: 2 }]);
    const client = clientFor(server);
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const message = await client.messages.create(hello);
      ids.push(message.content[0]!.type === 'tool_use' ? message.content[0]!.id : '');
    }
    expect(ids).toEqual(['toolu_fake_1', 'toolu_fake_2']);
  });

  it('fills {{request:regex}} placeholders in scripted blocks from the request text', async () => {
    const server = await start([
      turn(
        text('Writing {{request:write it to (\\S+\\.md)}}'),
        toolUse('Write', { file_path: '{{request:to (\\S+\\.md)}}' }),
      ),
      { ...reply('{{request:no such (thing)}}') },
    ]);
    const client = clientFor(server);
    const message = await client.messages.create({
      ...hello,
      messages: [{ role: 'user', content: 'Plan it, then write it to specs/plan-1a2b.md please' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Writing specs/plan-1a2b.md' });
    expect(message.content[1]).toMatchObject({
      type: 'tool_use',
      input: { file_path: 'specs/plan-1a2b.md' },
    });
    const error = await apiError(client.messages.create(hello));
    expect(error.status).toBe(500);
    expect(server.failures[0]).toMatch(/no match for \{\{request:no such \(thing\)\}\}/);
  });

  it('records when a client cancels a request before its answer, and not for one it answered', async () => {
    const server = await start([reply('answered'), { ...reply('never'), stall: { afterDeltas: 1 } }]);
    const client = clientFor(server);
    await client.messages.create(hello);
    const controller = new AbortController();
    const pending = client.messages
      .create(hello, { signal: controller.signal })
      .catch((error: unknown) => error);
    while (server.messageRequests().length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    while (server.messageRequests()[1]!.abortedAt === undefined)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.messageRequests()[0]!.abortedAt).toBeUndefined();
    server.assertComplete();
  });

  it('waits delayMs before responding', async () => {
    const server = await start([{ ...reply('late'), delayMs: 150 }]);
    const started = Date.now();
    await clientFor(server).messages.create(hello);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers an unexpected request with a 500 and records a failure that assertComplete reports', async () => {
    const server = await start([{ ...reply('only for tools'), match: { hasTools: true }, times: 'always' }]);

    const error = await apiError(clientFor(server).messages.create(hello));

    expect(error.status).toBe(500);
    expect(error.type).toBe('api_error');
    expect(error.apiMessage).toContain('fake model server: no scripted turn matches request #0');
    expect(error.apiMessage).toContain('last: user "hi"');
    expect(server.failures).toHaveLength(1);
    expect(() => server.assertComplete()).toThrow(/no scripted turn matches request #0/);
  });

  it('records an unknown route as a failure', async () => {
    const server = await start([]);
    const response = await fetch(`${server.url}/v1/models`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(() => server.assertComplete()).toThrow(/unexpected request #0 GET \/v1\/models/);
  });

  it('makes assertComplete throw while a turn is left unconsumed', async () => {
    const server = await start([
      reply('first'),
      { ...reply('second'), name: 'second' },
      { ...reply('x'), times: 'always' },
    ]);

    await clientFor(server).messages.create(hello);

    expect(server.remainingTurns()).toEqual([{ ...reply('second'), name: 'second' }]);
    expect(() => server.assertComplete()).toThrow(/turn #1 "second" was not consumed \(1 of 1 uses left\)/);
  });

  it('counts tokens without consuming a turn', async () => {
    const server = await start([reply('still here')]);
    const client = clientFor(server);

    const count = await client.messages.countTokens({ model: 'claude-test', messages: hello.messages });
    const message = await client.messages.create(hello);

    expect(count.input_tokens).toBeGreaterThan(0);
    expect(message.content).toEqual([{ type: 'text', text: 'still here' }]);
    expect(server.requests.map((request) => request.path)).toEqual([
      '/v1/messages/count_tokens',
      '/v1/messages',
    ]);
    expect(server.messageRequests()).toHaveLength(1);
    server.assertComplete();
  });
});

describe('fake model scripts', () => {
  it('builds turns with the helpers', () => {
    expect(turn(thinking('t'), toolUse('Write', { file_path: '/a' }, 'toolu_1'))).toEqual({
      content: [
        { type: 'thinking', thinking: 't' },
        { type: 'tool_use', name: 'Write', input: { file_path: '/a' }, id: 'toolu_1' },
      ],
    });
    expect(reply('done')).toEqual({ content: [{ type: 'text', text: 'done' }] });
  });

  it('accepts a bare array and a { turns } object', () => {
    expect(parseScript([reply('a')])).toEqual({ turns: [reply('a')] });
    expect(parseScript({ turns: [reply('a')] })).toEqual({ turns: [reply('a')] });
  });

  it.each([
    [{ turns: [{ content: [{ type: 'tool_use', input: {} }] }] }, 'turns[0].content[0].name'],
    [
      { turns: [reply('a'), { content: [{ type: 'tool_use', name: 'X' }] }] },
      'turns[1].content[0]: a tool_use block needs exactly one',
    ],
    [[{ error: { status: 529 }, content: [] }], '[0]: a turn with `error` cannot also have `content`'],
    [[{ name: 'empty' }], '[0]: a turn needs one of `content`, `error` or `cut`'],
    [[{ contents: [] }], '[0]: Unrecognized key: "contents"'],
    [[{ ...reply('a'), times: 0 }], '[0].times'],
    [
      [{ ...reply('a'), cut: { afterBlocks: 2 } }],
      '[0].cut.afterBlocks: cut after 2 blocks but the turn has only 1',
    ],
    [[{ ...reply('a'), match: { lastUserText: 'x' } }], '[0].match.lastUserText'],
    [
      [{ ...reply('a'), cut: { afterBlocks: 1 }, stall: { afterDeltas: 1 } }],
      '[0].stall: a turn with `stall` needs `content` and cannot also have `cut`',
    ],
    [[{ ...reply('a'), stall: { afterDeltas: 0 } }], '[0].stall.afterDeltas'],
  ])('rejects an invalid script, naming the field (%#)', (script, expected) => {
    expect(() => parseScript(script)).toThrow(expected);
  });

  it('runs a server from a JSON file and names the file and field when the file is invalid', async () => {
    const dir = await tempDir('fms-script-');
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, JSON.stringify({ turns: [reply('from file')] }));
    await writeFile(bad, JSON.stringify({ turns: [{ content: [{ type: 'txt', text: 'x' }] }] }));

    const server = await runFakeModelServerFromFile(good, {});
    servers.push(server);
    const message = await clientFor(server).messages.create(hello);

    expect(message.content).toEqual([{ type: 'text', text: 'from file' }]);
    await expect(runFakeModelServerFromFile(bad, {})).rejects.toThrow(`invalid fake model script ${bad}`);
    await expect(runFakeModelServerFromFile(bad, {})).rejects.toThrow('turns[0].content[0].type');
    await expect(runFakeModelServerFromFile(join(dir, 'missing.json'), {})).rejects.toThrow('missing.json');
  });
});

describe('fake model server driving the real Claude Code binary', () => {
  it('lets Claude Code really write a file, then finish with a scripted reply', async () => {
    const dir = await tempDir('fms-work-');
    const configDir = await tempDir('fms-claude-config-');
    const file = join(dir, 'hello.txt');
    const server = await start([
      {
        ...turn(toolUse('Write', { file_path: file, content: 'hello from the fake model\n' })),
        name: 'write',
      },
      {
        ...reply('Created hello.txt.'),
        name: 'done',
        match: { lastToolResult: { toolName: 'Write', isError: false } },
      },
    ]);

    const messages = [];
    for await (const message of query({
      prompt: 'create the file',
      options: {
        cwd: dir,
        model: 'claude-sonnet-4-5',
        permissionMode: 'bypassPermissions',
        allowDangerouslySkipPermissions: true,
        settingSources: [],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ANTHROPIC_BASE_URL: server.url,
          ANTHROPIC_API_KEY: 'sk-test',
          IS_SANDBOX: '1',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          CLAUDE_CONFIG_DIR: configDir,
          ENABLE_TOOL_SEARCH: 'false',
        },
      },
    })) {
      messages.push(message);
    }

    expect(await readFile(file, 'utf8')).toBe('hello from the fake model\n');
    expect(messages.at(-1)).toMatchObject({
      type: 'result',
      subtype: 'success',
      result: 'Created hello.txt.',
    });
    expect(server.messageRequests().map((request) => request.url)).toEqual([
      '/v1/messages?beta=true',
      '/v1/messages?beta=true',
    ]);
    server.assertComplete();
  });
});
