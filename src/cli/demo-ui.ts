import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBatonHome, loadConfig } from '../config/index.ts';
import { getAdw } from '../db/adws.ts';
import type { Pool } from '../db/pool.ts';
import { startAdwWorker } from '../services/adws/adw-worker.ts';
import { startCommandWorker } from '../services/agents/command-worker.ts';
import { startServices } from '../services/services.ts';
import { ExitCode } from './exit-codes.ts';
import { startHttpServer } from './server-options.ts';
import { stopSignal } from './signals.ts';
import { paint } from './terminal.ts';

export interface DemoUiOptions {
  host?: string;
  /** @default 0: any free port (a `baton up` may hold 4747) */
  port?: number;
  /** Open the URL in the desktop's browser (xdg-open, or open on macOS). */
  open?: boolean;
  /** How long to wait for a page before the scene starts anyway. @default 60 s */
  pageWaitMs?: number;
}

const terminalAdw = new Set(['succeeded', 'failed', 'cancelled', 'paused']);

/**
 * `baton demo --ui`: baton with the scripted model on a sample repository, its web UI served, and a
 * scene played once a page is open (a chat that creates and commands an agent, then an ADW whose review
 * FAILs and whose fix follows), every page showing a banner that says it is scripted. It keeps serving
 * after the scene until Ctrl-C, so the person can look around.
 */
export async function demoUi(options: DemoUiOptions): Promise<number> {
  // Loaded only here: the demo's model is baton's fake model server playing a script.
  const { startFakeModelServer } = await import('../testing/fake-model-server/index.ts');
  const { createSampleRepository } = await import('../demo/sample-repo.ts');
  const { adwScript } = await import('../demo/adw-script.ts');
  const { scene, uiSceneScript } = await import('../demo/ui-scene.ts');

  const config = loadConfig();
  await ensureBatonHome(config.home);
  console.log(paint('yellow', '▶ baton demo --ui (scripted): a fake model server plays prerecorded turns.'));
  console.log(
    paint('yellow', '  The agents are real Claude Code, working in a sample repository; the ledger is real.'),
  );
  const repository = await createSampleRepository(join(config.home, 'demo'));
  const model = await startFakeModelServer({
    script: [...uiSceneScript(repository), ...adwScript({ verdict: 'FAIL' })],
  });
  const stop = stopSignal();
  const services = await startServices(
    { ...config, credentials: { baseUrl: model.url }, summaries: { ...config.summaries, enabled: false } },
    { log: (line) => console.log(paint('dim', line)) },
  );
  const closers: (() => Promise<unknown>)[] = [() => services.close(), () => model.close()];
  try {
    const server = await startHttpServer(
      services,
      config,
      { cwd: repository, host: options.host, port: options.port ?? 0 },
      undefined,
      { banner: scene.banner },
    );
    closers.unshift(() => server.close());
    const adws = await startAdwWorker(services, { concurrency: 1 });
    const commands = await startCommandWorker(services, { concurrency: 2 });
    closers.unshift(() => Promise.all([adws.stop(), commands.stop()]));

    console.log(`${paint('green', '✓')} open ${server.url}`);
    console.log(`  repository  ${repository}`);
    console.log(`  ledger      ${services.db.description}`);
    if (options.open) openInBrowser(server.url);
    const api = apiCaller(server.origin, server.token);

    let stopped = false;
    void stop.stopped.then(() => (stopped = true));
    const played = await Promise.race([
      playScene({
        api,
        pool: services.db.pool,
        scene,
        pageWaitMs: options.pageWaitMs ?? 60_000,
        isStopped: () => stopped,
      }),
      stop.stopped.then(() => undefined),
    ]);
    if (played) {
      model.assertComplete();
      console.log(
        `${paint('green', '✓')} the scene is over: ${played.adwStatus === 'succeeded' ? 'the review (scripted) found a BLOCKER and the fix step fixed it' : `the ADW ended ${played.adwStatus}`}.`,
      );
      console.log(paint('dim', '  baton keeps serving the page; Ctrl-C stops it.'));
      await stop.stopped;
      return played.adwStatus === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
    }
    return ExitCode.ok;
  } finally {
    stop.remove();
    console.log('stopping…');
    for (const close of closers) await close().catch(() => {});
  }
}

type Api = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** baton's own API, as the page uses it (the demo sends its chat messages the way a person would). */
function apiCaller(origin: string, token: string): Api {
  return async (method, path, body) => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  };
}

async function poll<T>(probe: () => Promise<T | undefined>, isStopped: () => boolean, timeoutMs = Infinity) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isStopped()) return undefined;
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function playScene(input: {
  api: Api;
  pool: Pool;
  scene: { chat: string; adw: string };
  pageWaitMs: number;
  isStopped: () => boolean;
}): Promise<{ adwStatus: string } | undefined> {
  const { api, pool, isStopped } = input;
  console.log(
    `  the scene starts when a page connects (or in ${Math.round(input.pageWaitMs / 1000)} s): open the URL above`,
  );
  await poll(
    async () => (((await api('GET', '/api/health')).websocketClients as number) > 0 ? true : undefined),
    isStopped,
    input.pageWaitMs,
  );
  if (isStopped()) return undefined;

  console.log(`  ${paint('cyan', 'you →')} ${input.scene.chat}`);
  const sent = (await api('POST', '/api/orchestrator/messages', { message: input.scene.chat })) as {
    message: { id: string };
  };
  const chatStatus = await poll(async () => {
    const { rows } = await pool.query<{ status: string }>(
      'select status from orchestrator_chat where id = $1',
      [sent.message.id],
    );
    const status = rows[0]?.status;
    return status && !['queued', 'running'].includes(status) ? status : undefined;
  }, isStopped);
  if (chatStatus === undefined) return undefined;
  console.log(
    `  ${paint('cyan', 'orchestrator')} ${chatStatus === 'done' ? 'created scribe, which wrote NOTES.md' : `ended ${chatStatus}`}`,
  );

  console.log(`  ${paint('cyan', 'you →')} ${input.scene.adw}`);
  const started = (await api('POST', '/api/orchestrator/messages', { message: input.scene.adw })) as {
    adwId?: string;
  };
  if (!started.adwId) throw new Error('the chat did not start the scene’s ADW');
  const adwId = started.adwId;
  console.log(`  ADW ${adwId} · plan_build_review_fix (scripted): watch its swimlanes (Ctrl+J in the page)`);
  const adwStatus = await poll(async () => {
    const row = await getAdw(pool, adwId);
    return row && terminalAdw.has(row.status) ? row.status : undefined;
  }, isStopped);
  return adwStatus === undefined ? undefined : { adwStatus };
}

/** The desktop's own opener with the URL as its one argument; when there is none, the URL is printed anyway. */
function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () =>
    console.log(paint('dim', `  (could not run ${opener}: open the URL above yourself)`)),
  );
  child.unref();
}
