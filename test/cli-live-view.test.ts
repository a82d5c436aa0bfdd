import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../src/cli/fit-width.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import {
  startFakeModelServer,
  type FakeModelServer,
  type Turn,
} from '../src/testing/fake-model-server/index.ts';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { startInTmux } from './helpers/tmux.ts';

/** The summary model is down: every batch fails, and baton says so on stderr while the view redraws. */
const summariesFail: Turn = {
  name: 'summaries fail',
  match: { hasTools: false, anyText: { contains: 'log summarizer' } },
  error: { status: 529 },
  times: 'always',
};

// The live block's lines: its header and one line per step with elapsed time and cost.
const blockHeader = /^ADW [0-9a-f]{8} · /;
const blockStep = /^ {2}\S {1,2}(plan|build) +\d+s +\$\d/;
const isBlockLine = (line: string) => blockHeader.test(line) || blockStep.test(line);
const count = (text: string, pattern: RegExp) => text.split('\n').filter((line) => pattern.test(line)).length;

describe('the ADW live view in a real terminal (tmux)', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let repo: string;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('cli-live-view');
    repo = await createSampleRepository(home.path);
    // The build's first call is slow: a window to press Ctrl-C or resize the terminal while it runs.
    server = await startFakeModelServer({
      script: [summariesFail, ...adwScript({ verdict: 'PASS', buildDelayMs: 8_000, slowBuilds: 10 })],
    });
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
  });

  const environment = () => {
    const env = cliEnvironment({
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-live-view-test',
      BATON_MODEL_MAX_RETRIES: '1',
      BATON_SUMMARIES: 'on',
      TERM: 'tmux-256color',
    });
    // In colour, as a person sees it: escape sequences must not count as columns.
    delete env.NO_COLOR;
    return env;
  };

  it('at 60 columns: a warning and the Ctrl-C acknowledgement print above the block, which leaves no stale frames and never wraps', async () => {
    const pane = await startInTmux({
      args: ['adw', 'run', 'plan_build', 'Add a farewell function to greet.js with a test', '--cwd', repo],
      env: environment(),
      columns: 60,
      rows: 40,
      dir: home.path,
    });
    try {
      // The summary warning arrives on stderr while the block is being redrawn (the build is running).
      await pane.waitFor(/event summaries by \S+ failed/, 'the summary warning');
      await pane.waitFor(/^ {2}\S {1,2}build +\d+s/m, 'the build step running');
      await pane.sendKeys('C-c');
      expect(await pane.exited()).toBe(130);

      const scrollback = await pane.capture({ history: true, join: true });
      // One frame in the whole scrollback: every redraw erased the one before, messages or not.
      expect(count(scrollback, blockHeader), scrollback).toBe(1);
      expect(count(scrollback, /^ {2}\S {1,2}plan +\d+s/), scrollback).toBe(1);
      // The messages stayed, once each, above the final frame.
      expect(count(scrollback, /event summaries by \S+ failed/), scrollback).toBe(1);
      expect(count(scrollback, /cancelling the ADW/), scrollback).toBe(1);
      const lines = scrollback.split('\n');
      const frameAt = lines.findIndex((line) => blockHeader.test(line));
      expect(lines.findIndex((line) => /cancelling the ADW/.test(line))).toBeLessThan(frameAt);
      expect(lines.findIndex((line) => /event summaries by/.test(line))).toBeLessThan(frameAt);
      expect(lines[frameAt]).toMatch(/^ADW [0-9a-f]{8} · cancelled · /);
      expect(scrollback).toMatch(/■ ADW cancelled/);

      // Every line of the block fits the 60 columns (rejoined lines would be longer had any wrapped),
      // the long ones cut with …, and no step detail carries a full id.
      const block = lines.filter(isBlockLine);
      expect(block.length).toBe(3);
      for (const line of block) expect(displayWidth(line), line).toBeLessThanOrEqual(60);
      expect(block.some((line) => line.endsWith('…'))).toBe(true);
      for (const line of block) expect(line).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    } finally {
      await pane.close();
    }
  });

  it('at 120 columns: lines are not cut at a fixed width; after a resize to 60 the block is redrawn to fit, leaving no stale frame', async () => {
    const pane = await startInTmux({
      args: ['adw', 'run', 'plan_build', 'Add a farewell function to greet.js with a test', '--cwd', repo],
      env: environment(),
      columns: 120,
      rows: 40,
      dir: home.path,
    });
    try {
      const wide = await pane.waitFor(/^ {2}\S {1,2}build +\d+s/m, 'the build step running');
      // The plan's line is longer than 90 characters and shown whole: it fits in 120.
      const planLine = wide.split('\n').find((line) => /^ {2}\S {1,2}plan +\d+s/.test(line))!;
      expect(planLine).toMatch(/ · specs\/add-a-farewell-function-to-greet-js-[a-z-]*[0-9a-f]{8}\.md$/);
      expect(displayWidth(planLine)).toBeGreaterThan(90);

      await pane.resize(60);
      await pane.waitFor(/^ {2}\S {1,2}plan +\d+s .*…$/m, 'the plan line redrawn at 60 columns');
      expect(await pane.exited()).toBe(0);

      const scrollback = await pane.capture({ history: true, join: true });
      expect(count(scrollback, blockHeader), scrollback).toBe(1);
      expect(count(scrollback, /^ {2}\S {1,2}plan +\d+s/), scrollback).toBe(1);
      const block = scrollback.split('\n').filter(isBlockLine);
      expect(block[0]).toMatch(/^ADW [0-9a-f]{8} · succeeded · /);
      for (const line of block) expect(displayWidth(line), line).toBeLessThanOrEqual(60);
      expect(count(scrollback, /event summaries by \S+ failed/), scrollback).toBe(1);
    } finally {
      await pane.close();
    }
  });
});
