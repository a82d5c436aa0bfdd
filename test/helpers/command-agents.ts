import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import type { AgentService } from '../../src/services/agents/agent-service.ts';
import { startCommandWorker, type CommandWorker } from '../../src/services/agents/command-worker.ts';
import { startServices, type Services } from '../../src/services/services.ts';
import {
  startFakeModelServer,
  type FakeModelServer,
  type Turn,
} from '../../src/testing/fake-model-server/index.ts';
import type { TestDatabase } from '../../src/testing/test-db.ts';
import { gitRepository, scratchDir } from './agents.ts';

export interface CommandAgentHarness {
  home: string;
  /** The workspace: a git repository with one commit. */
  dir: string;
  server: FakeModelServer;
  services: Services;
  agents: AgentService;
  env: Record<string, string>;
  /** Starts a command worker on `services` (default: this harness's), stopped after the test. */
  worker(
    services?: Services,
    concurrency?: number,
    options?: { staleMs?: number; heartbeatMs?: number; deferMs?: number },
  ): Promise<CommandWorker>;
  /** Another set of services on the same database and data directory (a second process, in effect). */
  moreServices(): Promise<Services>;
}

/**
 * Scaffolding for command agent tests: a data directory, a git workspace, a fake model playing `script`,
 * and baton's services on the test file's database; everything is torn down after each test.
 */
export function useCommandAgentHarness(db: { readonly current: TestDatabase }) {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  });
  return {
    defer(step: () => Promise<unknown>): void {
      cleanup.push(step);
    },
    async setUp(
      script: Turn[] | ((dir: string) => Turn[]),
      options: { files?: Record<string, string>; env?: Record<string, string> } = {},
    ): Promise<CommandAgentHarness> {
      const home = await scratchDir('cmd-home');
      const work = await scratchDir('cmd-work');
      cleanup.push(home.remove, work.remove);
      await gitRepository(work.path, options.files ?? { 'README.md': '# project\n' });
      const server = await startFakeModelServer({
        script: typeof script === 'function' ? script(work.path) : script,
      });
      cleanup.push(() => server.close());
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        DATABASE_URL: db.current.url,
        BATON_HOME: home.path,
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_API_KEY: 'sk-ant-command-test-key',
        BATON_MODEL_MAX_RETRIES: '1',
        BATON_SUMMARIES: 'off',
        BATON_AUTOCOMPLETE: 'off',
        BATON_MAX_AGENTS: '4',
        ...options.env,
      };
      const start = async () => {
        const started = await startServices(loadConfig(env));
        cleanup.push(() => started.close());
        return started;
      };
      const services = await start();
      return {
        home: home.path,
        dir: work.path,
        server,
        services,
        agents: await services.agents(),
        env,
        async worker(on = services, concurrency = 4, extra = {}) {
          const worker = await startCommandWorker(on, { concurrency, watchMs: 500, ...extra });
          cleanup.push(() => worker.stop());
          return worker;
        },
        moreServices: start,
      };
    },
  };
}
