import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointVerdict } from '../src/services/admin/model-endpoint.ts';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** A loopback port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('doctor asks the model endpoint', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let server: FakeModelServer;
  beforeAll(async () => {
    home = await scratchDir('doctor-model');
    // No turns: doctor must not spend a model turn, only ask count_tokens.
    server = await startFakeModelServer({ script: [] });
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
  });
  const doctor = (extra: Record<string, string>, json = true) =>
    runBaton(
      ['doctor', ...(json ? ['--json'] : [])],
      cliEnvironment({ DATABASE_URL: db.current.url, BATON_HOME: home.path, BATON_MODEL: 'haiku', ...extra }),
    );
  const modelCheck = (stdout: string) =>
    (JSON.parse(stdout) as { checks: Check[] }).checks.find((check) => check.name === 'model access')!;

  it('passes when the endpoint answers count_tokens with the credentials agents use', async () => {
    const result = await doctor({ ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-doctor-key' });
    const check = modelCheck(result.stdout);
    expect(check.ok, check.detail).toBe(true);
    expect(check.detail).toMatch(
      new RegExp(`^ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL=${server.url}; the endpoint answers \\(\\d+ ms\\)$`),
    );
    expect(check.detail).not.toContain('sk-ant-doctor-key');
    const asked = server.requests.filter((request) => request.path === '/v1/messages/count_tokens');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.headers['x-api-key']).toBe('sk-ant-doctor-key');
    expect(asked[0]!.body).toMatchObject({ model: 'claude-haiku-5-5' });
    expect(server.messageRequests()).toEqual([]);
    server.assertComplete();
  });

  it('fails on a closed port, naming ANTHROPIC_BASE_URL, with the environment exit code', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const json = await doctor({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-doctor-key' });
    expect(json.code).toBe(3);
    const check = modelCheck(json.stdout);
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(
      new RegExp(`ANTHROPIC_BASE_URL=${url}; the endpoint does not answer: .*ECONNREFUSED`),
    );
    expect(check.fix).toMatch(/ANTHROPIC_BASE_URL/);

    const text = await doctor({ ANTHROPIC_BASE_URL: url, ANTHROPIC_AUTH_TOKEN: 'token' }, false);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(
      /✗ model access +ANTHROPIC_AUTH_TOKEN, ANTHROPIC_BASE_URL=\S+; the endpoint does not answer/,
    );
    expect(text.stdout).toContain('→ Start the endpoint ANTHROPIC_BASE_URL names');
  });
});

describe('what an answer from the endpoint means', () => {
  const context = (credentials: Record<string, string>) => ({
    where: 'ANTHROPIC_BASE_URL=http://gateway',
    model: 'claude-haiku-5-5',
    ms: 3,
    credentials,
  });
  const unauthorized =
    '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}';

  it('refused credentials name the variable that holds them', () => {
    expect(endpointVerdict(401, unauthorized, context({ apiKey: 'k' }))).toEqual({
      ok: false,
      detail: 'ANTHROPIC_BASE_URL=http://gateway refuses the credentials (401: invalid x-api-key)',
      fix: 'Set ANTHROPIC_API_KEY to a key this endpoint accepts.',
    });
    expect(endpointVerdict(403, '', context({ authToken: 't' })).fix).toMatch(/ANTHROPIC_AUTH_TOKEN/);
    expect(endpointVerdict(401, '', context({ oauthToken: 'o' })).fix).toMatch(/CLAUDE_CODE_OAUTH_TOKEN/);
  });

  it('a refused model names BATON_MODEL; a route the gateway lacks, or a busy one, still answered', () => {
    const badModel = '{"error":{"message":"model: claude-haiku-5-5 not found"}}';
    expect(endpointVerdict(404, badModel, context({ apiKey: 'k' }))).toMatchObject({
      ok: false,
      fix: expect.stringContaining('BATON_MODEL'),
    });
    expect(endpointVerdict(404, 'Not Found', context({ apiKey: 'k' }))).toMatchObject({ ok: true });
    expect(endpointVerdict(529, '{"error":{"message":"Overloaded"}}', context({ apiKey: 'k' }))).toEqual({
      ok: true,
      detail: 'ANTHROPIC_BASE_URL=http://gateway answers (529: Overloaded; 3 ms)',
    });
  });
});
