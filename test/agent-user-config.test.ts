import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir, testRunner, testRuntime } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';

const marker = 'USER-LEVEL-MEMORY-7f3a';

describe("the person's own Claude Code configuration (BATON_AGENT_USER_CONFIG)", () => {
  const db = useTestDatabase();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** Runs one agent whose HOME has a ~/.claude/CLAUDE.md; returns everything the model was sent. */
  async function runWith(setting: 'on' | 'off' | undefined): Promise<string> {
    const home = await scratchDir('user-config-home');
    const work = await scratchDir('user-config-work');
    const baton = await scratchDir('user-config-baton');
    cleanup.push(home.remove, work.remove, baton.remove);
    mkdirSync(join(home.path, '.claude'), { recursive: true });
    writeFileSync(join(home.path, '.claude', 'CLAUDE.md'), `Remember ${marker}.\n`);
    await gitRepository(work.path, { 'README.md': '# project\n' });
    const model = await startFakeModelServer({ script: [{ ...reply('Hello.'), times: 'always' }] });
    cleanup.push(() => model.close());
    const extra: Record<string, string> = { HOME: home.path };
    if (setting) extra.BATON_AGENT_USER_CONFIG = setting;
    const { runner, writer, sessions } = testRunner(
      db.current.pool,
      testRuntime(baton.path, model.url, extra),
    );
    cleanup.push(
      () => writer.close(),
      () => sessions.close(),
    );
    const run = await runner.start({
      cwd: work.path,
      prompt: 'Say hello',
      model: modelAliases.haiku,
      author: 'engineer',
    });
    expect((await run.done).run.status).toBe('succeeded');
    return model
      .messageRequests()
      .map((request) => JSON.stringify(request.body))
      .join('\n');
  }

  it('is hidden by default: agents get a private configuration inside BATON_HOME', async () => {
    expect(await runWith(undefined)).not.toContain(marker);
  });

  it('is seen when set on: the user-level CLAUDE.md reaches the model', async () => {
    expect(await runWith('on')).toContain(marker);
  });
});
