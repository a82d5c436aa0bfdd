import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openChat, orchestratorLookup } from '../src/orchestrator/open-chat.ts';
import { reply, text, type Turn } from '../src/testing/fake-model-server/index.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { testToken, useServerHarness } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const model = 'claude-haiku-pills-test';

/** The autocomplete model's answer for one input (its requests carry no tools and name its model). */
function suggests(completions: string[], input?: string): Turn {
  return {
    match: { model, ...(input ? { lastUserText: { contains: `<input>${input}</input>` } } : {}) },
    ...(input ? {} : { times: 'always' as const }),
    content: [
      text(
        JSON.stringify({
          suggestions: completions.map((completion) => ({ completion, reason: `why: ${completion}` })),
        }),
      ),
    ],
  };
}

const pillTexts = (page: Page) =>
  page.locator('[data-testid=chat] [data-testid=suggestion-pills] button').allTextContents();

describe('suggestion pills in the chat input, in Chromium, against a real server, real Claude Code and the fake model', () => {
  const db = useTestDatabase();
  const agents = useCommandAgentHarness(db);
  const servers = useServerHarness(db);
  const browser = useBrowser();

  it('shows three pills with their reasons, Ctrl+2 appends one and is learned, and sending without one is learned as rejected', async () => {
    const h = await agents.setUp(
      [
        suggests(['builder to run tests', 'reviewer to check it', 'agents for status'], 'ask the'),
        { ...reply('On it.'), match: { hasTools: true, lastUserText: { contains: 'check it' } } },
        // Whatever else the input asks for as it changes.
        suggests(['and report back', 'before merging']),
      ],
      { env: { BATON_AUTOCOMPLETE: 'on', BATON_AUTOCOMPLETE_MODEL: model } },
    );
    const chat = await openChat(h.services, h.dir, managementTools);
    servers.defer(() => chat.close());
    const server = await servers.setUp({
      services: h.services,
      cwd: h.dir,
      tools: managementTools,
      chat,
      webUi: await builtUi(),
      orchestrator: orchestratorLookup(h.services, h.dir),
    });
    const origin = await server.listen();
    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/?token=${testToken}`);
    await page.locator('[data-testid=connection][data-state=live]').waitFor({ timeout: 60_000 });

    const input = page.getByTestId('chat-input');
    await input.fill('ask the');
    await expect
      .poll(() => pillTexts(page), { timeout: 30_000 })
      .toEqual(['Ctrl+1 builder to run tests', 'Ctrl+2 reviewer to check it', 'Ctrl+3 agents for status']);
    expect(await page.getByTestId('suggestion-2').getAttribute('title')).toBe('why: reviewer to check it');
    await browser.screenshot(page, 'autocomplete-1-pills');

    await page.keyboard.press('Control+2');
    expect(await input.inputValue()).toBe('ask the reviewer to check it');
    const feedback = (kind: string) =>
      until(async () => {
        const { rows } = await h.services.db.pool.query(
          `select input, completion, reason, offered from autocomplete_feedback
            where working_dir = $1 and kind = $2`,
          [h.dir, kind],
        );
        return rows.length ? rows : undefined;
      }, `a ${kind} feedback row`);
    expect(await feedback('accepted')).toEqual([
      {
        input: 'ask the',
        completion: 'reviewer to check it',
        reason: 'why: reviewer to check it',
        offered: [],
      },
    ]);

    // The continued input gets its own suggestions; sending it without taking one teaches that too.
    await expect
      .poll(() => pillTexts(page), { timeout: 30_000 })
      .toEqual(['Ctrl+1 and report back', 'Ctrl+2 before merging']);
    await browser.screenshot(page, 'autocomplete-2-after-accept');
    await input.press('Enter');
    expect(await feedback('rejected')).toEqual([
      {
        input: 'ask the reviewer to check it',
        completion: null,
        reason: null,
        offered: ['and report back', 'before merging'],
      },
    ]);
    await expect.poll(() => pillTexts(page)).toEqual([]);
    await page
      .locator('[data-testid=chat-item][data-sender=orchestrator]', { hasText: 'On it.' })
      .waitFor({ timeout: 120_000 });
    expect(errors).toEqual([]);
    h.server.assertComplete();
  });
});
