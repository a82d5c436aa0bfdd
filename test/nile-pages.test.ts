import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNilePages, nilePagesExtension } from '../examples/nile/server/pages.ts';
import { loadWebUi } from '../src/server/ui/web-ui.ts';
import { scratchDir } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, testToken, useServerHarness } from './helpers/server.ts';

/** A build as vite lays it out under `base`: index.html and content-hashed assets. */
async function fakeBuild(dir: string, base: string, name: string): Promise<void> {
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><title>${name}</title><script type="module" src="${base}assets/${name}-abc123.js"></script>`,
  );
  await writeFile(join(dir, 'assets', `${name}-abc123.js`), `console.log(${JSON.stringify(name)})`);
}

describe("Nile's pages on baton's server", () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);

  async function serve(options: { nile: boolean } = { nile: true }) {
    const dir = await scratchDir('nile-pages');
    harness.defer(dir.remove);
    await fakeBuild(join(dir.path, 'web'), '/', 'room');
    await fakeBuild(join(dir.path, 'nile'), '/nile/', 'nile');
    const webUi = await loadWebUi(join(dir.path, 'web'));
    const extensions = options.nile ? [nilePagesExtension(await loadNilePages(join(dir.path, 'nile')))] : [];
    return harness.setUp({ webUi, extensions });
  }

  it('serves the pages at /nile/ and their assets, beside the control room at / which is unchanged', async () => {
    const server = await serve();
    const page = await server.app.inject({ method: 'GET', url: '/nile/', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/nile/assets/nile-abc123.js');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await server.app.inject({
      method: 'GET',
      url: '/nile/assets/nile-abc123.js',
      headers: auth,
    });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe('console.log("nile")');
    // Each build answers only for its own files.
    const crossed = await server.app.inject({
      method: 'GET',
      url: '/nile/assets/room-abc123.js',
      headers: auth,
    });
    expect(crossed.statusCode).toBe(404);
    const traversal = await server.app.inject({
      method: 'GET',
      url: '/nile/assets/..%2F..%2Findex.html',
      headers: auth,
    });
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json().error.field).toBe('params.name');

    const room = await server.app.inject({ method: 'GET', url: '/', headers: auth });
    expect(room.body).toContain('/assets/room-abc123.js');
    const roomScript = await server.app.inject({
      method: 'GET',
      url: '/assets/room-abc123.js',
      headers: auth,
    });
    expect(roomScript.body).toBe('console.log("room")');

    const bare = await server.app.inject({ method: 'GET', url: '/nile', headers: auth });
    expect(bare.statusCode).toBe(308);
    expect(bare.headers.location).toBe('/nile/');
  });

  it("is behind baton's guard: ?token= on /nile/ becomes the cookie and leaves the address", async () => {
    const server = await serve();
    const html = { accept: 'text/html' };
    for (const url of ['/nile/', `/nile/?token=wrong`, '/nile/assets/nile-abc123.js']) {
      const refused = await server.app.inject({ method: 'GET', url, headers: html });
      expect(refused.statusCode, url).toBe(401);
      expect(refused.body).not.toContain('nile-abc123');
    }
    const opened = await server.app.inject({
      method: 'GET',
      url: `/nile/?token=${testToken}`,
      headers: html,
    });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/nile/');
    const cookie = opened.cookies.find((entry) => entry.name === 'baton_token')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const page = await server.app.inject({
      method: 'GET',
      url: '/nile/',
      headers: html,
      cookies: { baton_token: cookie.value },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/nile/assets/nile-abc123.js');
  });

  it('/api/health lists the pages so the control room links to them, and only when Nile is on', async () => {
    const on = await serve();
    const health = await on.app.inject({ method: 'GET', url: '/api/health', headers: auth });
    expect(health.json().pages).toEqual([{ path: '/nile/', title: 'Nile' }]);
    const off = await serve({ nile: false });
    const without = await off.app.inject({ method: 'GET', url: '/api/health', headers: auth });
    expect(without.json().pages).toEqual([]);
    const page = await off.app.inject({ method: 'GET', url: '/nile/', headers: auth });
    expect(page.statusCode).toBe(404);
  });

  it('says how to build the pages when there is no build', async () => {
    const server = await harness.setUp({ extensions: [nilePagesExtension(undefined)] });
    const page = await server.app.inject({ method: 'GET', url: '/nile/', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build:nile');
    expect(await loadNilePages('/nonexistent-baton-nile-pages')).toBeUndefined();
  });
});
