import { describe, expect, it } from 'vitest';
import { readEventsAfter } from '../src/db/events.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { useAdwHarness, waitForAdw } from './helpers/adw.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

describe("a cancelled ADW's events", () => {
  const db = useTestDatabase();
  const { setUp } = useAdwHarness(db);

  it('end with AdwEnded after the running step stopped, carrying the final cost, and without internal diagnostics', async () => {
    // The build's call after its Edit is slow: by then the build has spent something, and it is cancelled.
    const adw = await setUp(adwScript({ verdict: 'PASS', buildAfterEditDelayMs: 30_000 }));
    await adw.worker();
    const started = await adw.adws.start({
      workflow: 'plan_build',
      prompt: 'Add a farewell function',
      cwd: adw.repo,
    });
    await until(
      async () =>
        adw.server.messageRequests().some((request) => request.turnName === 'build after Edit') || undefined,
      'the build to call the model after its Edit',
    );
    await adw.adws.cancel(started.id);
    const { row, steps } = await waitForAdw(adw.adws, started.id, ['cancelled']);
    const build = steps.find((step) => step.name === 'build')!;
    expect(build.status).toBe('cancelled');
    expect(build.cost_usd).toBeGreaterThan(0);

    const events = await readEventsAfter(db.current.pool, 0, { adwId: row.id }, 10_000);
    const ended = events.filter((event) => event.type === 'AdwEnded');
    expect(ended).toHaveLength(1);
    // Last, after the build's own end: the total includes what the cancelled build spent.
    expect(events.at(-1)!.type).toBe('AdwEnded');
    expect(events.findIndex((event) => event.type === 'StepEnd' && event.adwStep === 'build')).toBeLessThan(
      events.indexOf(ended[0]!),
    );
    expect(ended[0]!.payload.cost_usd).toBeCloseTo(row.cost_usd, 6);
    expect(row.cost_usd).toBeCloseTo(
      steps.reduce((sum, step) => sum + step.cost_usd, 0),
      6,
    );
    expect(ended[0]!.summary).toBe(`Workflow cancelled (1/2 steps, $${row.cost_usd.toFixed(4)})`);

    // What a person reads of the stopped build: no Claude Code diagnostics, no "error" for a cancel.
    for (const event of events) expect(event.summary ?? '', event.type).not.toMatch(/ede_diagnostic/);
    const result = events.find((event) => event.type === 'Result' && event.adwStep === 'build');
    expect(result?.summary).toBe('Turn stopped before it finished');
  });
});
