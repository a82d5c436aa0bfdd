import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentRuntime } from '../../src/agent/run-agent.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createEventWriter, type EventWriter, type EventWriterOptions } from '../../src/db/event-writer.ts';
import type { Pool } from '../../src/db/pool.ts';
import { createSessionMirror, type SessionMirror } from '../../src/db/session-store.ts';
import { afterEach } from 'vitest';
import {
  createAgentRunner,
  type AgentRunner,
  type AgentRunnerDeps,
} from '../../src/services/runs/agent-runner.ts';
import { agentRuntimeFor } from '../../src/services/services.ts';
import {
  startFakeModelServer,
  type FakeModelServer,
  type Turn,
} from '../../src/testing/fake-model-server/index.ts';
import type { TestDatabase } from '../../src/testing/test-db.ts';
import { testHome } from './home.ts';

/** A scratch directory removed by the returned function. */
export async function scratchDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `baton-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A git repository with one commit of the given files. */
export async function gitRepository(path: string, files: Record<string, string>): Promise<void> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@baton.dev');
  git('config', 'user.name', 'baton test');
  await writeFiles(path, files);
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
}

export async function writeFiles(path: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) await writeFile(join(path, name), content);
}

/**
 * The agent runtime as baton builds it from its environment, pointed at a fake model server. Few
 * retries, so a scripted model error fails a run in seconds rather than minutes.
 */
export function testRuntime(
  home: string,
  modelUrl: string,
  extra: Record<string, string> = {},
): AgentRuntime {
  return agentRuntimeFor(
    loadConfig({
      PATH: process.env.PATH,
      HOME: testHome(),
      BATON_HOME: home,
      ANTHROPIC_BASE_URL: modelUrl,
      ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real',
      BATON_MODEL_MAX_RETRIES: '2',
      ...extra,
    }),
  );
}

/** Runner settings a test may change; `writer` configures the event writer and the session mirror alike. */
export type TestRunnerOptions = Omit<AgentRunnerDeps, 'pool' | 'writer' | 'sessions' | 'runtime'> & {
  writer?: EventWriterOptions;
};

/** A recording runner on `pool`, whose sessions are mirrored to PostgreSQL as in production. */
export function testRunner(
  pool: Pool,
  runtime: AgentRuntime,
  options: TestRunnerOptions = {},
): { runner: AgentRunner; writer: EventWriter; sessions: SessionMirror } {
  const { writer: writerOptions, ...deps } = options;
  const writer = createEventWriter(pool, writerOptions);
  const sessions = createSessionMirror(pool, writerOptions);
  return { runner: createAgentRunner({ pool, writer, sessions, runtime, ...deps }), writer, sessions };
}

/**
 * Scaffolding for tests of agent runs: each `setUp` makes a working directory (a git repository unless
 * `plain`), a fake model server playing the script and a recording runner on the file's database, and
 * everything is torn down after each test.
 */
export function useAgentHarness(db: { readonly current: TestDatabase }) {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  return {
    /** Something to undo after this test. */
    defer(step: () => Promise<unknown>): void {
      cleanup.push(step);
    },
    async setUp(
      script: Turn[] | ((dir: string) => Turn[]),
      options: { files?: Record<string, string>; plain?: boolean; runner?: TestRunnerOptions } = {},
    ): Promise<{ dir: string; server: FakeModelServer; runner: AgentRunner; writer: EventWriter }> {
      const work = await scratchDir('work');
      const home = await scratchDir('home');
      cleanup.push(work.remove, home.remove);
      const files = options.files ?? { 'notes.txt': 'notes\n' };
      if (options.plain) await writeFiles(work.path, files);
      else await gitRepository(work.path, files);
      const server = await startFakeModelServer({
        script: typeof script === 'function' ? script(work.path) : script,
      });
      cleanup.push(() => server.close());
      const { runner, writer, sessions } = testRunner(
        db.current.pool,
        testRuntime(home.path, server.url),
        options.runner,
      );
      cleanup.push(
        () => writer.close(),
        () => sessions.close(),
      );
      return { dir: work.path, server, runner, writer };
    },
  };
}
