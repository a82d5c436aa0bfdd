import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adwScript } from '../src/demo/adw-script.ts';
import { text } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { useTestDatabase } from './helpers/database.ts';
import { testToken, useServerHarness } from './helpers/server.ts';

const slowModelMs = 120_000;

/** Records, in the page, the order in which lanes first appear in a card (the swimlane filling live). */
async function recordLaneOrder(page: Page): Promise<void> {
  // A script string: this file is compiled without the DOM's types.
  await page.evaluate(`(() => {
    const seen = [];
    globalThis.laneOrder = seen;
    const note = () => {
      for (const card of document.querySelectorAll('[data-testid^=adw-card-]'))
        for (const lane of card.querySelectorAll('[data-testid^=adw-lane-]')) {
          const key = card.getAttribute('data-testid') + '/' + lane.getAttribute('data-testid');
          if (!seen.includes(key)) seen.push(key);
        }
    };
    new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
  })()`);
}

const laneOrder = (page: Page, card: string) =>
  page.evaluate(
    (prefix) =>
      (globalThis as unknown as { laneOrder: string[] }).laneOrder
        .filter((key) => key.startsWith(`${prefix}/`))
        .map((key) => key.slice(prefix.length + '/adw-lane-'.length)),
    card,
  );

describe('ADW swimlanes in Chromium against a real server, real Claude Code and the scripted model', () => {
  const db = useTestDatabase();
  const adwHarness = useAdwHarness(db);
  const servers = useServerHarness(db);
  const browser = useBrowser();

  it('starts ADWs from the form, fills their lanes live to the FAIL review and its fix, opens squares and artifacts, and cancels a running one', async () => {
    // The model never answers the first ADW's plan (its prompt asks for shout()), so it is still
    // running when it is cancelled; the second ADW gets the demo's script.
    const h = await adwHarness.setUp([
      {
        name: 'the plan of the ADW to cancel, answered too late',
        match: { lastUserText: { contains: 'shout(name)' } },
        content: [text('too late')],
        times: 'always',
        delayMs: slowModelMs,
      },
      ...adwScript({ verdict: 'FAIL' }),
    ]);
    await h.worker(1);
    const server = await servers.setUp({
      services: h.services,
      cwd: h.repo,
      tools: managementTools,
      webUi: await builtUi(),
    });
    const origin = await server.listen();
    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/?token=${testToken}`);
    await page.locator('[data-testid=connection][data-state=live]').waitFor({ timeout: 60_000 });
    await page.keyboard.press('Control+j');
    await page.getByTestId('adw-swimlanes').waitFor();
    await recordLaneOrder(page);

    // The form: the server's workflows and workspace; bad input is shown where it is, saying what to change.
    await page.getByTestId('new-adw').click();
    const form = page.getByTestId('start-adw-form');
    await expect.poll(() => page.getByTestId('adw-workflow').inputValue()).toBe('plan_build_review_fix');
    expect(await page.getByTestId('adw-workflow').locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['plan_build', 'plan_build_review_fix']),
    );
    expect(await page.getByTestId('adw-workspace').textContent()).toBe(h.repo);
    await page.getByTestId('adw-start').click();
    expect(await page.getByTestId('adw-prompt-error').textContent()).toMatch(
      /Say what the workflow should do/,
    );
    await page.getByTestId('adw-prompt').fill('Add a farewell(name) function to greet.js, with a test');
    await page.getByTestId('adw-maxCostUsd').fill('-2');
    await page.getByTestId('adw-start').click();
    expect(await page.getByTestId('adw-maxCostUsd-error').textContent()).toMatch(/must be a number above 0/);
    await page.getByTestId('adw-maxCostUsd').fill('');
    // What only the server can refuse comes back in place too, naming the field.
    await page.getByTestId('adw-name').fill('n'.repeat(201));
    await page.getByTestId('adw-start').click();
    await expect
      .poll(() => page.getByTestId('adw-form-error').textContent())
      .toMatch(/The server did not start it: .*200/);
    expect(await form.locator('[name=name][aria-invalid=true]').count()).toBe(1);
    await browser.screenshot(page, 'adw-1-form-errors');

    // The first ADW: its plan waits on the model; cancel it while it runs.
    await page.getByTestId('adw-prompt').fill('Add a shout(name) function to greet.js');
    await page.getByTestId('adw-name').fill('cancel-me');
    await page.getByTestId('adw-start').click();
    const first = page.getByTestId('adw-card-cancel-me');
    await first.waitFor();
    await first.locator('[data-testid=adw-lane-plan][data-status=running]').waitFor({ timeout: 90_000 });
    await first.getByTestId('adw-lane-plan').locator('[data-type=RunStarted]').waitFor();
    await expect.poll(() => first.getByTestId('adw-elapsed').textContent()).toMatch(/⏱ \d+(s|m)/);
    await browser.screenshot(page, 'adw-2-running');
    await first.getByTestId('adw-cancel').click();
    await expect
      .poll(() => first.getByTestId('adw-status').textContent(), { timeout: 60_000 })
      .toBe('cancelled');
    await first.locator('[data-testid=adw-lane-plan][data-status=cancelled]').waitFor({ timeout: 60_000 });
    await first.getByTestId('adw-resume').waitFor();
    // Resume it from the card with more budget: it runs again (and waits on the model again); cancel it again.
    await first.getByTestId('adw-add-cost').fill('abc');
    await first.getByTestId('adw-resume').click();
    expect(await first.getByTestId('adw-action-error').textContent()).toMatch(
      /More budget \(USD\) must be a positive number/,
    );
    await first.getByTestId('adw-add-cost').fill('0.5');
    await first.getByTestId('adw-resume').click();
    await expect
      .poll(() => first.getByTestId('adw-status').textContent(), { timeout: 30_000 })
      .toBe('running');
    await expect
      .poll(() => first.getByTestId('adw-lane-plan').locator('[data-type=RunStarted]').count(), {
        timeout: 60_000,
      })
      .toBe(2);
    const resumed = (
      await h.services.db.pool.query<{ status: string; max_cost_usd: string | null }>(
        `select status, max_cost_usd from adws where name = 'cancel-me'`,
      )
    ).rows[0]!;
    expect(resumed.status).toBe('running');
    expect(Number(resumed.max_cost_usd)).toBeGreaterThanOrEqual(0.5);
    await first.getByTestId('adw-cancel').click();
    await first.locator('[data-testid=adw-lane-plan][data-status=cancelled]').waitFor({ timeout: 60_000 });

    // The second ADW starts with a budget its plan overspends: it pauses, and resumes with more budget.
    await page.getByTestId('new-adw').click();
    await page.getByTestId('adw-prompt').fill('Add a farewell(name) function to greet.js, with a test');
    await page.getByTestId('adw-name').fill('farewell');
    await page.getByTestId('adw-maxCostUsd').fill('0.01');
    await page.getByTestId('adw-start').click();
    await page.getByTestId('adw-notice').filter({ hasText: 'Started farewell' }).waitFor();
    const card = page.getByTestId('adw-card-farewell');
    await expect.poll(() => card.getByTestId('adw-status').textContent(), { timeout: 90_000 }).toBe('paused');
    expect(await card.getByTestId('adw-paused').textContent()).toMatch(
      /Paused: .*budget.*Resume it with more budget/,
    );
    // Its step went back to the queue: the lane says pending, no longer running.
    await card.locator('[data-testid=adw-lane-plan][data-status=pending]').waitFor();
    await browser.screenshot(page, 'adw-3-paused');
    await card.getByTestId('adw-add-cost').fill('5');
    await card.getByTestId('adw-resume').click();

    // Then it runs to the end: its lanes appear step by step, the review FAILs, the fix follows.
    await card.locator('[data-testid=adw-lane-fix][data-status=succeeded]').waitFor({ timeout: 150_000 });
    await expect
      .poll(() => card.getByTestId('adw-status').textContent(), { timeout: 60_000 })
      .toBe('succeeded');
    expect(await card.getByTestId('adw-verdict').textContent()).toBe('FAIL · 1 BLOCKER');
    expect(await card.getByTestId('adw-lane-review').getByTestId('lane-verdict').textContent()).toBe('FAIL');
    expect(await laneOrder(page, 'adw-card-farewell')).toEqual([
      'Workflow',
      'plan',
      'build',
      'review',
      'fix',
    ]);
    const farewellId = (
      await h.services.db.pool.query<{ id: string }>(`select id from adws where name = 'farewell'`)
    ).rows[0]!.id;
    const { row } = await waitForAdw(h.adws, farewellId, ['succeeded']);
    expect(await card.getByTestId('adw-cost').textContent()).toBe(`$${row.cost_usd.toFixed(4)}`);
    // Every event of the ADW is a square, in ledger order within its lane.
    const stored = await h.services.db.pool.query<{ seq: string }>(
      `select seq from events where adw_id = $1 and category <> 'summary' order by seq`,
      [row.id],
    );
    const squares = (await card
      .getByTestId('adw-square')
      .evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-seq'))))) as number[];
    expect([...squares].sort((a, b) => a - b)).toEqual(stored.rows.map((r) => Number(r.seq)));
    await browser.screenshot(page, 'adw-4-swimlanes-fail-and-fix');

    // A square opens its details: summary, type, step, payload.
    const reviewText = card
      .getByTestId('adw-lane-review')
      .locator('[data-testid=adw-square][data-type=TextBlock]');
    expect(await reviewText.getAttribute('title')).toBe('TextBlock: [scripted demo] Review written: FAIL.');
    await reviewText.click();
    const panel = page.getByTestId('adw-panel');
    await panel.getByTestId('adw-event-detail').waitFor();
    expect(await panel.getByTestId('adw-event-summary').textContent()).toContain(
      '[scripted demo] Review written: FAIL.',
    );
    expect(await panel.getByTestId('adw-event-type').textContent()).toBe('TextBlock');
    expect(await panel.getByTestId('adw-event-step').textContent()).toBe('review');
    expect(JSON.parse((await panel.getByTestId('adw-event-payload').textContent())!)).toMatchObject({
      text: '[scripted demo] Review written: FAIL.',
    });
    await browser.screenshot(page, 'adw-5-square-detail');
    // A file change's square shows its diff.
    await card.getByTestId('adw-lane-fix').locator('[data-testid=adw-square][data-type=FileChanges]').click();
    const diff = panel.getByTestId('diff').first();
    await diff.waitFor();
    expect(await panel.locator('[data-kind=added]').allTextContents()).toContain(
      '+module.exports = { greet, farewell };',
    );

    // The review's report opens rendered (sanitised Markdown), read from the path its step recorded.
    await card.getByTestId('adw-lane-review').getByTestId('open-artifact').click();
    await panel.getByTestId('adw-artifact').locator('h1').waitFor();
    expect(await panel.locator('h1').textContent()).toBe('Review: farewell function');
    expect(await panel.getByTestId('adw-artifact-path').textContent()).toMatch(
      /^app_review\/review-[0-9a-f]{8}-1\.md$/,
    );
    expect(await panel.locator('table').count()).toBeGreaterThan(0);
    await browser.screenshot(page, 'adw-6-review-artifact');
    await card.getByTestId('adw-lane-plan').getByTestId('open-artifact').click();
    await panel.locator('h1', { hasText: 'Add a farewell function' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('adw-panel').count()).toBe(0);

    // The kind toggles hide squares (a step's start and end stay); one kind always stays on.
    const hooks = card.locator('[data-testid=adw-square][data-type=PreToolUse]');
    expect(await hooks.count()).toBeGreaterThan(0);
    await page.getByTestId('adw-kind-hook').click();
    await expect.poll(() => hooks.count()).toBe(0);
    expect(await card.getByTestId('adw-lane-build').textContent()).toMatch(/\+\d+ hidden/);
    for (const kind of ['response', 'tool', 'thinking', 'system'])
      await page.getByTestId(`adw-kind-${kind}`).click();
    expect(await page.getByTestId('adw-kind-system').getAttribute('aria-pressed')).toBe('true');
    const starts = await h.services.db.pool.query(
      `select 1 from events where adw_id = $1 and type = 'StepStart'`,
      [row.id],
    );
    expect(starts.rowCount).toBe(5); // plan twice: before the pause and after the resume
    expect(await card.locator('[data-testid=adw-square][data-type=StepStart]').count()).toBe(5);
    for (const kind of ['hook', 'response', 'tool', 'thinking'])
      await page.getByTestId(`adw-kind-${kind}`).click();
    await expect.poll(() => hooks.count()).toBeGreaterThan(0);

    // Switching views and back keeps the lanes; Ctrl+J goes back to the event stream.
    await page.keyboard.press('Control+j');
    await page.getByTestId('event-stream').waitFor();
    await page.keyboard.press('Control+j');
    await card.locator('[data-testid=adw-lane-fix][data-status=succeeded]').waitFor();
    expect(errors).toEqual([]);
  });
});
