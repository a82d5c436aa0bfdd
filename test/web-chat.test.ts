import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openChat, orchestratorLookup } from '../src/orchestrator/open-chat.ts';
import { describeProblem, discoverAgentTemplates, discoverSlashCommands } from '../src/project/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { artifactsDir, useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { testToken, useServerHarness } from './helpers/server.ts';

const connection = (page: Page, state: string) =>
  page.locator(`[data-testid=connection][data-state=${state}]`).waitFor({ timeout: 60_000 });

/**
 * What the page was told about the chat until the reload: the orchestrator's state (REST) and the socket's
 * chat frames, token fragments and orchestrator run ends, in order. Saved as an artifact; it is how
 * web/test/fixtures/chat-turns.json was recorded (the chat store tests replay it).
 */
function recordChat(page: Page): { orchestrator?: unknown; frames: unknown[] } {
  const recording: { orchestrator?: unknown; frames: unknown[] } = { frames: [] };
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/orchestrator' && recording.orchestrator === undefined)
      void response.json().then((body: unknown) => (recording.orchestrator ??= body));
  });
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as {
        type: string;
        event?: { type: string; orchestratorId?: string };
      };
      const orchestratorRun =
        frame.type === 'event.appended' &&
        frame.event?.orchestratorId !== undefined &&
        ['RunStarted', 'RunEnded'].includes(frame.event.type);
      if (frame.type === 'chat.appended' || frame.type === 'event.delta' || orchestratorRun)
        recording.frames.push(frame);
    }),
  );
  return recording;
}

/** The chat item (bubble) of a person's message, by its text. */
const userItem = (page: Page, text: string) =>
  page.locator('[data-testid=chat-item][data-sender=user]', { hasText: text });

describe('the orchestrator chat and the command palette in Chromium, against a real server, real Claude Code and the fake model', () => {
  const db = useTestDatabase();
  const agents = useCommandAgentHarness(db);
  const servers = useServerHarness(db);
  const browser = useBrowser();

  it('creates an agent from the chat, streams replies with tool bubbles, queues a message sent while busy, interrupts, sanitises Markdown, and completes commands and workflows', async () => {
    const h = await agents.setUp([
      {
        ...turn(toolUse('mcp__baton__create_agent', { name: 'bob', template: 'builder' })),
        match: { lastUserText: { contains: 'create an agent named bob' } },
      },
      {
        ...reply(
          'Created **bob** from `builder`.\n\n```ts\nconst ready = true;\n```\n\n' +
            '<script>window.pwned = 1</script><iframe src="/api/health"></iframe>' +
            '<img src="x" onerror="window.pwned = 2"><a href="javascript:window.pwned=3" onclick="window.pwned=4">link</a>',
        ),
        match: { lastToolResult: { toolName: 'mcp__baton__create_agent' } },
      },
      // A model in the middle of a long reply: a third of it is streamed, then nothing until interrupted.
      {
        ...reply('Once upon a time there was a story that went on and on without ever ending at all.'),
        match: { lastUserText: { contains: 'tell a long story' } },
        stall: { afterDeltas: 1 },
      },
      { ...reply('Done, as asked.'), match: { lastUserText: { contains: 'now say done' } } },
    ]);
    // The project's own slash command and agent template, which the input completes.
    await mkdir(join(h.dir, '.claude/commands'), { recursive: true });
    await mkdir(join(h.dir, '.claude/agents'), { recursive: true });
    await writeFile(
      join(h.dir, '.claude/commands/review-pr.md'),
      '---\ndescription: Review a pull request\nargument-hint: <pr-number> [focus]\n---\nReview PR $1.\n',
    );
    await writeFile(
      join(h.dir, '.claude/agents/builder.md'),
      '---\nname: builder\ndescription: Builds features\n---\nYou build.\n',
    );
    const chat = await openChat(h.services, h.dir, managementTools);
    servers.defer(() => chat.close());
    const server = await servers.setUp({
      services: h.services,
      cwd: h.dir,
      tools: managementTools,
      chat,
      webUi: await builtUi(),
      slashCommands: async (dir) => {
        const { commands, problems } = await discoverSlashCommands(dir);
        return { commands, errors: problems.map(describeProblem) };
      },
      agentTemplates: async (dir) => {
        const { templates, problems } = await discoverAgentTemplates(dir);
        return {
          templates: templates.map(({ systemPrompt: _prompt, ...rest }) => rest),
          errors: problems.map(describeProblem),
        };
      },
      orchestrator: orchestratorLookup(h.services, h.dir),
    });
    const origin = await server.listen();
    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const recording = recordChat(page);
    await page.goto(`${origin}/?token=${testToken}`);
    await connection(page, 'live');

    // A message that makes the orchestrator create an agent: its card appears, the tool call is a bubble.
    const input = page.getByTestId('chat-input');
    await input.fill('Please create an agent named bob');
    await input.press('Enter');
    await userItem(page, 'create an agent named bob').waitFor();
    await page.getByTestId('agent-card-bob').waitFor({ timeout: 120_000 });
    const tool = page.locator('[data-testid=chat-item][data-kind=tool_use]');
    await tool.waitFor();
    expect(await tool.textContent()).toContain('create_agent');
    expect(await tool.textContent()).toContain('"name": "bob"');
    const answer = page.locator('[data-testid=chat-item][data-sender=orchestrator][data-kind=text]', {
      hasText: 'Created',
    });
    await answer.waitFor({ timeout: 120_000 });
    await userItem(page, 'create an agent named bob').and(page.locator('[data-status=done]')).waitFor();
    // The orchestrator's spend and context window, from the usage ledger, once its turn has ended.
    await expect
      .poll(async () => Number((await page.getByTestId('chat-cost').textContent())?.replace('$', '')), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    expect(await page.getByTestId('chat-context').getByRole('meter').getAttribute('aria-valuenow')).toMatch(
      /^\d+$/,
    );

    // Its Markdown is rendered (bold, a code block marked with its language); the HTML it carried is not.
    expect(await answer.locator('strong').first().textContent()).toBe('bob');
    expect(await answer.locator('pre code.language-ts').textContent()).toContain('const ready = true;');
    const chatColumn = page.getByTestId('chat');
    expect(await chatColumn.locator('script, iframe').count()).toBe(0);
    expect(await chatColumn.locator('[onerror], [onclick]').count()).toBe(0);
    expect(await chatColumn.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await browser.screenshot(page, 'chat-1-agent-created');

    // A long reply streams in token by token; while it runs the chat is busy.
    await input.fill('Please tell a long story');
    await input.press('Enter');
    const streaming = page.getByTestId('chat-streaming');
    await streaming.filter({ hasText: 'Once upon' }).waitFor({ timeout: 120_000 });
    expect(await streaming.textContent()).not.toContain('without ever ending');
    await page.getByTestId('chat-typing').waitFor();
    await userItem(page, 'tell a long story').and(page.locator('[data-status=running]')).waitFor();

    // A second message sent meanwhile is shown as queued.
    await input.fill('And now say done');
    await input.press('Enter');
    const queued = userItem(page, 'now say done');
    await queued.and(page.locator('[data-status=queued]')).waitFor();
    expect(await queued.getByTestId('chat-status-queued').textContent()).toBe('queued');
    await browser.screenshot(page, 'chat-2-streaming-and-queued');

    // Interrupt: the running turn ends as interrupted, its half reply goes, and the queued one runs.
    await page.getByTestId('chat-interrupt').click();
    await userItem(page, 'tell a long story').and(page.locator('[data-status=interrupted]')).waitFor({
      timeout: 60_000,
    });
    await page
      .locator('[data-testid=chat-item][data-sender=orchestrator]', { hasText: 'Done, as asked.' })
      .waitFor({ timeout: 120_000 });
    await queued.and(page.locator('[data-status=done]')).waitFor();
    await expect.poll(() => page.getByTestId('chat-streaming').count()).toBe(0);
    await expect.poll(() => page.getByTestId('chat-typing').count()).toBe(0);
    await browser.screenshot(page, 'chat-3-interrupted');

    // Cmd/Ctrl+K: the palette. `start adw:` offers the workflows, `/` the project's commands with their
    // argument hints, a word the agents and templates; Tab or ↓ + Enter takes one.
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('palette-input');
    await palette.waitFor();
    await expect
      .poll(() =>
        palette.evaluate(
          (element) =>
            element ===
            (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
        ),
      )
      .toBe(true);
    await palette.pressSequentially('start adw: plan_build_r');
    const completions = page.getByTestId('palette-input-completions').getByTestId('completion');
    await expect
      .poll(() => completions.allTextContents())
      .toEqual([
        expect.stringContaining('plan_build_review'),
        expect.stringContaining('plan_build_review_fix'),
      ]);
    await browser.screenshot(page, 'chat-4-palette-workflows');
    await palette.press('Tab');
    expect(await palette.inputValue()).toBe('start adw: plan_build_review: ');

    await palette.fill('');
    await palette.pressSequentially('/rev');
    await expect.poll(() => completions.count()).toBe(1);
    expect(await completions.first().textContent()).toContain('<pr-number> [focus]');
    await browser.screenshot(page, 'chat-5-palette-commands');
    await palette.press('ArrowDown');
    await palette.press('Enter');
    expect(await palette.inputValue()).toBe('/review-pr ');
    await palette.pressSequentially('for b');
    await expect
      .poll(() => completions.evaluateAll((items) => items.map((item) => item.getAttribute('data-kind'))))
      .toEqual(['agent', 'template']);
    await palette.press('Escape'); // closes the list, not the palette
    await expect.poll(() => completions.count()).toBe(0);
    await palette.pressSequentially('o');
    await expect.poll(() => completions.allTextContents()).toEqual([expect.stringContaining('bob')]);
    await palette.press('Tab');
    expect(await palette.inputValue()).toBe('/review-pr for bob');
    await palette.press('Escape'); // no list open: closes the palette
    await expect.poll(() => page.getByTestId('palette').count()).toBe(0);

    // A reload shows the same history, from the server.
    await writeFile(join(artifactsDir, 'chat-frames.json'), `${JSON.stringify(recording, null, 1)}\n`);
    await page.reload();
    await connection(page, 'live');
    await page.locator('[data-testid=chat-item]', { hasText: 'Done, as asked.' }).waitFor();
    expect(await page.locator('[data-testid=chat-item][data-sender=user]').count()).toBe(3);
    expect(errors).toEqual([]);
    h.server.assertComplete();
  });
});
