import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWebUi } from '../src/server/ui/web-ui.ts';
import { scratchDir } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, testToken, useServerHarness } from './helpers/server.ts';

/** A build as vite lays it out: index.html and content-hashed assets. */
async function fakeBuild(dir: string): Promise<void> {
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><title>baton</title><script type="module" src="/assets/index-abc123.js"></script>',
  );
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log("ui")');
  await writeFile(join(dir, 'assets', 'index-def456.css'), 'body{}');
}

describe('the web UI served by baton', () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);

  async function serve() {
    const dir = await scratchDir('web-ui');
    harness.defer(dir.remove);
    await fakeBuild(dir.path);
    return harness.setUp({ webUi: await loadWebUi(dir.path) });
  }

  it('serves the page revalidated every time with a strict policy, and hashed assets cached for good', async () => {
    const server = await serve();
    const page = await server.app.inject({ method: 'GET', url: '/', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/assets/index-abc123.js');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');

    const script = await server.app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: auth });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe('console.log("ui")');
    const style = await server.app.inject({ method: 'GET', url: '/assets/index-def456.css', headers: auth });
    expect(style.headers['content-type']).toMatch(/^text\/css/);

    // Only the files of the build answer; a name that is no file of it, or a path, does not.
    const missing = await server.app.inject({ method: 'GET', url: '/assets/index-zzz.js', headers: auth });
    expect(missing.statusCode).toBe(404);
    const traversal = await server.app.inject({
      method: 'GET',
      url: '/assets/..%2Findex.html',
      headers: auth,
    });
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json().error.field).toBe('params.name');
    // The API keeps its own caching.
    const health = await server.app.inject({ method: 'GET', url: '/api/health', headers: auth });
    expect(health.headers['cache-control']).toBe('no-store');
  });

  it('a browser without the token (or with a wrong one) gets the how-to page; the API and the assets refuse it', async () => {
    const server = await serve();
    const html = { accept: 'text/html,application/xhtml+xml' };
    for (const url of ['/', '/?token=wrong', '/anything']) {
      const page = await server.app.inject({ method: 'GET', url, headers: html });
      expect(page.statusCode, url).toBe(401);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('baton up');
      expect(page.body).toContain('?token=');
      expect(page.body).not.toContain(testToken);
    }
    const api = await server.app.inject({ method: 'GET', url: '/api/agents', headers: html });
    expect(api.statusCode).toBe(401);
    expect(api.json().error.code).toBe('unauthorized');
    const asset = await server.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(401);

    // The right token in the URL becomes the cookie, and the page then opens with the cookie alone.
    const opened = await server.app.inject({ method: 'GET', url: `/?token=${testToken}`, headers: html });
    expect(opened.statusCode).toBe(303);
    const cookie = opened.cookies.find((entry) => entry.name === 'baton_token')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const page = await server.app.inject({
      method: 'GET',
      url: '/',
      headers: html,
      cookies: { baton_token: cookie.value },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/assets/index-abc123.js');
  });

  it('says how to build the UI when there is no build', async () => {
    const server = await harness.setUp();
    const page = await server.app.inject({ method: 'GET', url: '/', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build:web');
    expect(await loadWebUi('/nonexistent-baton-web-ui')).toBeUndefined();
  });
});
