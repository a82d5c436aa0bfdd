import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useAdwHarness } from './helpers/adw.ts';
import { useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { useTestDatabase } from './helpers/database.ts';
import { commitAll, writesExpertise } from './helpers/experts.ts';
import { auth, testToken, useServerHarness } from './helpers/server.ts';

const selfImprove = '# greeting expert: self-improve';
/** The first expertise: both files it names exist in the sample repository. */
const v1 = 'functions: [greet]\nkey_files: [greet.js, test.js]\n';
/** The improve's: it still names test.js, which is gone by then. */
const v2 = `${v1}testing: run npm test\n`;

const row = (page: Page, domain: string) => page.getByTestId(`expert-row-${domain}`);

describe('the experts section in Chromium against a real server, real Claude Code, git and the fake model', () => {
  const db = useTestDatabase();
  const adwHarness = useAdwHarness(db);
  const servers = useServerHarness(db);
  const browser = useBrowser();

  it('lists an expert live once its init run ends, shows the project drifting after a file it names is deleted, and stale once an improve kept the claim', async () => {
    const h = await adwHarness.setUp([
      ...writesExpertise('greeting', selfImprove, v1, 'Built the expertise.'),
      ...writesExpertise('greeting', selfImprove, v2, 'Updated the expertise.'),
      // baton's follow-ups about the stale claim: the agent leaves the file as it is, so the claim is kept.
      {
        name: 'follow-ups about the stale claim',
        ...reply('I checked; leaving the expertise as it is.'),
        match: { lastUserText: { contains: 'baton checked the expertise against the code' } },
        times: 2,
      },
    ]);
    const server = await servers.setUp({
      services: h.services,
      cwd: h.repo,
      tools: managementTools,
      webUi: await builtUi(),
    });
    const origin = await server.listen();
    const post = async (url: string, body: object) => {
      const response = await fetch(`${origin}${url}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, `${url}: ${await response.clone().text()}`).toBeLessThan(300);
      return response.json();
    };

    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/?token=${testToken}`);
    await page.locator('[data-testid=connection][data-state=live]').waitFor({ timeout: 60_000 });
    const section = page.getByTestId('experts');
    await section.getByText('No experts yet').waitFor();
    expect(await page.getByTestId('expert-count').textContent()).toBe('0');

    // init: the page lists it once the run ends and its version is recorded, without a reload.
    await post('/api/experts/greeting/init', { focus: 'greet.js' });
    const greeting = row(page, 'greeting');
    await page.locator('[data-testid=expert-row-greeting][data-standing=fresh]').waitFor({ timeout: 30_000 });
    expect(await greeting.getByTestId('expert-lines').textContent()).toMatch(/^\s*2\/\d+ lines\s*$/);
    expect(await greeting.getByTestId('expert-improved').textContent()).toMatch(/v1 · improved just now/);
    const head = (
      await h.services.db.pool.query<{ git_commit: string }>(`select git_commit from expertise_versions`)
    ).rows[0]!.git_commit;
    expect(await greeting.getByTestId('expert-commit').textContent()).toBe(head.slice(0, 8));
    expect(await greeting.getByTestId('expert-staleness').textContent()).toBe(
      '0 stale claims · 0 files changed',
    );
    expect(await page.getByTestId('experts-needing-check').count()).toBe(0);
    await browser.screenshot(page, 'experts-1-fresh');

    // A file it names is deleted and committed: on load the row says the project changed since its check.
    await rm(join(h.repo, 'test.js'));
    commitAll(h.repo, 'drop test.js');
    await page.reload();
    await page
      .locator('[data-testid=expert-row-greeting][data-standing=drifted]')
      .waitFor({ timeout: 30_000 });
    expect(await greeting.getByTestId('expert-staleness').textContent()).toMatch(
      /0 stale claims · \d+ files? changed/,
    );
    expect(await page.getByTestId('experts-needing-check').textContent()).toMatch(/1 to check/);

    // improve rechecks it: the new version keeps the claim on test.js, and the row turns stale, live.
    const improved = await post('/api/experts/greeting/improve', {});
    expect(improved).toMatchObject({ versions: [{ version: 2, stale_claims: 1 }] });
    await page.locator('[data-testid=expert-row-greeting][data-standing=stale]').waitFor({ timeout: 30_000 });
    expect(await greeting.getByTestId('expert-staleness').textContent()).toBe(
      '1 stale claim · 0 files changed',
    );
    expect(await greeting.getByTestId('expert-improved').textContent()).toMatch(/v2 · improved just now/);
    // Its colour is the theme's "bad" one (a script string: this file is compiled without the DOM's types).
    const [border, bad] = (await page.evaluate(`(() => {
      const row = document.querySelector('[data-testid=expert-row-greeting]');
      const probe = document.createElement('span');
      probe.style.color = 'var(--bad)';
      row.appendChild(probe);
      const bad = getComputedStyle(probe).color;
      probe.remove();
      return [getComputedStyle(row).borderLeftColor, bad];
    })()`)) as [string, string];
    expect(border).toBe(bad);
    await browser.screenshot(page, 'experts-2-stale');
    expect(errors).toEqual([]);
    h.server.assertComplete();
  });
});
