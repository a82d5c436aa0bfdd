import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertAgent } from '../src/db/agents.ts';
import { autocompleteBounds } from '../src/experts/index.ts';
import {
  startFakeModelServer,
  text,
  type FakeModelServer,
  type RecordedRequest,
  type Turn,
} from '../src/testing/fake-model-server/index.ts';
import { gitRepository, scratchDir, writeFiles } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, connectClient, useServerHarness, type ServerHarness } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const model = 'claude-haiku-autocomplete-test';

/** A model answer: the suggestions as the prompt asks for them. */
function suggests(input: string, ...completions: string[]): Turn {
  return {
    match: { lastUserText: { contains: `<input>${input}</input>` }, model },
    content: [
      text(
        JSON.stringify({
          suggestions: completions.map((completion) => ({ completion, reason: `because ${completion}` })),
        }),
      ),
    ],
  };
}

/** The system prompt and user message of a request the fake model received. */
function promptOf(request: RecordedRequest): { system: string; user: string } {
  const body = request.body as { system: string; messages: { content: string }[] };
  return { system: body.system, user: body.messages.map((message) => message.content).join('\n') };
}

describe('the autocomplete expert: /api/autocomplete', () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);
  let fake: FakeModelServer | undefined;
  let workspace: string;

  beforeEach(async () => {
    const dir = await scratchDir('autocomplete-repo');
    harness.defer(dir.remove);
    workspace = dir.path;
    await mkdir(join(workspace, '.claude', 'agents'), { recursive: true });
    await mkdir(join(workspace, '.claude', 'commands'), { recursive: true });
    await gitRepository(workspace, {
      'login.ts': 'export function login() {}\n',
      'README.md': '# app\n',
    });
    await writeFiles(join(workspace, '.claude'), {
      'agents/reviewer.md': '---\nname: reviewer\ndescription: reviews changes\n---\nYou review.\n',
      'commands/deploy.md': '---\ndescription: deploy the app\n---\nDeploy $ARGUMENTS\n',
    });
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function serve(script: Turn[], options: { reuseFake?: boolean } = {}): Promise<ServerHarness> {
    if (!options.reuseFake) fake = await startFakeModelServer({ script });
    const services = await harness.services({
      ANTHROPIC_BASE_URL: fake!.url,
      BATON_AUTOCOMPLETE: 'on',
      BATON_AUTOCOMPLETE_MODEL: model,
    });
    return harness.setUp({ services, cwd: workspace });
  }

  async function call(server: ServerHarness, method: 'GET' | 'POST', url: string, payload?: unknown) {
    const response = await server.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, body: response.json() };
  }

  it('learns from accepted and rejected suggestions across a server restart, and the next prompt shows it', async () => {
    const first = await serve([
      suggests('ask the', 'builder to run tests', 'reviewer to check login.ts', 'agents for status'),
    ]);
    await insertAgent(first.services.db.pool, {
      name: 'builder',
      model: 'sonnet',
      workingDir: workspace,
      kind: 'command',
      workspace,
    });
    const answer = await call(first, 'POST', '/api/autocomplete', { text: 'ask the' });
    expect(answer).toEqual({
      status: 200,
      body: {
        suggestions: [
          { completion: 'builder to run tests', reason: 'because builder to run tests' },
          { completion: 'reviewer to check login.ts', reason: 'because reviewer to check login.ts' },
          { completion: 'agents for status', reason: 'because agents for status' },
        ],
        model,
        cancelled: false,
      },
    });
    // The first prompt carries the workspace: the live agent, the template, the slash command, the files.
    const firstPrompt = promptOf(fake!.messageRequests()[0]!);
    expect(firstPrompt.user).toContain('<input>ask the</input>');
    expect(firstPrompt.system).toContain('builder: idle');
    expect(firstPrompt.system).toContain('## Agent templates\nreviewer');
    expect(firstPrompt.system).toContain('/deploy');
    expect(firstPrompt.system).toContain('login.ts');
    expect(firstPrompt.system).not.toContain('Recent history');

    expect(
      await call(first, 'POST', '/api/autocomplete/feedback', {
        kind: 'accepted',
        input: 'ask the',
        completion: 'builder to run tests',
        reason: 'because builder to run tests',
      }),
    ).toMatchObject({ status: 201, body: { learned: { accepted: 1, rejected: 0 } } });
    expect(
      await call(first, 'POST', '/api/autocomplete/feedback', {
        kind: 'rejected',
        input: 'deploy the staging branch',
        offered: ['reviewer to check login.ts', 'agents for status'],
      }),
    ).toMatchObject({ status: 201, body: { learned: { accepted: 1, rejected: 1 } } });

    // A restart: new services and a new server on the same database; nothing is kept in memory.
    await first.app.close();
    await first.services.close();
    await fake!.close();
    fake = await startFakeModelServer({
      script: [suggests('ask the builder', 'to fix login', 'to run tests')],
    });
    const second = await serve([], { reuseFake: true });
    expect(await call(second, 'GET', '/api/autocomplete')).toEqual({
      status: 200,
      body: { cwd: workspace, model, generating: 0, learned: { accepted: 1, rejected: 1 } },
    });
    const next = await call(second, 'POST', '/api/autocomplete', { text: 'ask the builder' });
    expect(next.body.suggestions.map((s: { completion: string }) => s.completion)).toEqual([
      'to fix login',
      'to run tests',
    ]);
    const { system } = promptOf(fake.messageRequests()[0]!);
    const history = system.slice(system.indexOf('## Recent history (newest first)'));
    expect(history.split('\n').slice(0, 3)).toEqual([
      '## Recent history (newest first)',
      '- sent without a suggestion: "deploy the staging branch"; ignored "reviewer to check login.ts", "agents for status"',
      '- accepted: "ask the" + "builder to run tests" (reason: "because builder to run tests")',
    ]);
    fake.assertComplete();
  });

  it('keeps the prompt under its bound with 10,000 history items, the older ones as counts', async () => {
    const server = await serve([suggests('start adw', 'plan_build for login', 'chore for docs')]);
    // 10,000 items, newest last: accepted and rejected alternate; completions cycle through five phrases.
    await server.services.db.pool.query(
      `insert into autocomplete_feedback (working_dir, kind, input, completion, reason, offered, created_at)
       select $1,
              case when n % 2 = 0 then 'accepted' else 'rejected' end,
              'message number ' || n || ' ' || repeat('long text ', 30),
              case when n % 2 = 0 then 'phrase ' || (n % 5) || ' of history' end,
              case when n % 2 = 0 then 'reason ' || n end,
              case when n % 2 = 1 then jsonb_build_array('offer ' || (n % 3) || ' ignored') else '[]' end,
              now() - make_interval(secs => 10000 - n)
         from generate_series(1, 10000) as n`,
      [workspace],
    );
    const answer = await call(server, 'POST', '/api/autocomplete', { text: 'start adw' });
    expect(answer.body.suggestions).toHaveLength(2);
    const prompt = promptOf(fake!.messageRequests()[0]!);
    const body = JSON.stringify(fake!.messageRequests()[0]!.body);
    expect(prompt.system.length + prompt.user.length).toBeLessThanOrEqual(autocompleteBounds.promptChars);
    expect(body.length).toBeLessThan(autocompleteBounds.promptChars + 2_000);
    // The newest items in full; everything older as counts (5,000 of each kind minus the 10 + 10 newest).
    expect(prompt.system).toContain('message number 10000');
    expect(prompt.system).toContain('message number 9981');
    expect(prompt.system).not.toContain('message number 9980 ');
    expect(prompt.system).toContain(
      '4990 accepted and 4990 sent without a suggestion before the recent history.',
    );
    expect(prompt.system).toMatch(/Accepted most: "phrase \d of history" ×998/);
    expect(prompt.system).toMatch(/Ignored most: "offer \d ignored" ×166\d/);
    expect(prompt.system).toContain('Messages sent most often start with: "message number 1" ×1');
  });

  it('gives an empty list with a logged reason when the model answers badly or fails, never an error', async () => {
    const server = await serve([
      { match: { lastUserText: { contains: 'prose' } }, content: [text('Sure! Try "run the tests".')] },
      {
        match: { lastUserText: { contains: 'words' } },
        content: [text('{"suggestions":[{"completion":"one","reason":"short"}]}')],
      },
      { match: { lastUserText: { contains: 'down' } }, error: { status: 500 } },
    ]);
    const prose = await call(server, 'POST', '/api/autocomplete', { text: 'prose' });
    expect(prose).toEqual({
      status: 200,
      body: {
        suggestions: [],
        model,
        reason: 'the answer is not JSON: "Sure! Try \\"run the tests\\"."',
        cancelled: false,
      },
    });
    const words = await call(server, 'POST', '/api/autocomplete', { text: 'words' });
    expect(words.body).toMatchObject({
      suggestions: [],
      reason: 'no usable suggestion: suggestion 1 "one" has 1 words, not 2–6',
    });
    const down = await call(server, 'POST', '/api/autocomplete', { text: 'down' });
    expect(down.status).toBe(200);
    expect(down.body.suggestions).toEqual([]);
    expect(down.body.reason).toMatch(/^the model request failed: 500 /);
    const logged = await server.services.db.pool.query<{ level: string; message: string }>(
      `select level, message from system_logs where source = 'autocomplete' and metadata->>'cwd' = $1
        order by created_at, id`,
      [workspace],
    );
    expect(logged.rows).toEqual([
      { level: 'WARNING', message: `autocomplete gave no suggestions: ${prose.body.reason}` },
      { level: 'WARNING', message: `autocomplete gave no suggestions: ${words.body.reason}` },
      { level: 'WARNING', message: `autocomplete gave no suggestions: ${down.body.reason}` },
    ]);
    fake!.assertComplete();
  });

  it('cancels the model request when the client goes away, and says so over the WebSocket', async () => {
    const server = await serve([
      { match: { lastUserText: { contains: 'slow' } }, stall: { afterDeltas: 1 }, content: [text('never')] },
      suggests('quick', 'answer for you', 'second answer here'),
    ]);
    const origin = await server.listen();
    const socket = await connectClient(origin);
    harness.defer(() => socket.close());
    socket.send({ type: 'subscribe', topic: 'all' });
    await socket.next('subscription.started');

    const controller = new AbortController();
    const pending = fetch(`${origin}/api/autocomplete`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'slow' }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    const started = await socket.next('autocomplete.updated', (message) => message.state.generating === 1);
    expect(started.state).toMatchObject({ cwd: workspace, model });
    const modelRequest = await until(async () => fake!.messageRequests()[0], 'the model request');
    expect(modelRequest.abortedAt).toBeUndefined();

    controller.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    await until(async () => modelRequest.abortedAt, 'the model request to be cancelled');
    await socket.next('autocomplete.updated', (message) => message.state.generating === 0);
    expect(await call(server, 'GET', '/api/autocomplete')).toMatchObject({ body: { generating: 0 } });
    // A cancelled request is not a model failure: nothing is logged.
    const logged = await server.services.db.pool.query(
      `select 1 from system_logs where source = 'autocomplete' and metadata->>'cwd' = $1`,
      [workspace],
    );
    expect(logged.rows).toEqual([]);

    // The next request is answered as usual.
    const next = await call(server, 'POST', '/api/autocomplete', { text: 'quick' });
    expect(next.body.suggestions).toHaveLength(2);
    fake!.assertComplete();
  });

  it('refuses bad input naming the field, and any directory outside the workspace', async () => {
    const server = await serve([]);
    const refused = async (url: string, payload: unknown) => {
      const response = await call(server, 'POST', url, payload);
      expect(response.status, JSON.stringify(payload)).toBe(400);
      return response.body.error as { code: string; field: string; message: string };
    };
    expect(await refused('/api/autocomplete', {})).toMatchObject({ field: 'body.text' });
    expect(await refused('/api/autocomplete', { text: '   ' })).toMatchObject({
      field: 'body.text',
      message: 'body.text: must not be empty',
    });
    expect(await refused('/api/autocomplete', { text: 'a', extra: 1 })).toMatchObject({
      field: 'body.extra',
    });
    expect(await refused('/api/autocomplete', { text: 'a', cwd: '/etc' })).toMatchObject({
      field: 'body.cwd',
      message: `body.cwd: must be the server's workspace (${workspace}) or a directory inside it`,
    });
    expect(await refused('/api/autocomplete', { text: 'a', cwd: '../' })).toMatchObject({
      field: 'body.cwd',
    });
    expect(await refused('/api/autocomplete', { text: 'a', cwd: 'missing' })).toMatchObject({
      field: 'body.cwd',
      message: 'body.cwd: is not a directory',
    });
    const feedback = '/api/autocomplete/feedback';
    expect(await refused(feedback, { kind: 'maybe', input: 'x' })).toMatchObject({ field: 'body.kind' });
    expect(await refused(feedback, { kind: 'accepted', input: 'x' })).toMatchObject({
      field: 'body.completion',
    });
    expect(await refused(feedback, { kind: 'rejected', input: '', offered: [] })).toMatchObject({
      field: 'body.input',
    });
    expect(
      await refused(feedback, { kind: 'rejected', input: 'go', offered: ['a', 'b', 'c', 'd'] }),
    ).toMatchObject({ field: 'body.offered' });
    expect(
      await refused(feedback, { kind: 'accepted', input: 'x', completion: 'ok', offered: [] }),
    ).toMatchObject({
      field: 'body.offered',
    });
    // A directory inside the workspace is its own learner.
    const inside = await call(server, 'POST', feedback, {
      kind: 'accepted',
      input: 'x',
      completion: 'run it',
      cwd: '.claude',
    });
    expect(inside).toMatchObject({ status: 201, body: { cwd: join(workspace, '.claude') } });
    expect(await call(server, 'GET', '/api/autocomplete')).toMatchObject({
      body: { learned: { accepted: 0, rejected: 0 } },
    });
    expect(fake!.messageRequests()).toEqual([]);
  });

  it('stores what the person typed with its secrets redacted', async () => {
    const server = await serve([]);
    const secret = 'sk-ant-api03-PLANTEDautocompleteKEY00000000';
    await call(server, 'POST', '/api/autocomplete/feedback', {
      kind: 'accepted',
      input: `use ANTHROPIC_API_KEY=${secret} and`,
      completion: 'deploy to staging',
      reason: `because ${secret}`,
    });
    await call(server, 'POST', '/api/autocomplete/feedback', {
      kind: 'rejected',
      input: `curl -H "Authorization: Bearer ${secret}"`,
      offered: [`key ${secret} now`],
    });
    const { rows } = await server.services.db.pool.query(
      `select row_to_json(f)::text as row from autocomplete_feedback f where working_dir = $1`,
      [workspace],
    );
    expect(rows).toHaveLength(2);
    for (const { row } of rows) expect(row).not.toContain('PLANTEDautocompleteKEY');
  });

  it('answers with no suggestions and says why when it is off (BATON_AUTOCOMPLETE=off), asking no model', async () => {
    fake = await startFakeModelServer({ script: [] });
    const services = await harness.services({ ANTHROPIC_BASE_URL: fake.url });
    const server = await harness.setUp({ services, cwd: workspace });
    expect(await call(server, 'POST', '/api/autocomplete', { text: 'ask the' })).toEqual({
      status: 200,
      body: {
        suggestions: [],
        model: null,
        reason: 'suggestions are off (BATON_AUTOCOMPLETE=off)',
        cancelled: false,
      },
    });
    expect(fake.requests).toEqual([]);
  });
});
