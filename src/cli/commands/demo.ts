import { join } from 'node:path';
import type { Command } from 'commander';
import { ensureBatonHome, loadConfig } from '../../config/index.ts';
import { startAdwWorker } from '../../services/adws/adw-worker.ts';
import { startServices } from '../../services/services.ts';
import { followAdw } from '../adw-live-view.ts';
import { adwJson, printAdwSummary } from '../adw-output.ts';
import { ExitCode } from '../exit-codes.ts';
import { paint } from '../terminal.ts';
import { withExamples } from '../help-text.ts';
import { positiveInteger } from '../parse-options.ts';
import { UserError } from '../../core/errors.ts';

interface DemoFlags {
  json?: boolean;
  ui?: boolean;
  port?: number;
  host?: string;
  open?: boolean;
}

function portNumber(value: string): number {
  return value === '0' ? 0 : positiveInteger(value);
}
import { withInvocation } from '../invocation.ts';

export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .description('watch a scripted plan → build → review → fix on a sample repository: no API key needed')
    .option('--json', 'print one JSON object with the outcome instead of the live view')
    .option(
      '--ui',
      'serve the web UI and play the scene in the browser: a chat that creates and commands an agent, then an ADW (scripted, labelled so)',
    )
    .option('--port <n>', 'with --ui: the port to serve on (default: any free one)', portNumber)
    .option('--host <address>', 'with --ui: the loopback address to bind (default: BATON_HOST or 127.0.0.1)')
    .option('--open', "with --ui: open the URL in the desktop's browser")
    .action(async (options: DemoFlags) => {
      if (options.ui) {
        if (options.json)
          throw new UserError('--json and --ui: choose one (--json is for the terminal demo).');
        const { demoUi } = await import('../demo-ui.ts');
        process.exitCode = await demoUi(options);
        return;
      }
      for (const flag of ['port', 'host', 'open'] as const)
        if (options[flag] !== undefined)
          throw new UserError(`--${flag} is for the web UI demo: add --ui (baton demo --ui --${flag} …).`);
      process.exitCode = await demo(options);
    });
  withExamples(command, [
    'baton demo --ui',
    'baton demo --ui --port 4800 --open',
    'baton demo',
    'baton demo --json',
  ]);
}

/**
 * The whole ADW flow on a fresh machine: a sample git repository, real Claude Code agents, the real
 * queue and ledger, and baton's fake model server playing a scripted model (labelled as such) whose
 * review finds a BLOCKER that the fix step then fixes.
 */
async function demo(options: { json?: boolean }): Promise<number> {
  // Loaded only here: the demo's model is baton's fake model server playing a script.
  const { startFakeModelServer } = await import('../../testing/fake-model-server/index.ts');
  const { createSampleRepository } = await import('../../demo/sample-repo.ts');
  const { adwScript } = await import('../../demo/adw-script.ts');

  const config = loadConfig();
  await ensureBatonHome(config.home); // before the sample repository is written inside it
  const say = (line: string) => {
    if (!options.json) console.log(line);
  };
  say(
    paint(
      'yellow',
      '▶ baton demo (scripted): a fake model server plays prerecorded turns. The agents are real Claude',
    ),
  );
  say(
    paint(
      'yellow',
      '  Code, and their reads, edits and shell commands really happen, in a worktree of a sample repository.',
    ),
  );
  const repository = await createSampleRepository(join(config.home, 'demo'));
  const server = await startFakeModelServer({ script: adwScript({ verdict: 'FAIL' }) });
  // The scripted model replaces any real credentials: the demo never calls a real model.
  const services = await startServices(
    { ...config, credentials: { baseUrl: server.url }, summaries: { ...config.summaries, enabled: false } },
    { log: (line) => say(paint('dim', line)) },
  );
  try {
    const worker = await startAdwWorker(services, { concurrency: 1 });
    try {
      const adws = await services.adws();
      const started = await adws.start({
        workflow: 'plan_build_review_fix',
        prompt: 'Add a farewell(name) function to greet.js, with a test',
        cwd: repository,
        name: `demo-scripted-${Date.now()}`,
        description: 'scripted demo: a fake model server plays the turns',
      });
      say(`  repository: ${repository}`);
      say(`  ledger:     ${services.db.description}`);
      say(`  ADW ${started.id} · ${started.workflow} (scripted)\n`);
      const { row, steps } = await followAdw(services, started.id, { live: !options.json });
      if (options.json) {
        console.log(JSON.stringify({ scripted: true, repository, ...adwJson(row, steps) }, null, 2));
      } else {
        printAdwSummary(row, steps);
        console.log(
          `\n  The review (scripted) found a BLOCKER and the fix step fixed it. See the work: git -C ${row.worktree_path} log -p -1`,
        );
        console.log(
          paint(
            'dim',
            withInvocation(
              '  With ANTHROPIC_API_KEY set, `baton adw run plan_build_review_fix "<prompt>" --cwd DIR` does this with Claude.',
            ),
          ),
        );
      }
      server.assertComplete();
      return row.status === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
    } finally {
      await worker.stop();
    }
  } finally {
    await services.close();
    await server.close();
  }
}
