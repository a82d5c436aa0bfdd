import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.ts';
import { insertEvents } from '../src/db/events.ts';
import { insertFileChanges } from '../src/db/file-changes.ts';
import { insertPrompt } from '../src/db/prompts.ts';
import { insertRun } from '../src/db/runs.ts';
import { reply, text, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { auth, testToken, useServerHarness } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

const connection = (page: Page, state: string) =>
  page.locator(`[data-testid=connection][data-state=${state}]`).waitFor({ timeout: 60_000 });

const usage = { input_tokens: 1_000, output_tokens: 200 };

describe('the agent detail view and its actions in Chromium, against a real server, real Claude Code and the fake model', () => {
  const db = useTestDatabase();
  const agents = useCommandAgentHarness(db);
  const servers = useServerHarness(db);
  const browser = useBrowser();

  it('selecting a card shows its runs with cost and diff; the UI commands, interrupts and deletes it', async () => {
    const h = await agents.setUp((dir) => [
      {
        ...turn(toolUse('Write', { file_path: join(dir, 'hello.md'), content: '# Hello\n\nfrom alice\n' })),
        usage,
        match: { lastUserText: { contains: 'write hello' } },
      },
      { ...reply('I wrote hello.md.'), usage, match: { lastToolResult: { toolName: 'Write' } } },
      { ...reply('Hi from alice, live.'), usage, match: { lastUserText: { contains: 'say hi' } } },
      // The long job: the model starts answering and then says nothing more until Claude Code hangs up.
      {
        content: [text('Working on the long job, this will take a while')],
        stall: { afterDeltas: 1 },
        match: { lastUserText: { contains: 'long job' } },
      },
      {
        error: { status: 500, message: 'the model is broken' },
        times: 'always',
        match: { lastUserText: { contains: 'break' } },
      },
    ]);
    await h.worker();
    const server = await servers.setUp({
      services: h.services,
      cwd: h.dir,
      tools: managementTools,
      webUi: await builtUi(),
    });
    const origin = await server.listen();
    const pool = db.current.pool;
    const tool = async (name: string, args: object): Promise<{ structured: { agent: { id: string } } }> => {
      const response = await fetch(`${origin}/api/tools/${name}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
      expect(response.status, `${name}: ${await response.clone().text()}`).toBe(200);
      return (await response.json()) as { structured: { agent: { id: string } } };
    };
    const runsOf = async (agentId: string) =>
      (
        await pool.query<{ id: string; status: string; cost_usd: number }>(
          'select id, status, cost_usd from agent_runs where agent_id = $1 order by started_at',
          [agentId],
        )
      ).rows;

    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/?token=${testToken}`);
    await connection(page, 'live');

    // An agent created and commanded through the API: its card appears and settles.
    const created = await tool('create_agent', { name: 'alice' });
    const agentId: string = created.structured.agent.id;
    expect(agentId).toMatch(/^[0-9a-f-]{36}$/);
    const card = page.getByTestId('agent-card-alice');
    await card.waitFor();
    await tool('command_agent', { name: 'alice', command: 'Please write hello.md' });
    await until(
      async () => ((await runsOf(agentId))[0]?.status === 'succeeded' ? true : undefined),
      'the first run to succeed',
      120_000,
    );
    await expect.poll(() => card.getByTestId('agent-status').textContent(), { timeout: 60_000 }).toBe('IDLE');

    // Selecting it: the detail shows the run (prompt, status, duration, cost as the ledger has it) and its diff.
    await card.click();
    const detail = page.getByTestId('agent-detail');
    await detail.waitFor();
    await page.getByRole('button', { name: 'Stop filtering by alice' }).waitFor();
    const runRows = detail.getByTestId('agent-run');
    await expect.poll(() => runRows.count()).toBe(1);
    const [firstRun] = await runsOf(agentId);
    expect(firstRun!.cost_usd).toBeGreaterThan(0);
    const run = runRows.first();
    expect(await run.getByTestId('run-prompt').textContent()).toBe('Please write hello.md');
    expect(await run.getByTestId('run-status').textContent()).toBe('succeeded');
    await expect
      .poll(() => run.getByTestId('run-cost').textContent())
      .toBe(`$${Number(firstRun!.cost_usd).toFixed(4)}`);
    expect(await run.getByTestId('run-duration').textContent()).toMatch(/^\d+(\.\d)? (ms|s)$|^\d+ m \d\d s$/);
    expect(await run.getByTestId('run-files').textContent()).toBe('1 file');
    await run.getByRole('button').first().click();
    const file = run.locator('[data-testid=file-change][data-path="hello.md"]');
    await file.waitFor();
    expect(await file.locator('[data-status]').textContent()).toContain('created');
    expect(await file.locator('[data-kind=added]').allTextContents()).toEqual(
      expect.arrayContaining(['+# Hello', '+from alice']),
    );
    await browser.screenshot(page, 'agents-1-detail-with-diff');

    // A command from the UI: the tool's answer shows in place, and its events stream in live, filtered to alice.
    const input = detail.getByTestId('agent-command-input');
    await input.fill('Please say hi');
    await input.press('Enter');
    await detail.getByTestId('agent-action-note').filter({ hasText: 'Command queued for alice' }).waitFor();
    expect(await input.inputValue()).toBe('');
    await page
      .locator('[data-testid=event-stream] [data-testid=event-row]', { hasText: 'Hi from alice, live.' })
      .waitFor({ timeout: 120_000 });
    await expect.poll(() => runRows.count(), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => runRows.first().getByTestId('run-prompt').textContent()).toBe('Please say hi');
    await browser.screenshot(page, 'agents-2-commanded-live');

    // A command the tool refuses: the error is shown where it was sent, naming the field and what to do.
    await input.fill('x'.repeat(100_001));
    await detail.getByTestId('agent-command-send').click();
    const refusal = detail.getByTestId('agent-action-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('body.command');
    expect(await refusal.textContent()).toContain('Change command and try again.');
    expect(await input.inputValue()).toHaveLength(100_001); // what was typed is kept
    await browser.screenshot(page, 'agents-3-error-in-place');

    // A long command, interrupted from the UI: the card executes, the queue shows it, then it ends interrupted.
    const requestsBefore = h.server.messageRequests().length;
    await input.fill('Start the long job');
    await input.press('Enter');
    await expect
      .poll(() => card.getByTestId('agent-status').textContent(), { timeout: 60_000 })
      .toBe('EXECUTING');
    await detail.getByTestId('agent-queue').filter({ hasText: 'Start the long job' }).waitFor();
    await until(
      async () => (h.server.messageRequests().length > requestsBefore ? true : undefined),
      'the long job to call the model',
      120_000,
    );
    await detail.getByTestId('agent-interrupt').click();
    await detail
      .getByTestId('agent-action-note')
      .filter({ hasText: "Interrupting alice's command" })
      .waitFor();
    await until(
      async () => ((await runsOf(agentId)).at(-1)?.status === 'interrupted' ? true : undefined),
      'the long job to end interrupted',
      60_000,
    );
    await expect.poll(() => card.getByTestId('agent-status').textContent(), { timeout: 60_000 }).toBe('IDLE');
    await expect
      .poll(() => runRows.first().getByTestId('run-status').textContent(), { timeout: 30_000 })
      .toBe('interrupted');
    await browser.screenshot(page, 'agents-4-interrupted');

    // A command whose model keeps failing: the card says blocked, with the reason.
    await input.fill('Please break');
    await input.press('Enter');
    await expect
      .poll(() => card.getByTestId('agent-status').textContent(), { timeout: 120_000 })
      .toBe('BLOCKED');
    const blocked = await pool.query<{ blocked_reason: string }>(
      'select blocked_reason from agents where id = $1',
      [agentId],
    );
    expect(blocked.rows[0]!.blocked_reason).toBeTruthy();
    await expect
      .poll(() => card.getByTestId('agent-blocked').textContent())
      .toContain(blocked.rows[0]!.blocked_reason.slice(0, 40));
    await browser.screenshot(page, 'agents-5-blocked');

    // Delete asks first; confirmed, the card, the detail and the stream's filter go, and the ledger says so.
    await detail.getByTestId('agent-delete').click();
    await browser.screenshot(page, 'agents-6-confirm-delete');
    await detail.getByTestId('agent-delete-confirm').click();
    await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('agent-detail').count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: 'Stop filtering by alice' }).count()).toBe(0);
    const archived = await pool.query('select archived from agents where id = $1', [agentId]);
    expect(archived.rows[0].archived).toBe(true);
    await browser.screenshot(page, 'agents-7-deleted');
    expect(errors).toEqual([]);
    h.server.assertComplete();
  });

  it('thousands of agents stay responsive; a huge diff and a huge tool input are cut with a way to see all; an unknown message is counted', async () => {
    const h = await agents.setUp([]);
    const pool = db.current.pool;
    const count = 3_000;
    await pool.query(
      `insert into agents (name, model, working_dir, kind, workspace)
       select 'agent-' || lpad(g::text, 4, '0'), 'claude-sonnet-5-5', $1, 'command', $1
         from generate_series(1, $2::int) g`,
      [h.dir, count],
    );
    const first = (await pool.query<{ id: string }>(`select id from agents where name = 'agent-0001'`))
      .rows[0]!;
    const run = await insertRun(pool, {
      id: newId(),
      agentId: first.id,
      model: 'claude-sonnet-5-5',
      workingDir: h.dir,
      host: 'test',
      pid: 1,
    });
    await insertPrompt(pool, {
      agentId: first.id,
      runId: run.id,
      author: 'engineer',
      text: 'Write a long file',
    });
    const longLines = Array.from({ length: 2_000 }, (_, n) => `+line ${n}`);
    await insertFileChanges(pool, run.id, first.id, [
      {
        path: 'long.txt',
        status: 'created',
        linesAdded: longLines.length,
        linesRemoved: 0,
        binary: false,
        diff: `@@ -0,0 +1,${longLines.length} @@\n${longLines.join('\n')}\n`,
        diffTruncated: false,
      },
    ]);
    // Under the ledger's cap on a stored string (32 KiB), far over the UI's preview.
    const hugeContent = 'y'.repeat(20_000);
    await insertEvents(pool, [
      {
        id: newId(),
        category: 'response',
        type: 'ToolUseBlock',
        agentId: first.id,
        runId: run.id,
        payload: { tool_name: 'Write', tool_input: { file_path: 'long.txt', content: hugeContent } },
        summary: 'Write long.txt (1 lines)',
        occurredAt: new Date(),
      },
    ]);
    await pool.query(
      `update agent_runs set status = 'succeeded', ended_at = now(), duration_ms = 4200 where id = $1`,
      [run.id],
    );

    const server = await servers.setUp({ services: h.services, cwd: h.dir, webUi: await builtUi() });
    const origin = await server.listen();
    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The page's socket, passed through to the real server, with one frame of a type this UI does not know.
    let toPage: ((message: string) => void) | undefined;
    await page.routeWebSocket(/\/ws$/, (socket) => {
      const upstream = socket.connectToServer();
      socket.onMessage((message) => upstream.send(message));
      upstream.onMessage((message) => socket.send(message));
      toPage = (message) => socket.send(message);
    });
    await page.goto(`${origin}/?token=${testToken}`);
    await connection(page, 'live');

    await expect
      .poll(() => page.getByTestId('agent-count').textContent(), { timeout: 60_000 })
      .toBe(String(count));
    expect(await page.getByTestId('active-agents').textContent()).toBe(String(count));
    const cards = page.locator('[data-testid^=agent-card-]');
    const rendered = await cards.count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(60); // virtualised: the cards on screen and a margin, not 3,000
    const column = page.getByTestId('agents-list');
    await column.evaluate((element) => (element.scrollTop = element.scrollHeight));
    await page.getByTestId('agent-card-agent-3000').waitFor();
    expect(await page.getByTestId('agent-card-agent-0001').count()).toBe(0);
    await browser.screenshot(page, 'agents-8-thousands');
    // Folded to avatars, the column stays virtualised and reaches the last agent too.
    await page.getByRole('button', { name: 'Collapse the agents column' }).click();
    await column.evaluate((element) => (element.scrollTop = element.scrollHeight));
    await page.getByTestId('agent-card-agent-3000').waitFor();
    expect(await cards.count()).toBeLessThan(60);
    await browser.screenshot(page, 'agents-8-thousands-folded');
    await page.getByRole('button', { name: 'Expand the agents column' }).click();
    await column.evaluate((element) => (element.scrollTop = 0));
    await page.getByTestId('agent-card-agent-0001').click();

    // The huge diff: the first 400 lines, then all 2,000 on request.
    const detail = page.getByTestId('agent-detail');
    const runRow = detail.getByTestId('agent-run').first();
    await runRow.waitFor();
    expect(await runRow.getByTestId('run-duration').textContent()).toBe('4.2 s');
    await runRow.getByRole('button').first().click();
    const diff = runRow.getByTestId('diff');
    await diff.waitFor();
    expect(await diff.locator('[data-kind=added]').count()).toBeLessThan(longLines.length);
    await diff.getByRole('button', { name: `Show all ${longLines.length + 1} lines` }).click();
    await expect.poll(() => diff.locator('[data-kind=added]').count()).toBe(longLines.length);

    // The huge tool input in the (filtered) stream: a preview, and all of it on request.
    const toolRow = page.locator('[data-testid=event-row][data-type=ToolUseBlock]');
    await toolRow.getByRole('button').first().click();
    const input = toolRow.getByTestId('tool-input');
    await input.waitFor();
    expect((await input.textContent())!.length).toBeLessThan(5_000);
    await toolRow.getByTestId('event-detail').locator('section').getByTestId('show-all').click();
    await expect.poll(async () => (await input.textContent())!.includes(hugeContent)).toBe(true);
    await browser.screenshot(page, 'agents-9-huge-diff-and-input');

    // Esc from inside the detail closes it, and the stream's filter with it.
    await runRow.getByRole('button').first().focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('agent-detail').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Stop filtering by agent-0001' }).count()).toBe(0);

    // A frame of a type this UI does not know: ignored and counted in the header, the page goes on.
    expect(toPage).toBeDefined();
    toPage!(JSON.stringify({ type: 'agent.teleported', agentId: first.id }));
    await page.getByTestId('ignored-messages').filter({ hasText: '1 messages ignored' }).waitFor();
    await connection(page, 'live');
    expect(errors).toEqual([]);
  });
});
