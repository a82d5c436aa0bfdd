import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { until } from './helpers/wait.ts';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment, startBaton } from './helpers/cli.ts';

describe('a foreground `adw run` while PostgreSQL restarts', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  });

  it('rides out the restart like a worker and works its ADW to the end', async () => {
    const home = await scratchDir('adw-restart');
    cleanup.push(home.remove);
    const dataDir = join(home.path, 'postgres');
    let database: EmbeddedDatabase = await startEmbeddedPostgres(dataDir);
    cleanup.push(() => database.stop({ force: true }));
    const pool = createPool(database.url);
    cleanup.push(() => pool.end());
    await migrate(pool);
    const repo = await createSampleRepository(home.path);
    // The build's third call is slow: the database restarts while the build waits for it.
    const model = await startFakeModelServer({
      script: adwScript({ verdict: 'PASS', buildAfterEditDelayMs: 4_000 }),
    });
    cleanup.push(() => model.close());

    const run = startBaton(
      ['adw', 'run', 'plan_build', 'Add a farewell function', '--cwd', repo, '--json'],
      cliEnvironment({
        DATABASE_URL: database.url,
        BATON_HOME: join(home.path, 'baton'),
        ANTHROPIC_BASE_URL: model.url,
        ANTHROPIC_API_KEY: 'sk-ant-restart-test',
        BATON_SUMMARIES: 'off',
      }),
    );
    cleanup.push(async () => {
      run.child.kill('SIGKILL');
      await run.exited;
    });
    await until(
      async () =>
        model.messageRequests().some((request) => request.turnName === 'build after Edit') || undefined,
      'the build to wait for its slow model call',
    );
    await database.stop({ force: true });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the outage: the database is gone meanwhile
    database = await startEmbeddedPostgres(dataDir);

    const code = await run.exited;
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { id: string; status: string };
    expect(outcome.status).toBe('succeeded');
    const steps = await pool.query(`select name, status from adw_steps where adw_id = $1 order by position`, [
      outcome.id,
    ]);
    expect(steps.rows).toEqual([
      { name: 'plan', status: 'succeeded' },
      { name: 'build', status: 'succeeded' },
    ]);
    // Every event once, in order, though the database went away in the middle.
    const events = await pool.query<{ id: string; seq: number }>(
      'select id, seq from events where adw_id = $1 order by seq',
      [outcome.id],
    );
    expect(new Set(events.rows.map((event) => event.id)).size).toBe(events.rows.length);
    expect(events.rows.length).toBeGreaterThan(10);
  });
});
