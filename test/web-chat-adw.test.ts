import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findOrchestrator } from '../src/db/orchestrators.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { openChat, orchestratorLookup } from '../src/orchestrator/open-chat.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { useTestDatabase } from './helpers/database.ts';
import { testToken, useServerHarness } from './helpers/server.ts';

/** Long enough to see the card while its build runs, before the later lanes exist. */
const buildDelayMs = 15_000;

/**
 * Records, in the page, each status a card's lanes take, in the order they take them (the swimlane
 * filling live): `plan:running`, `plan:succeeded`, `build:running`, …; the statuses shown when it starts
 * come first, in lane order.
 */
async function recordLaneStatuses(page: Page, card: string): Promise<void> {
  // A script string: this file is compiled without the DOM's types.
  await page.evaluate(`(() => {
    const seen = [];
    globalThis.laneStatuses = seen;
    const note = () => {
      for (const lane of document.querySelectorAll('[data-testid=${card}] [data-testid^=adw-lane-]')) {
        const entry = lane.getAttribute('data-testid').slice('adw-lane-'.length) + ':' + lane.getAttribute('data-status');
        if (!seen.includes(entry)) seen.push(entry);
      }
    };
    note();
    new MutationObserver(note).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  })()`);
}

const laneStatuses = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { laneStatuses: string[] }).laneStatuses);

describe('starting an ADW from the orchestrator chat in Chromium, against a real server, real Claude Code and the scripted model', () => {
  const db = useTestDatabase();
  const adwHarness = useAdwHarness(db);
  const servers = useServerHarness(db);
  const browser = useBrowser();

  it('takes the workflow from the completions of `start adw:`, answers "Started ADW …" with no model turn, and its swimlane fills live to the FAIL review and its fix, as the ledger says', async () => {
    // Only the ADW's agents talk to the model: the trigger starts it directly, with no orchestrator turn.
    const h = await adwHarness.setUp(adwScript({ verdict: 'FAIL', buildDelayMs }));
    await h.worker(1);
    const chat = await openChat(h.services, h.repo, managementTools);
    servers.defer(() => chat.close());
    const server = await servers.setUp({
      services: h.services,
      cwd: h.repo,
      tools: managementTools,
      chat,
      webUi: await builtUi(),
      orchestrator: orchestratorLookup(h.services, h.repo),
    });
    const origin = await server.listen();
    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/?token=${testToken}`);
    await page.locator('[data-testid=connection][data-state=live]').waitFor({ timeout: 60_000 });

    // `start adw:` offers the server's workflows; ↓ chooses one, Enter takes it.
    const input = page.getByTestId('chat-input');
    await input.click();
    await input.pressSequentially('start adw:');
    const completions = page.getByTestId('chat-input-completions').getByTestId('completion');
    await expect
      .poll(() => completions.locator('.label').allTextContents())
      .toEqual(expect.arrayContaining(['plan_build', 'plan_build_review_fix']));
    const labels = await completions.locator('.label').allTextContents();
    expect(
      await completions.evaluateAll((items) => items.map((item) => item.getAttribute('data-kind'))),
    ).toEqual(labels.map(() => 'workflow'));
    const wanted = labels.indexOf('plan_build_review_fix');
    for (let step = 0; step <= wanted; step++) await input.press('ArrowDown');
    expect(await completions.nth(wanted).getAttribute('aria-selected')).toBe('true');
    await browser.screenshot(page, 'chat-adw-1-workflow-completions');
    await input.press('Enter');
    expect(await input.inputValue()).toBe('start adw: plan_build_review_fix: ');
    await expect.poll(() => completions.count()).toBe(0);

    const prompt = 'Add a farewell(name) function to greet.js, with a test';
    await input.pressSequentially(prompt);
    await input.press('Enter');
    const sent = `start adw: plan_build_review_fix: ${prompt}`;
    await page.locator('[data-testid=chat-item][data-sender=user]', { hasText: sent }).waitFor();
    const started = page.locator('[data-testid=chat-item][data-sender=orchestrator]', {
      hasText: 'Started ADW',
    });
    await started.waitFor({ timeout: 30_000 });
    const reply = (await started.textContent())!;
    const adwId = /Started ADW ([0-9a-f-]{36}) \(plan_build_review_fix\)\./.exec(reply)?.[1];
    expect(adwId, `the reply names the ADW: ${reply}`).toBeDefined();
    expect(await input.inputValue()).toBe('');
    await browser.screenshot(page, 'chat-adw-2-started');

    // That ADW, in the ledger: the typed prompt, the workspace, started by this orchestrator.
    const orchestrator = await findOrchestrator(h.services.db.pool, h.repo);
    const adw = await h.adws.get(adwId!);
    expect(adw).toMatchObject({
      workflow: 'plan_build_review_fix',
      orchestrator_id: orchestrator!.id,
      working_dir: h.repo,
    });
    expect(JSON.stringify(adw.inputs)).toContain(prompt);

    // Ctrl+J: the swimlanes, where its card fills while it runs: plan done, build running, review and
    // fix still pending and empty.
    await page.keyboard.press('Control+j');
    await page.getByTestId('adw-swimlanes').waitFor();
    const card = page.getByTestId(`adw-card-${adw.name}`);
    await card.waitFor();
    await recordLaneStatuses(page, `adw-card-${adw.name}`);
    await card.locator('[data-testid=adw-lane-build][data-status=running]').waitFor({ timeout: 120_000 });
    expect(await card.locator('[data-testid=adw-lane-plan][data-status=succeeded]').count()).toBe(1);
    for (const later of ['review', 'fix']) {
      const lane = card.getByTestId(`adw-lane-${later}`);
      expect(await lane.getAttribute('data-status')).toBe('pending');
      expect(await lane.getByTestId('adw-square').count()).toBe(0);
    }
    expect(await card.getByTestId('adw-status').textContent()).toBe('running');
    await browser.screenshot(page, 'chat-adw-3-swimlane-building');

    // Then review (FAIL, with its tier counts) and the fix, to the end.
    await card.locator('[data-testid=adw-lane-review][data-status=succeeded]').waitFor({ timeout: 150_000 });
    expect(await card.getByTestId('adw-lane-review').getByTestId('lane-verdict').textContent()).toBe('FAIL');
    await card.locator('[data-testid=adw-lane-fix][data-status=succeeded]').waitFor({ timeout: 150_000 });
    await expect
      .poll(() => card.getByTestId('adw-status').textContent(), { timeout: 60_000 })
      .toBe('succeeded');
    expect(await card.getByTestId('adw-verdict').textContent()).toBe('FAIL · 1 BLOCKER');
    // Seen in the page one after the other: each step ran only once the one before it had succeeded.
    const seen = await laneStatuses(page);
    expect(seen.indexOf('plan:succeeded')).toBeLessThan(seen.indexOf('build:running'));
    expect(seen.filter((entry) => /^(build|review|fix):(?!pending)/.test(entry))).toEqual([
      'build:running',
      'build:succeeded',
      'review:running',
      'review:succeeded',
      'fix:running',
      'fix:succeeded',
    ]);
    await browser.screenshot(page, 'chat-adw-4-swimlane-fail-and-fix');

    // The ledger agrees: the ADW succeeded, its steps in order with the review's FAIL, the cost the card shows.
    const { row, steps } = await waitForAdw(h.adws, adwId!, ['succeeded']);
    expect(steps.map((step) => [step.name, step.status])).toEqual([
      ['plan', 'succeeded'],
      ['build', 'succeeded'],
      ['review', 'succeeded'],
      ['fix', 'succeeded'],
    ]);
    const verdicts = await h.services.db.pool.query<{ name: string; verdict: string | null }>(
      `select name, output->>'verdict' as verdict from adw_steps where adw_id = $1 order by position`,
      [adwId],
    );
    expect(verdicts.rows.find((step) => step.name === 'review')?.verdict).toBe('FAIL');
    expect(await card.getByTestId('adw-cost').textContent()).toBe(`$${row.cost_usd.toFixed(4)}`);
    // The chat holds the message and the reply, both tied to the ADW; no model turn ran for them.
    const items = await h.services.db.pool.query<{
      sender_type: string;
      message: string;
      adw_id: string | null;
    }>(`select sender_type, message, metadata->>'adwId' as adw_id from orchestrator_chat order by position`);
    expect(items.rows).toEqual([
      { sender_type: 'user', message: sent, adw_id: adwId },
      {
        sender_type: 'orchestrator',
        message: `Started ADW ${adwId} (plan_build_review_fix).`,
        adw_id: adwId,
      },
    ]);
    const orchestratorRuns = await h.services.db.pool.query(
      `select 1 from events where orchestrator_id = $1 and adw_id is null and type = 'RunStarted'`,
      [orchestrator!.id],
    );
    expect(orchestratorRuns.rowCount).toBe(0);
    expect(errors).toEqual([]);
  });
});
