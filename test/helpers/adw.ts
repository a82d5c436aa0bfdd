import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import type { AdwRow, AdwStepRow } from '../../src/db/adws.ts';
import { createSampleRepository } from '../../src/demo/sample-repo.ts';
import { startAdwWorker, type AdwWorker, type AdwWorkerOptions } from '../../src/services/adws/adw-worker.ts';
import type { AdwService } from '../../src/services/adws/adw-service.ts';
import { startServices, type Services } from '../../src/services/services.ts';
import {
  startFakeModelServer,
  type FakeModelServer,
  type Turn,
} from '../../src/testing/fake-model-server/index.ts';
import type { TestDatabase } from '../../src/testing/test-db.ts';
import { scratchDir } from './agents.ts';
import { testHome } from './home.ts';

export interface AdwHarness {
  home: string;
  repo: string;
  server: FakeModelServer;
  services: Services;
  adws: AdwService;
  /** Starts a worker in this process (stopped after the test). */
  worker(concurrency?: number, options?: Omit<AdwWorkerOptions, 'concurrency'>): Promise<AdwWorker>;
  env: Record<string, string>;
}

/**
 * Scaffolding for ADW tests: a data directory, the sample repository (a git repository), a fake model
 * playing `script`, and baton's services on the test file's database; all torn down after each test.
 */
export function useAdwHarness(db: { readonly current: TestDatabase }) {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  });
  return {
    defer(step: () => Promise<unknown>): void {
      cleanup.push(step);
    },
    async setUp(script: Turn[]): Promise<AdwHarness> {
      const home = await scratchDir('adw-home');
      cleanup.push(home.remove);
      const repo = await createSampleRepository(home.path);
      const server = await startFakeModelServer({ script });
      cleanup.push(() => server.close());
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: testHome(),
        DATABASE_URL: db.current.url,
        BATON_HOME: home.path,
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_API_KEY: 'sk-ant-adw-test-key',
        BATON_MODEL_MAX_RETRIES: '1',
        // Model summaries have tests of their own; here the fake model plays only the agents.
        BATON_SUMMARIES: 'off',
        BATON_AUTOCOMPLETE: 'off',
      };
      const services = await startServices(loadConfig(env));
      cleanup.push(() => services.close());
      const adws = await services.adws();
      return {
        home: home.path,
        repo,
        server,
        services,
        adws,
        env,
        async worker(concurrency = 2, options = {}) {
          const worker = await startAdwWorker(services, { concurrency, ...options });
          cleanup.push(() => worker.stop());
          return worker;
        },
      };
    },
  };
}

/** Waits until the ADW is in one of `statuses` (and no step is still running). */
export async function waitForAdw(
  adws: AdwService,
  id: string,
  statuses: AdwRow['status'][],
  timeoutMs = 90_000,
): Promise<{ row: AdwRow; steps: AdwStepRow[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await adws.get(id);
    const steps = await adws.steps(id);
    if (statuses.includes(row.status) && !steps.some((step) => step.status === 'running'))
      return { row, steps };
    if (Date.now() > deadline) {
      throw new Error(
        `ADW ${id} is ${row.status} after ${timeoutMs} ms: ${JSON.stringify(steps.map((s) => [s.name, s.status, s.error_message]))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
