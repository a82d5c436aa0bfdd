import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.ts';
import { listen } from '../src/server/listen.ts';
import { loadOrCreateToken, tokenPath } from '../src/server/security/access-token.ts';
import type { AnyRouteSpec } from '../src/server/route.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, testToken, upgradeStatus, useServerHarness } from './helpers/server.ts';
import { scratchDir } from './helpers/agents.ts';

/** A concrete URL for a route: path parameters filled with values that pass their schemas. */
function urlOf(route: AnyRouteSpec): string {
  return route.url.replace(':id', newId()).replace(':name', 'list_agents');
}

describe('server security: token, Host and Origin on every route', () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);

  it('refuses every route without the token, with a wrong one, for a foreign Host, and state changes from a foreign Origin', async () => {
    const server = await harness.setUp();
    expect(server.routes.length).toBeGreaterThanOrEqual(18);
    const refusals: string[] = [];
    const expectStatus = async (
      route: AnyRouteSpec,
      headers: Record<string, string>,
      status: number,
      what: string,
    ) => {
      const response = await server.app.inject({
        method: route.method,
        url: urlOf(route),
        headers,
        ...(route.method === 'POST' && { payload: {} }),
      });
      if (response.statusCode !== status)
        refusals.push(`${what} ${route.method} ${route.url}: ${response.statusCode}`);
      else expect(response.json().error.code).toBeTruthy();
    };
    for (const route of server.routes) {
      await expectStatus(route, {}, 401, 'no token');
      await expectStatus(route, { authorization: 'Bearer wrong-token' }, 401, 'wrong token');
      await expectStatus(route, { authorization: `Bearer ${testToken}x` }, 401, 'token with a suffix');
      await expectStatus(route, { cookie: 'baton_token=nope' }, 401, 'wrong cookie');
      await expectStatus(route, { ...auth, host: 'evil.example' }, 403, 'foreign Host');
      await expectStatus(route, { ...auth, host: 'evil.example:4747' }, 403, 'foreign Host with port');
      await expectStatus(route, { ...auth, host: '127.0.0.1.evil.example' }, 403, 'look-alike Host');
      if (route.method === 'POST') {
        await expectStatus(route, { ...auth, origin: 'https://evil.example' }, 403, 'foreign Origin');
        await expectStatus(route, { ...auth, origin: 'null' }, 403, 'opaque Origin');
      }
    }
    // An unknown path is refused the same way before anyone learns it does not exist.
    const unknown = await server.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(unknown.statusCode).toBe(401);
    expect(refusals).toEqual([]);

    // With the token every route answers (any status but the guard's).
    for (const route of server.routes) {
      const response = await server.app.inject({
        method: route.method,
        url: urlOf(route),
        headers: { ...auth, origin: 'http://127.0.0.1:4747' },
        ...(route.method === 'POST' && { payload: {} }),
      });
      expect([401, 403, 500]).not.toContain(response.statusCode);
    }
  });

  it('refuses WebSocket upgrades without the token, with a wrong one, for a foreign Host or from a foreign Origin', async () => {
    const server = await harness.setUp();
    const origin = await server.listen();
    expect(await upgradeStatus(origin, {})).toBe(401);
    expect(await upgradeStatus(origin, { authorization: 'Bearer wrong' })).toBe(401);
    expect(await upgradeStatus(origin, { ...auth, origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(origin, { ...auth, origin: 'http://localhost.evil.example' })).toBe(403);
    expect(await upgradeStatus(origin, { ...auth, host: 'evil.example' })).toBe(403);
    // The browser's own page, and a script with the bearer token, get through.
    expect(await upgradeStatus(origin, { ...auth, origin })).toBe(101);
    expect(await upgradeStatus(origin, { cookie: `baton_token=${testToken}`, origin })).toBe(101);
    expect(await upgradeStatus(origin, {})).toBe(401);
  });

  it('exchanges the token in the URL for an HttpOnly, SameSite=Strict cookie that then works alone', async () => {
    const server = await harness.setUp();
    const opened = await server.app.inject({ method: 'GET', url: `/?token=${testToken}` });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/');
    const cookie = opened.cookies.find((entry) => entry.name === 'baton_token')!;
    expect(cookie).toMatchObject({ value: testToken, httpOnly: true, sameSite: 'Strict', path: '/' });
    const page = await server.app.inject({ method: 'GET', url: '/', cookies: { baton_token: cookie.value } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers).toMatchObject({
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    const health = await server.app.inject({ method: 'GET', url: `/api/health?token=${testToken}` });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    expect((await server.app.inject({ method: 'GET', url: '/?token=wrong' })).statusCode).toBe(401);
  });

  it('refuses bodies over the limit, malformed JSON and other content types with a 4xx', async () => {
    const server = await harness.setUp({ limits: { bodyLimitBytes: 4096 } });
    const post = (payload: string, type = 'application/json') =>
      server.app.inject({
        method: 'POST',
        url: '/api/adws',
        headers: { ...auth, 'content-type': type },
        payload,
      });
    const large = await post(JSON.stringify({ workflow: 'plan_build', prompt: 'x'.repeat(10_000) }));
    expect(large.statusCode).toBe(413);
    expect(large.json().error.code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
    expect((await post('{"workflow": ')).statusCode).toBe(400);
    expect((await post('workflow=x', 'application/x-www-form-urlencoded')).statusCode).toBe(415);
    const unknownField = await post(JSON.stringify({ workflow: 'plan_build', prompt: 'p', cwd: '/etc' }));
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error).toMatchObject({ code: 'bad_field', field: 'body.cwd' });
  });

  it('creates the token once with mode 0600, reuses it, and refuses to bind a non-loopback address unless told', async () => {
    const home = await scratchDir('token-home');
    harness.defer(home.remove);
    const token = await loadOrCreateToken(home.path);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(tokenPath(home.path))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(home.path)).toBe(token);

    const services = await harness.services();
    await expect(listen({ services, cwd: home.path }, { host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /BATON_HOST=0\.0\.0\.0 .*--allow-remote/,
    );
    const server = await listen({ services, cwd: home.path }, { host: '127.0.0.1', port: 0 });
    harness.defer(() => server.close());
    expect(server.warnings).toEqual([]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const response = await fetch(`${server.origin}/api/health`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(response.status).toBe(200);
    expect((await fetch(`${server.origin}/api/health`)).status).toBe(401);
  });
});
