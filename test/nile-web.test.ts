import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultWebUiDir } from '../src/server/ui/web-ui.ts';
import { scratchDir } from './helpers/agents.ts';
import { useBrowser } from './helpers/browser.ts';
import { cliEnvironment, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

/** The newest modification time under a path. */
function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** Both builds this test drives, refused when their sources changed after they were built. */
function checkBuilds(): void {
  const builds: [string, string, string[]][] = [
    ['web', 'npm run build:web', ['web/src', 'web/index.html', 'src/protocol']],
    [
      'nile',
      'npm run build:nile',
      ['examples/nile/web/src', 'examples/nile/web/index.html', 'examples/nile/protocol.ts', 'web/src'],
    ],
  ];
  for (const [build, command, sources] of builds) {
    let built: number;
    try {
      built = statSync(join(defaultWebUiDir(build as 'web' | 'nile'), 'index.html')).mtimeMs;
    } catch {
      throw new Error(`dist/${build} is not built: run \`${command}\` (npm ci does)`);
    }
    if (Math.max(...sources.map(newestChange)) > built)
      throw new Error(`the sources of dist/${build} changed since it was built: run \`${command}\``);
  }
}

interface Tile {
  id: number;
  name: string;
  category: string;
}

/** The product tiles inside `scope`, as the page shows them. */
function tilesIn(page: Page, scope: string): Promise<Tile[]> {
  return page.locator(`${scope} [data-testid=product-tile]`).evaluateAll((tiles) =>
    tiles.map((tile) => {
      const meta = tile.querySelector('.brand, .muted')?.textContent ?? '';
      return {
        id: Number(tile.getAttribute('data-product-id')),
        name: tile.querySelector('.name, .feature-name')?.textContent?.trim() ?? '',
        category: meta.split('·').at(-1)?.trim() ?? '',
      };
    }),
  );
}

/**
 * Records, on every change of the page, how many home sections are shown and the page's state, so
 * the test can tell sections that streamed in one by one from a page that appeared whole.
 */
async function recordHomeFrames(page: Page): Promise<void> {
  // In the page (a string: this file is compiled without the DOM's types).
  await page.evaluate(`(() => {
    const seen = [];
    globalThis.homeFrames = seen;
    const note = () => {
      const container = document.querySelector('[data-testid=home-sections]');
      const status = container?.getAttribute('data-status') ?? 'none';
      const count = document.querySelectorAll('[data-testid=home-section]').length;
      const last = seen.at(-1);
      if (!last || last.status !== status || last.count !== count) seen.push({ status, count });
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    note();
  })()`);
}

const homeFrames = (page: Page) =>
  page.evaluate(
    () => (globalThis as unknown as { homeFrames: { status: string; count: number }[] }).homeFrames,
  );

/** Waits until the listing shows the products of this search (not an older one's, still on screen). */
const listingOf = (page: Page, filter: { q?: string; category?: string }) =>
  page
    .locator(
      `[data-testid=result-count][data-state=ready][data-q=${JSON.stringify(filter.q ?? '')}][data-category=${JSON.stringify(filter.category ?? '')}]`,
    )
    .waitFor();

const homeComplete = (page: Page) =>
  page.locator('[data-testid=home-sections][data-status=complete]').waitFor({ timeout: 180_000 });

describe("Nile's pages in Chromium, on `baton example nile` with real Claude Code and the scripted model", () => {
  const db = useTestDatabase();
  const browser = useBrowser();
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  });

  it('signs in, browses, adds to the cart, checks out, and the home page streams in following the signals without the cart', async () => {
    checkBuilds();
    const home = await scratchDir('nile-web-home');
    stops.push(home.remove);
    const baton = startBaton(
      ['example', 'nile', '--port', '0'],
      cliEnvironment({ DATABASE_URL: db.current.url, BATON_HOME: home.path, BATON_SUMMARIES: 'off' }),
    );
    stops.push(async () => {
      baton.child.kill('SIGINT');
      expect(await baton.exited).toBe(130); // stopped cleanly by Ctrl-C
    });
    await baton.waitFor(/shop +http:\/\/127\.0\.0\.1:\d+\/nile\/\?token=\S+\n/, 120_000);
    expect(baton.stdout).toContain('scripted model');
    const shopUrl = /shop +(\S+)/.exec(baton.stdout)![1]!;
    const origin = new URL(shopUrl).origin;

    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(shopUrl);
    expect(new URL(page.url()).pathname).toBe('/nile/');
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar for the cookie

    // Sign in by name; a new shopper gets the generic page, labelled as the scripted model's.
    await page.getByTestId('sign-in-name').fill('Ada');
    await browser.screenshot(page, 'nile-1-sign-in');
    await page.getByTestId('sign-in-name').press('Enter');
    await homeComplete(page);
    expect(await page.getByTestId('shopper-name').textContent()).toBe('Ada');
    expect(await page.getByTestId('home-kind').textContent()).toBe('generic');
    await page.getByTestId('scripted-label').waitFor();
    expect(
      await page
        .locator('[data-testid=home-section]')
        .evaluateAll((all) => all.map((s) => s.getAttribute('data-type'))),
    ).toContain('generic-slogan');
    await browser.screenshot(page, 'nile-2-generic-home');

    // Browse: two categories, one product in each (each view is learnt by the server).
    await page.getByRole('link', { name: 'Shop', exact: true }).click();
    const filters = page.locator('[data-testid=category-filter][data-category]');
    await filters.first().waitFor();
    const categories = await filters.evaluateAll((all) => all.map((f) => f.getAttribute('data-category')!));
    expect(categories.length).toBeGreaterThanOrEqual(2);
    const [first, second] = categories as [string, string];

    await filters.nth(0).click();
    await page.waitForURL(/category=/);
    await listingOf(page, { category: first });
    const inFirst = await tilesIn(page, '.results');
    expect(inFirst.length).toBeGreaterThanOrEqual(2);
    expect(inFirst.every((tile) => tile.category === first)).toBe(true);
    const [bought, carted] = inFirst as [Tile, Tile];
    await browser.screenshot(page, 'nile-3-category');

    // The search box finds by name.
    await page.getByTestId('product-search').fill(bought.name);
    await page.getByTestId('product-search').press('Enter');
    await listingOf(page, { q: bought.name, category: first });
    expect((await tilesIn(page, '.results')).map((tile) => tile.id)).toContain(bought.id);

    await page.locator(`.results [data-product-id="${bought.id}"] a`).first().click();
    const detail = page.locator(`[data-testid=product-detail][data-product-id="${bought.id}"]`);
    await detail.waitFor();
    expect(await page.getByTestId('review').count()).toBeGreaterThan(0);
    await browser.screenshot(page, 'nile-4-product');
    await detail.getByTestId('add-to-cart').click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');

    await page.goto(`${origin}/nile/#/products?category=${encodeURIComponent(second)}`);
    await listingOf(page, { category: second });
    const viewed = (await tilesIn(page, '.results'))[0]!;
    expect(viewed.category).toBe(second);
    await page.locator(`.results [data-product-id="${viewed.id}"] a`).first().click();
    await page.locator(`[data-testid=product-detail][data-product-id="${viewed.id}"]`).waitFor();

    // Check out the first product.
    await page.getByTestId('cart-link').click();
    await page.locator(`[data-testid=cart-line][data-product-id="${bought.id}"]`).waitFor();
    await browser.screenshot(page, 'nile-5-cart');
    await page.getByTestId('go-to-checkout').click();
    await page.getByTestId('place-order').click();
    await page.getByTestId('order-placed').waitFor();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('0');
    await browser.screenshot(page, 'nile-6-order-placed');

    // Something else of the first category goes into the cart: it must stay off the home page.
    await page.goto(`${origin}/nile/#/products?category=${encodeURIComponent(first)}`);
    await listingOf(page, { category: first });
    await page.locator(`.results [data-product-id="${carted.id}"]`).getByTestId('add-to-cart').click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');

    // Home: the personalised page streams in, section by section.
    await recordHomeFrames(page);
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await homeComplete(page);
    expect(await page.getByTestId('home-kind').textContent()).toBe('personalised');
    await page.getByTestId('scripted-label').waitFor();
    const frames = await homeFrames(page);
    const fresh = frames.findLastIndex((frame) => frame.status === 'generating' && frame.count === 0);
    expect(fresh, JSON.stringify(frames)).toBeGreaterThanOrEqual(0);
    const streamed = frames.slice(fresh);
    const final = streamed.at(-1)!;
    expect(final.status).toBe('complete');
    expect(final.count).toBeGreaterThanOrEqual(3);
    // Every count from none to the whole page was on screen while the agent was still generating.
    const whileGenerating = streamed
      .filter((frame) => frame.status === 'generating')
      .map((frame) => frame.count);
    expect(whileGenerating).toEqual(Array.from({ length: final.count + 1 }, (_, i) => i));
    await browser.screenshot(page, 'nile-7-personalised-home');

    // The sections follow the signals: bought first, its category leading; the viewed one comes back.
    const sections = page.locator('[data-testid=home-section]');
    expect(await sections.first().getAttribute('data-type')).toBe('specific-slogan');
    expect(await sections.first().textContent()).toContain(first);
    const firstProductSection = sections.filter({ has: page.locator('[data-testid=product-tile]') }).first();
    const leading = await tilesIn(
      page,
      `[data-testid=home-section][data-index="${await firstProductSection.getAttribute('data-index')}"]`,
    );
    expect(leading.length).toBeGreaterThan(0);
    expect(leading.every((tile) => tile.category === first)).toBe(true);
    expect(await firstProductSection.textContent()).toContain(bought.name);
    const onHome = await tilesIn(page, '[data-testid=home-sections]');
    expect(onHome.map((tile) => tile.id)).toContain(viewed.id);
    // …and nothing in the cart is offered again.
    expect(onHome.map((tile) => tile.id)).not.toContain(carted.id);

    // Half a laptop screen, and the dark scheme the system asks for: the page fits and follows it.
    await page.setViewportSize({ width: 720, height: 900 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await browser.screenshot(page, 'nile-8-half-screen');
    const background = 'getComputedStyle(document.body).backgroundColor';
    const lightBackground = await page.evaluate(background);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(background)).not.toBe(lightBackground);
    await browser.screenshot(page, 'nile-9-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1400, height: 900 });

    // Ctrl+K: the expertise panel, with the focus inside it; what the server learnt, and the live prompt.
    await page.keyboard.press('Control+k');
    const panel = page.getByTestId('expertise-panel');
    await panel.waitFor();
    const focusInPanel = `document.activeElement?.closest('[data-testid=expertise-panel]') !== null`;
    expect(await page.evaluate(focusInPanel)).toBe(true);
    // It is modal: Tab and Shift+Tab go round inside it.
    for (const key of ['Shift+Tab', 'Tab', 'Tab', ...Array<string>(12).fill('Tab')]) {
      await page.keyboard.press(key);
      expect(await page.evaluate(focusInPanel), key).toBe(true);
    }
    await expect.poll(() => panel.getByTestId('stat-bought').textContent()).toBe('1');
    expect(await panel.getByTestId('stat-views').textContent()).toBe('2');
    expect(Number(await panel.getByTestId('stat-in-cart').textContent())).toBeGreaterThanOrEqual(1);
    const recent = await panel.getByTestId('recent-action').allTextContents();
    expect(recent.some((row) => row.includes('bought') && row.includes(bought.name))).toBe(true);
    expect(recent.some((row) => row.includes('viewed') && row.includes(viewed.name))).toBe(true);
    const prompt = panel.getByTestId('live-prompt');
    await prompt.waitFor();
    const promptText = (await prompt.textContent()) ?? '';
    expect(promptText).toContain(bought.name);
    expect(promptText).toContain('Ada');
    const loop = await panel
      .getByTestId('cycle-entry')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-phase')));
    expect(new Set(loop)).toEqual(new Set(['act', 'learn', 'reuse']));
    expect(loop[0]).toBe('reuse'); // the latest step: the page built from it
    await browser.screenshot(page, 'nile-10-expertise-panel');

    // Clearing the expertise: the stats start again from nothing.
    await panel.getByTestId('clear-expertise').click();
    await panel.getByTestId('clear-expertise').click();
    await expect.poll(() => panel.getByTestId('stat-improvements').textContent()).toBe('0');
    expect(await panel.getByTestId('recent-action').count()).toBe(0);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    // The cart: more of a line, then remove it. Orders: the one placed.
    await page.getByTestId('cart-link').click();
    const line = page.locator(`[data-testid=cart-line][data-product-id="${carted.id}"]`);
    await line.waitFor();
    await line.getByRole('button', { name: `One more ${carted.name}` }).click();
    await expect.poll(() => line.getByTestId('cart-quantity').inputValue()).toBe('2');
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('2');
    await line.getByTestId('cart-remove').click();
    await page.getByTestId('cart-empty').waitFor();
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    const order = page.getByTestId('order').first();
    await order.waitFor();
    expect(await order.textContent()).toContain(bought.name);
    await browser.screenshot(page, 'nile-11-orders');

    // The control room links to the shop, and shows the home-page agent like any other.
    await page.getByRole('link', { name: 'Control room' }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByTestId('app-page-link').filter({ hasText: 'Nile' }).waitFor();
    expect(await page.getByTestId('app-page-link').getAttribute('href')).toBe('/nile/');
    await page.getByTestId('agent-card-nile-home-Ada').waitFor({ timeout: 60_000 });
    await browser.screenshot(page, 'nile-12-control-room');

    expect(errors).toEqual([]);
  });
});
