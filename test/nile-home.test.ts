import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HomeSection, NileServerMessage } from '../examples/nile/protocol.ts';
import { homeToolNames } from '../examples/nile/server/home-tools.ts';
import { nileScriptedResponder } from '../examples/nile/server/scripted-model.ts';
import type { MessagesRequest } from '../src/testing/fake-model-server/index.ts';
import { useTestDatabase } from './helpers/database.ts';
import { openHomeSocket, useNile, type NileHarness } from './helpers/nile.ts';
import { auth } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const db = useTestDatabase();
const setUp = useNile(db);

/** Product ids by category in the seeded catalogue: id n is in category (n - 1) mod 8. */
const category = (id: number) =>
  [
    'Electronics',
    'Home & Kitchen',
    'Books',
    'Sports & Outdoors',
    'Toys & Games',
    'Beauty',
    'Clothing',
    'Garden',
  ][(id - 1) % 8]!;

const productIds = (sections: HomeSection[]) => sections.flatMap((s) => s.products.map((p) => p.id));

function toolNamesOf(request: { body: unknown }): string[] {
  const tools = (request.body as { tools?: { name: string }[] }).tools ?? [];
  return tools.map((tool) => tool.name).sort();
}

async function homeRuns(nile: NileHarness, shopperName: string) {
  const rows = await nile.services.db.pool.query<{ status: string; id: string }>(
    `select r.id, r.status from agent_runs r join agents a on a.id = r.agent_id where a.name = $1 order by r.started_at`,
    [`nile-home-${shopperName}`],
  );
  return rows.rows;
}

describe('Nile: the home page an agent builds (REUSE)', () => {
  it('streams sections one by one that follow the signals and leave out the cart', async () => {
    const nile = await setUp();
    const cookie = await nile.signIn('Jonas');
    // Viewed a book (3) and a sports product (12), bought the book, then put another book (11) in the cart.
    await nile.call('GET', '/api/nile/products/3', { cookie });
    await nile.call('GET', '/api/nile/products/12', { cookie });
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 3 } });
    await nile.call('POST', '/api/nile/orders/checkout', { cookie });
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 11 } });

    const page = await openHomeSocket(nile.origin, cookie);
    page.send({ action: 'start' });
    const complete = await page.complete();
    expect(complete.data).toEqual({ personalized: true, fallback: false });
    expect(page.frames[0]).toMatchObject({ type: 'started', data: { personalized: true, scripted: true } });
    const sections = page.sectionsOf(complete.generation);
    // One frame per section, in page order, and the complete after the last.
    expect(page.frames.map((frame) => frame.type)).toEqual([
      'started',
      ...sections.map(() => 'section'),
      'complete',
    ]);
    expect(sections.map((section) => section.index)).toEqual(sections.map((_, i) => i));
    expect(sections.length).toBeGreaterThanOrEqual(4);

    expect(sections[0]!.type).toBe('specific-slogan');
    expect(sections[0]!.sloganText).toContain('Jonas');
    // Strongest signal first: the first product section is about what was bought (Books).
    const first = sections.find((section) => section.products.length > 0)!;
    expect(first.title).toContain('Because you bought');
    expect(first.products.length).toBeGreaterThanOrEqual(3);
    expect(first.products.every((product) => product.category === category(3))).toBe(true);
    // The viewed category comes later, and the product in the cart nowhere.
    const later = sections.slice(sections.indexOf(first) + 1);
    expect(productIds(later).some((id) => category(id) === category(12))).toBe(true);
    expect(productIds(sections)).not.toContain(11);
    // New products are mixed in: a section of products never bought, carted or viewed.
    expect(sections.at(-1)!.products.some((p) => ![3, 11, 12].includes(p.id))).toBe(true);

    // The run is a baton agent run like any other, with exactly the two tools and no built-in one.
    const runs = await homeRuns(nile, 'Jonas');
    expect(runs.map((run) => run.status)).toEqual(['succeeded']);
    const events = await nile.services.db.pool.query<{ n: number }>(
      `select count(*)::int as n from events where run_id = $1 and type = 'ToolUseBlock'
         and payload->>'tool_name' = 'mcp__nile__stream_section'`,
      [runs[0]!.id],
    );
    expect(events.rows[0]!.n).toBe(sections.length);
    const agentRequests = nile.model.messageRequests().filter((r) => toolNamesOf(r).length > 0);
    expect(agentRequests.length).toBeGreaterThan(0);
    for (const request of agentRequests) expect(toolNamesOf(request)).toEqual([...homeToolNames].sort());
    // The model gets the shop's system prompt, the one live-prompt shows, instead of Claude Code's own.
    const system = (agentRequests[0]!.body as { system: { text: string }[] }).system
      .map((b) => b.text)
      .join('\n');
    const live = (await nile.call('GET', '/api/nile/expertise/live-prompt', { cookie })).body;
    expect(system).toContain(live.systemPrompt);
    expect(system.length).toBeLessThan(live.systemPrompt.length + 300); // Claude Code adds one identity line

    await page.close();
  });

  it('gives a new shopper the generic page', async () => {
    const nile = await setUp();
    const cookie = await nile.signIn('Kemal');
    const page = await openHomeSocket(nile.origin, cookie);
    page.send({ action: 'start' });
    const complete = await page.complete();
    expect(complete.data).toEqual({ personalized: false, fallback: false });
    expect(page.frames[0]).toMatchObject({ type: 'started', data: { personalized: false } });
    const sections = page.sectionsOf(complete.generation);
    expect(sections.map((section) => section.type)).toEqual([
      'generic-slogan',
      'carousel',
      'basic-square',
      'card',
    ]);
    expect(new Set(sections.flatMap((s) => s.products.map((p) => p.category))).size).toBeGreaterThan(1);
    await page.close();
  });

  it('sends two shoppers generating at the same time only their own sections', async () => {
    const nile = await setUp();
    for (let round = 0; round < 4; round++) {
      const shoppers = [
        { name: `Lena${round}`, viewed: [1, 9] }, // Electronics
        { name: `Mateo${round}`, viewed: [8, 16] }, // Garden
      ];
      const pages = await Promise.all(
        shoppers.map(async (shopper) => {
          const cookie = await nile.signIn(shopper.name);
          for (const id of shopper.viewed) await nile.call('GET', `/api/nile/products/${id}`, { cookie });
          return openHomeSocket(nile.origin, cookie);
        }),
      );
      for (const page of pages) page.send({ action: 'start' });
      const completes = await Promise.all(pages.map((page) => page.complete()));
      shoppers.forEach((shopper, i) => {
        expect(completes[i]!.data, shopper.name).toEqual({ personalized: true, fallback: false });
        const sections = pages[i]!.sectionsOf(completes[i]!.generation);
        const other = shoppers[1 - i]!;
        expect(sections[0]!.sloganText, shopper.name).toContain(shopper.name);
        expect(JSON.stringify(pages[i]!.frames)).not.toContain(other.name);
        const first = sections.find((section) => section.products.length > 0)!;
        expect(first.products.every((p) => p.category === category(shopper.viewed[0]!))).toBe(true);
        expect(productIds(sections).some((id) => category(id) === category(other.viewed[0]!))).toBe(false);
      });
      await Promise.all(pages.map((page) => page.close()));
    }
  });

  it('interrupts a generation when the shopper acts again, and starts afresh', async () => {
    // Each model turn takes a moment, so the shopper can act while the page is being built.
    const slow = (request: MessagesRequest) => ({ ...nileScriptedResponder(request), delayMs: 400 });
    const nile = await setUp({ respond: slow });
    const cookie = await nile.signIn('Nadia');
    await nile.call('GET', '/api/nile/products/2', { cookie });
    const page = await openHomeSocket(nile.origin, cookie);
    page.send({ action: 'start' });
    await until(async () => page.sectionsOf(1)[0], 'the first section', 120_000);
    // Acting (a product into the cart) interrupts generation 1: nothing more of it arrives.
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 10 } });
    const complete = await page.complete(2);
    const restartedAt = page.frames.findIndex((f) => f.type === 'started' && f.generation === 2);
    expect(restartedAt).toBeGreaterThan(0);
    expect(page.frames.slice(restartedAt).every((f) => 'generation' in f && f.generation === 2)).toBe(true);
    expect(page.frames.some((f) => f.type === 'complete' && f.generation === 1)).toBe(false);
    expect(complete.data.personalized).toBe(true);
    expect(productIds(page.sectionsOf(2))).not.toContain(10);
    // Sending start again does the same.
    page.send({ action: 'start' });
    page.send({ action: 'start' });
    const last = await page.complete(4);
    expect(
      page.frames.some(
        (f) =>
          f.type === 'section' &&
          f.generation === 3 &&
          page.frames.indexOf(f) > page.frames.findIndex((g) => g.type === 'started' && g.generation === 4),
      ),
    ).toBe(false);
    expect(last.data.fallback).toBe(false);
    const runs = await until(async () => {
      const rows = await homeRuns(nile, 'Nadia');
      return rows.every((row) => row.status !== 'running') ? rows : undefined;
    }, 'the runs to end');
    expect(runs[0]!.status).toBe('interrupted');
    expect(runs.at(-1)!.status).toBe('succeeded');
    await page.close();
  });

  it('falls back to the generic page when generation fails', async () => {
    // A model that answers without calling a tool (no section), then one the API refuses.
    const silent = await setUp({ respond: () => ({ content: [{ type: 'text', text: 'No.' }] }) });
    const cookie = await silent.signIn('Omar');
    await silent.call('GET', '/api/nile/products/4', { cookie });
    const page = await openHomeSocket(silent.origin, cookie);
    page.send({ action: 'start' });
    const complete = await page.complete();
    expect(complete.data).toEqual({ personalized: false, fallback: true });
    const error = page.frames.find(
      (f): f is Extract<NileServerMessage, { type: 'error' }> => f.type === 'error',
    )!;
    expect(error.data.message).toMatch(/no section/);
    expect(page.sectionsOf(complete.generation).map((s) => s.type)).toEqual([
      'generic-slogan',
      'carousel',
      'basic-square',
      'card',
    ]);
    await page.close();

    const refused = await setUp({ respond: () => ({ error: { status: 400, message: 'scripted refusal' } }) });
    const other = await refused.signIn('Priya');
    const second = await openHomeSocket(refused.origin, other);
    second.send({ action: 'start' });
    expect((await second.complete()).data.fallback).toBe(true);
    expect((await homeRuns(refused, 'Priya'))[0]!.status).toBe('failed');
    await second.close();
  });

  it('refuses a socket without a session, from another origin, and frames it does not understand', async () => {
    const nile = await setUp();
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${nile.origin.replace('http', 'ws')}/ws/nile`, { headers });
        socket.once('open', () => {
          socket.terminate();
          resolve(101);
        });
        socket.once('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.once('error', () => {});
      });
    expect(await status({ ...auth })).toBe(401);
    expect(await status({ ...auth, cookie: `nile_session=${'B'.repeat(43)}` })).toBe(401);
    const cookie = await nile.signIn('Quinn');
    expect(await status({ cookie })).toBe(401); // baton's token is needed too
    expect(await status({ ...auth, cookie, origin: 'http://evil.example' })).toBe(403);

    const page = await openHomeSocket(nile.origin, cookie);
    page.socket.send('not json');
    page.send({ action: 'dance' });
    page.send({ action: 'ping' });
    await until(async () => (page.frames.some((f) => f.type === 'pong') ? true : undefined), 'a pong');
    const errors = page.frames.filter((f) => f.type === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatchObject({ data: { field: 'action' } });
    expect(page.frames.some((f) => f.type === 'started')).toBe(false);
    await page.close();
  });
});
