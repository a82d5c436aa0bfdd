import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { insertEvents, readEventsAfter } from '../src/db/events.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, testToken, useServerHarness } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

/** What the page holds: its event window's seqs, in its order (see batonDebug in web/src/main.ts). */
const pageSeqs = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { batonDebug: { eventSeqs(): number[] } }).batonDebug.eventSeqs(),
  );

/** Ledger rows written straight to the table (no agent needed), `count` at a time in order. */
async function seedEvents(
  pool: Parameters<typeof insertEvents>[0],
  count: number,
  label: string,
): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const batch: EventDraft[] = Array.from({ length: Math.min(500, count - start) }, (_, i) => ({
      id: newId(),
      category: 'response',
      type: 'TextBlock',
      payload: { text: `${label} ${start + i}` },
      summary: `${label} ${start + i}`,
      occurredAt: new Date(),
    }));
    await insertEvents(pool, batch);
  }
}

const connection = (page: Page, state: string) =>
  page.locator(`[data-testid=connection][data-state=${state}]`).waitFor({ timeout: 60_000 });

describe('the web UI in Chromium against a real server, real Claude Code and the fake model', () => {
  const db = useTestDatabase();
  const agents = useCommandAgentHarness(db);
  const servers = useServerHarness(db);
  const browser = useBrowser();

  it('connects, shows an agent created and commanded through the API live with its diff, sanitises Markdown, and after a server restart holds exactly the ledger', async () => {
    const h = await agents.setUp((dir) => [
      {
        ...turn(toolUse('Write', { file_path: join(dir, 'hello.md'), content: '# Hello\n\nfrom alice\n' })),
        match: { lastUserText: { contains: 'write hello' } },
      },
      {
        ...reply(
          'I wrote **hello.md**.\n\n<script>window.pwned = 1</script><iframe src="/api/health"></iframe>' +
            '<img src="x" onerror="window.pwned = 2">',
        ),
        match: { lastToolResult: { toolName: 'Write' } },
      },
      { ...reply('Goodbye from alice.'), match: { lastUserText: { contains: 'say goodbye' } } },
    ]);
    await h.worker();
    const webUi = await builtUi();
    const deps = { services: h.services, cwd: h.dir, tools: managementTools, webUi };
    const first = await servers.setUp(deps);
    const origin = await first.listen();
    const tool = async (name: string, args: object) => {
      const response = await fetch(`${origin}/api/tools/${name}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
      expect(response.status, `${name}: ${await response.clone().text()}`).toBe(200);
      return response.json();
    };

    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/?token=${testToken}`);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar for the cookie
    await connection(page, 'live');
    await browser.screenshot(page, '1-connected-empty');

    await tool('create_agent', { name: 'alice' });
    const card = page.getByTestId('agent-card-alice');
    await card.waitFor();
    await expect.poll(() => page.getByTestId('active-agents').textContent()).toBe('1');

    await tool('command_agent', { name: 'alice', command: 'Please write hello.md' });
    const fileRow = page.locator('[data-testid=event-row][data-type=FileChanges]');
    await fileRow.waitFor({ timeout: 120_000 });
    await fileRow.getByRole('button').first().click();
    const diff = fileRow.getByTestId('diff');
    await diff.waitFor();
    expect(await diff.locator('[data-kind=added]').allTextContents()).toEqual(
      expect.arrayContaining(['+# Hello', '+from alice']),
    );
    await expect.poll(() => card.getByTestId('agent-status').textContent(), { timeout: 60_000 }).toBe('IDLE');
    await browser.screenshot(page, '2-agent-and-diff');

    // Selecting the card filters the stream to the agent (a chip says so); selecting it again clears it.
    await card.click();
    expect(await card.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Stop filtering by alice' }).waitFor();
    await card.click();
    await expect.poll(() => page.getByRole('button', { name: 'Stop filtering by alice' }).count()).toBe(0);

    // The reply's Markdown is rendered, and what it carried of HTML is not.
    const textRow = page.locator('[data-testid=event-row][data-type=TextBlock]', { hasText: 'hello.md' });
    await textRow.getByRole('button').first().click();
    const detail = textRow.getByTestId('event-detail');
    await detail.waitFor();
    expect(await detail.locator('strong').first().textContent()).toBe('hello.md');
    expect(
      await page.locator('[data-testid=event-stream] script, [data-testid=event-stream] iframe').count(),
    ).toBe(0);
    expect(await page.locator('[data-testid=event-stream] [onerror]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();

    // The ledger so far, and the page's window: the same events in the same order.
    const ledgerSeqs = async () =>
      (await readEventsAfter(db.current.pool, 0, {}, 100_000)).map((event) => event.seq);
    await expect.poll(async () => pageSeqs(page), { timeout: 30_000 }).toEqual(await ledgerSeqs());

    // The server goes away; the agent goes on meanwhile; a server comes back on the same address.
    const port = Number(new URL(origin).port);
    await first.app.close();
    await connection(page, 'offline');
    await browser.screenshot(page, '3-offline');
    const { commandId } = await h.agents.command({
      workspace: h.dir,
      name: 'alice',
      command: 'Please say goodbye',
    });
    await h.agents.wait(h.dir, 'alice', { commandId, timeoutMs: 120_000 });
    const second = await servers.setUp(deps);
    await second.app.listen({ host: '127.0.0.1', port });
    await connection(page, 'live');
    const expected = await ledgerSeqs();
    await until(
      async () => ((await pageSeqs(page)).length >= expected.length ? true : undefined),
      'the page to catch up after the restart',
    );
    const seqs = await pageSeqs(page);
    expect(seqs).toEqual(expected);
    expect(new Set(seqs).size).toBe(seqs.length);
    // Nothing came twice either: the page resumed from exactly the last seq it had.
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { batonDebug: { duplicates(): number } }).batonDebug.duplicates(),
      ),
    ).toBe(0);
    await page.locator('[data-testid=event-row]', { hasText: 'Goodbye from alice.' }).waitFor();
    // The rows on screen are in ledger order too.
    const shown = (await page
      .locator('[data-testid=event-row]')
      .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq'))))) as number[];
    expect(shown.length).toBeGreaterThan(0);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    await browser.screenshot(page, '4-after-restart');
    expect(errors).toEqual([]);
    h.server.assertComplete();
  });

  it('a page opened without the token shows how to get the URL, and the API refuses it', async () => {
    const h = await agents.setUp([]);
    const server = await servers.setUp({ services: h.services, cwd: h.dir, webUi: await builtUi() });
    const origin = await server.listen();
    const page = await browser.page();
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(401);
    await page.getByRole('heading', { name: 'baton needs its access token' }).waitFor();
    expect(await page.textContent('body')).toContain('baton up');
    const api = await page.evaluate(async () => (await fetch('/api/agents')).status);
    expect(api).toBe(401);
    const wrong = await page.goto(`${origin}/?token=not-the-token`);
    expect(wrong?.status()).toBe(401);
    await browser.screenshot(page, '5-how-to');
  });

  it('renders a window of rows, pages older ones in on scroll-up, pauses auto-follow, and keeps the layout choices', async () => {
    const h = await agents.setUp([]);
    const pool = db.current.pool;
    await seedEvents(pool, 1500, 'seeded');
    const server = await servers.setUp({ services: h.services, cwd: h.dir, webUi: await builtUi() });
    const origin = await server.listen();
    const page = await browser.page();
    await page.goto(`${origin}/?token=${testToken}`);
    await connection(page, 'live');
    const ledger = (await readEventsAfter(pool, 0, {}, 100_000)).map((event) => event.seq);
    expect(await pageSeqs(page)).toEqual(ledger.slice(-200)); // the newest page, not the whole ledger
    const rendered = await page.getByTestId('event-row').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100); // virtualised: only what is on screen, and a margin
    const stream = page.getByTestId('event-stream');
    await page.getByTestId('event-row').filter({ hasText: 'seeded 1499' }).waitFor(); // followed to the newest

    // Scrolling up pages older rows in, above the ones being read, in ledger order.
    for (let pages = 2; pages <= 3; pages += 1) {
      await stream.evaluate((element) => (element.scrollTop = 0));
      await expect.poll(async () => (await pageSeqs(page)).length, { timeout: 30_000 }).toBe(200 * pages);
    }
    expect(await pageSeqs(page)).toEqual(ledger.slice(-600));
    await expect.poll(() => page.getByTestId('event-row').filter({ hasText: 'seeded 1499' }).count()).toBe(0);
    await browser.screenshot(page, '6-paged-back');

    // Scrolled up, new events do not move the view; the button brings the newest back and following resumes.
    await seedEvents(pool, 3, 'later');
    await expect.poll(async () => (await pageSeqs(page)).length, { timeout: 30_000 }).toBe(603);
    expect(await page.getByTestId('event-row').filter({ hasText: 'later 2' }).count()).toBe(0);
    await page.getByTestId('jump-latest').click();
    await page.getByTestId('event-row').filter({ hasText: 'later 2' }).waitFor();
    await seedEvents(pool, 1, 'followed');
    await page.getByTestId('event-row').filter({ hasText: 'followed 0' }).waitFor();

    // Filters: a category off hides its rows; the search box takes a regex, or plain text when it is none.
    await page.getByTestId('event-search').fill('later [12]');
    await expect.poll(() => page.getByTestId('event-row').count()).toBe(2);
    await page.getByTestId('event-search').fill('later (');
    await expect.poll(() => page.getByTestId('event-row').count()).toBe(0);
    await page.getByTestId('event-search').fill('');
    await page.getByTestId('filter-response').click();
    await page.getByTestId('event-stream-empty').waitFor();
    await page.getByTestId('filter-response').click();

    // Ctrl+J switches the centre; the chat's width is remembered across a reload.
    await page.keyboard.press('Control+j');
    await page.getByTestId('adw-swimlanes').waitFor();
    await page.keyboard.press('Control+j');
    await stream.waitFor();
    await page.getByTestId('chat-width').click();
    expect(await page.getByTestId('chat-width').textContent()).toContain('lg');
    await page.reload();
    await connection(page, 'live');
    expect(await page.getByTestId('chat-width').textContent()).toContain('lg');
  });
});
