import type { Command } from 'commander';
import { hasModelAccess, loadConfig } from '../../config/index.ts';
import { startServices } from '../../services/services.ts';
import { startHttpServer } from '../server-options.ts';
import { paint } from '../terminal.ts';
import { untilStopped } from '../signals.ts';
import { withExamples } from '../help-text.ts';
import { positiveInteger } from '../parse-options.ts';

interface NileFlags {
  host?: string;
  port?: number;
  model?: string;
  scripted?: boolean;
}

export function registerExample(program: Command): void {
  const example = program
    .command('example')
    .description('run an example application on baton (Nile: a shop whose home page an agent personalises)');
  const nile = example
    .command('nile')
    .description(
      "start baton's server with Nile mounted (migrated and seeded): a shop whose home page an agent builds from what each shopper does; scripted without model credentials; Ctrl-C stops",
    )
    .option('--host <address>', 'loopback address to bind (default: BATON_HOST or 127.0.0.1)')
    .option('--port <n>', 'port (default: BATON_PORT or 4747; 0 picks a free one)', portNumber)
    .option('--model <model>', "the home-page agent's model (default: haiku)")
    .option('--scripted', 'use the scripted model even when model credentials are configured')
    .action(async (flags: NileFlags) => {
      await runNile(flags);
    });
  const examples = ['baton example nile', 'baton example nile --port 0', 'baton example nile --scripted'];
  withExamples(example, examples);
  withExamples(nile, examples);
}

function portNumber(value: string): number {
  return value === '0' ? 0 : positiveInteger(value);
}

/**
 * baton as `baton up` starts it (embedded PostgreSQL unless DATABASE_URL), with Nile's routes and
 * socket mounted. Without model credentials (or with --scripted) the home-page agent's model is
 * baton's fake model server playing Nile's script, and the output says so.
 */
async function runNile(flags: NileFlags): Promise<void> {
  const config = loadConfig();
  const scripted = flags.scripted === true || !hasModelAccess(config.credentials);
  const { nileExtension } = await import('../../../examples/nile/server/extension.ts');
  const { loadNilePages, nilePagesExtension } = await import('../../../examples/nile/server/pages.ts');
  const pages = await loadNilePages();
  if (!pages)
    console.error(
      paint(
        'yellow',
        "warning: Nile's pages are not built: run `npm run build:nile` to serve them",
        process.stderr,
      ),
    );
  let fakeModel: { url: string; close(): Promise<void> } | undefined;
  if (scripted) {
    // Loaded only here: the scripted model is baton's fake model server with Nile's responder.
    const { startFakeModelServer } = await import('../../testing/fake-model-server/index.ts');
    const { nileScriptedResponder } = await import('../../../examples/nile/server/scripted-model.ts');
    fakeModel = await startFakeModelServer({ respond: nileScriptedResponder });
  }
  const log = (line: string) => console.log(paint('dim', line));
  const services = await startServices(
    fakeModel
      ? {
          ...config,
          credentials: { baseUrl: fakeModel.url },
          summaries: { ...config.summaries, enabled: false },
        }
      : config,
    { longLived: true, log },
  );
  try {
    const server = await startHttpServer(
      services,
      config,
      { cwd: '.', host: flags.host, port: flags.port },
      undefined,
      {
        extensions: [
          nileExtension({ services, model: flags.model, scripted, log }),
          nilePagesExtension(pages),
        ],
      },
    );
    console.log(
      `${paint('green', '✓')} Nile is up${scripted ? ' (scripted model: a fake model server plays the turns)' : ''}`,
    );
    console.log(`  shop         ${server.origin}/nile/?token=${server.token}`);
    console.log(`  control room ${server.url}`);
    console.log(`  database     ${services.db.description}`);
    console.log(
      paint('dim', '  each home page is a recorded agent run (nile-home-<shopper>) in the control room'),
    );
    await untilStopped();
    console.log('stopping…');
    await server.close();
  } finally {
    await services.close();
    await fakeModel?.close();
  }
}
