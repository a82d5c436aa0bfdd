import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notes, scene } from '../src/demo/ui-scene.ts';
import { scratchDir } from './helpers/agents.ts';
import { useBrowser } from './helpers/browser.ts';
import { builtUi } from './helpers/built-ui.ts';
import { cliEnvironment, runBaton, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

describe('baton demo --ui', () => {
  const db = useTestDatabase();
  const browser = useBrowser();

  it('serves the UI, plays the scene once the page is open (chat → agent → ADW with a FAIL review and its fix), labelled scripted, and stops on SIGTERM', async () => {
    await builtUi(); // the page the demo serves is this worktree's build
    const home = await scratchDir('demo-ui-home');
    const demo = startBaton(
      ['demo', '--ui', '--port', '0'],
      cliEnvironment({ BATON_HOME: home.path, DATABASE_URL: db.current.url }),
    );
    try {
      await demo.waitFor(/open +http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/, 90_000);
      const url = /open +(\S+)/.exec(demo.stdout)![1]!;
      // Nothing plays before someone watches.
      await demo.waitFor(/the scene starts when a page connects/);
      const pool = db.current.pool;
      expect((await pool.query('select 1 from orchestrator_chat')).rowCount).toBe(0);

      const page = await browser.page();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      // Every page says the model is scripted.
      expect(await page.getByTestId('server-banner').textContent()).toBe(scene.banner);
      await page.getByTestId(`agent-card-${scene.agent}`).waitFor({ timeout: 120_000 });
      await browser.screenshot(page, 'demo-1-agent');
      await page.keyboard.press('Control+j');
      const card = page.locator('[data-testid^=adw-card-]');
      await card.waitFor({ timeout: 180_000 });
      await card.locator('[data-testid=adw-lane-fix][data-status=succeeded]').waitFor({ timeout: 180_000 });
      await expect
        .poll(() => card.getByTestId('adw-status').textContent(), { timeout: 60_000 })
        .toBe('succeeded');
      expect(await card.getByTestId('adw-verdict').textContent()).toBe('FAIL · 1 BLOCKER');
      await browser.screenshot(page, 'demo-2-adw-swimlanes');
      await demo.waitFor(
        /the scene is over: the review \(scripted\) found a BLOCKER and the fix step fixed it/,
        60_000,
      );

      // The ledger holds the whole scene: the chat and the orchestrator's tool calls, …
      const chat = await pool.query<{ sender_type: string; kind: string; message: string; status: string }>(
        'select sender_type, kind, message, status from orchestrator_chat order by position',
      );
      expect(
        chat.rows.map(
          (row) =>
            `${row.sender_type}:${row.kind}:${row.kind === 'text' ? row.message.slice(0, 30) : row.message}`,
        ),
      ).toEqual([
        `user:text:${scene.chat.slice(0, 30)}`,
        'orchestrator:tool_use:mcp__baton__create_agent',
        'orchestrator:tool_use:mcp__baton__command_agent',
        'orchestrator:tool_use:mcp__baton__wait_for_agent',
        'orchestrator:text:[scripted demo] scribe wrote *',
        `user:text:${scene.adw.slice(0, 30)}`,
        expect.stringMatching(/^orchestrator:text:Started ADW [0-9a-f-]+/),
      ]);
      expect(chat.rows[0]!.status).toBe('done');
      // … the agent it created, its command and the file it wrote, …
      const scribe = await pool.query<{ status: string; path: string }>(
        `select c.status, f.path from agents a join agent_commands c on c.agent_id = a.id
           join file_changes f on f.agent_id = a.id where a.name = $1 and a.kind = 'command'`,
        [scene.agent],
      );
      expect(scribe.rows).toEqual([{ status: 'succeeded', path: 'NOTES.md' }]);
      // … and the ADW: plan, build, a FAIL review with one BLOCKER, the fix.
      const adw = await pool.query<{ id: string; status: string; working_dir: string }>(
        'select id, status, working_dir from adws',
      );
      expect(adw.rows).toHaveLength(1);
      expect(adw.rows[0]!.status).toBe('succeeded');
      expect(readFileSync(join(adw.rows[0]!.working_dir, 'NOTES.md'), 'utf8')).toBe(notes);
      const steps = await pool.query<{ name: string; status: string; verdict: string | null }>(
        `select name, status, output->>'verdict' as verdict from adw_steps where adw_id = $1 order by position`,
        [adw.rows[0]!.id],
      );
      expect(steps.rows).toEqual([
        { name: 'plan', status: 'succeeded', verdict: null },
        { name: 'build', status: 'succeeded', verdict: null },
        { name: 'review', status: 'succeeded', verdict: 'FAIL' },
        { name: 'fix', status: 'succeeded', verdict: null },
      ]);
      expect(errors).toEqual([]);

      demo.child.kill('SIGTERM');
      expect(await demo.exited).toBe(0);
    } finally {
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
      await home.remove();
    }
  });

  it('refuses --json with --ui, and --port without --ui, naming what to change', async () => {
    const env = cliEnvironment({ DATABASE_URL: db.current.url });
    const both = await runBaton(['demo', '--ui', '--json'], env);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--json and --ui: choose one/);
    const port = await runBaton(['demo', '--port', '4800'], env);
    expect(port.stderr).toMatch(/--port is for the web UI demo: add --ui/);
  });
});
