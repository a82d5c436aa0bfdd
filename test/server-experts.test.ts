import { describe, expect, it } from 'vitest';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { useAdwHarness } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';
import { writesExpertise } from './helpers/experts.ts';
import { auth, useServerHarness } from './helpers/server.ts';

describe('REST: /api/experts', () => {
  const db = useTestDatabase();
  const adwHarness = useAdwHarness(db);
  const serverHarness = useServerHarness(db);

  it('init, question, history and diff of the workspace’s expert; bad domains and bodies name the field', async () => {
    const adw = await adwHarness.setUp([
      ...writesExpertise(
        'greeting',
        '# greeting expert: self-improve',
        'functions: [greet]\nkey_files: [greet.js]\n',
      ),
      {
        ...reply('greet is in greet.js:1.'),
        match: { lastUserText: { contains: '# greeting expert: question' } },
      },
    ]);
    const server = await serverHarness.setUp({ services: adw.services, cwd: adw.repo });
    const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const response = await server.app.inject({
        method,
        url,
        headers: auth,
        ...(payload ? { payload } : {}),
      });
      return { status: response.statusCode, body: response.json() };
    };

    expect(await call('GET', '/api/experts')).toEqual({ status: 200, body: { experts: [] } });
    const init = await call('POST', '/api/experts/greeting/init', { focus: 'greet.js' });
    expect(init.status).toBe(201);
    expect(init.body).toMatchObject({
      ended: 'one_round',
      versions: [{ version: 1, lines: 2, stale_claims: 0 }],
    });

    const question = await call('POST', '/api/experts/greeting/questions', { question: 'Where is greet?' });
    expect(question).toMatchObject({
      status: 200,
      body: { status: 'succeeded', answer: 'greet is in greet.js:1.' },
    });

    const listed = await call('GET', '/api/experts');
    expect(listed.body.experts).toEqual([
      expect.objectContaining({ domain: 'greeting', version: 1, staleClaims: 0 }),
    ]);
    const history = await call('GET', '/api/experts/greeting');
    expect(history.body.versions).toEqual([expect.objectContaining({ version: 1, operation: 'init' })]);
    expect(history.body.versions[0].content).toBeUndefined();
    expect(history.body.rounds.map((round: { outcome: string }) => round.outcome)).toEqual([
      'accepted',
      'answered',
    ]);
    expect((await call('GET', '/api/experts/greeting/diff')).body.diff).toContain('+functions: [greet]');

    expect(
      (await call('POST', '/api/experts/..%2Fetc/questions', { question: 'q' })).body.error,
    ).toMatchObject({
      field: 'params.domain',
    });
    expect(
      (await call('POST', '/api/experts/greeting/questions', { question: ' ' })).body.error,
    ).toMatchObject({
      field: 'body.question',
    });
    expect((await call('POST', '/api/experts/greeting/improve', { maxRounds: 99 })).body.error).toMatchObject(
      {
        field: 'body.maxRounds',
      },
    );
    expect(
      (await call('POST', '/api/experts/greeting/questions', { question: 'q', cwd: '/etc' })).status,
    ).toBe(400);
    const unknown = await call('GET', '/api/experts/nobody');
    expect(unknown.status).toBe(404);
    expect((await call('GET', '/api/experts/greeting/diff?version=7')).status).toBe(404);
    adw.server.assertComplete();
  });
});
