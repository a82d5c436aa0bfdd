import { describe, expect, it } from 'vitest';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { openHomeSocket } from './helpers/nile.ts';

const db = useTestDatabase();

describe('baton example nile', () => {
  it('starts the shop with the scripted model, prints its URL and answers, page and all', async () => {
    const home = await scratchDir('nile-home');
    const env = cliEnvironment({
      BATON_HOME: home.path,
      DATABASE_URL: db.current.url,
      BATON_SUMMARIES: 'off',
    });
    const nile = startBaton(['example', 'nile', '--port', '0'], env);
    try {
      await nile.waitFor(
        /Nile is up \(scripted model[^\n]*\n\s+shop +http:\/\/127\.0\.0\.1:\d+\/nile\/\?token=\S+\n/,
        90_000,
      );
      const url = new URL(/shop +(\S+)/.exec(nile.stdout)![1]!);
      const token = url.searchParams.get('token')!;
      const headers = { authorization: `Bearer ${token}` };
      const products = await fetch(`${url.origin}/api/nile/products?limit=3`, { headers });
      expect(products.status).toBe(200);
      expect(((await products.json()) as { total: number }).total).toBe(100);

      const signIn = await fetch(`${url.origin}/api/nile/session`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Rosa' }),
      });
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      const page = await openHomeSocket(url.origin, cookie, { headers });
      page.send({ action: 'start' });
      const complete = await page.complete();
      expect(page.frames[0]).toMatchObject({
        type: 'started',
        data: { scripted: true, personalized: false },
      });
      expect(complete.data.fallback).toBe(false);
      expect(page.sectionsOf(complete.generation)[0]!.type).toBe('generic-slogan');
      await page.close();

      nile.child.kill('SIGINT');
      expect(await nile.exited).toBe(130);
    } finally {
      if (nile.child.exitCode === null) nile.child.kill('SIGKILL');
      await home.remove();
    }
  });
});
