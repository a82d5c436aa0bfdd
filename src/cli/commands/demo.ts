import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { modelAliases } from '../../agent/models.ts';
import { startServices } from '../../orchestrator/services.ts';
import { ExitCode } from '../exit-codes.ts';
import { outcomeJson, printSummary } from '../run-output.ts';
import { eventLine, isShownLive, paint } from '../terminal.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'watch a scripted agent change a sample repository: no API key needed (a fake model plays the turns)',
    )
    .option('--json', 'print one JSON object with the outcome instead of live progress')
    .action(async (options: { json?: boolean }) => {
      process.exitCode = await demo(options);
    });
}

async function demo(options: { json?: boolean }): Promise<number> {
  // Loaded only here: the demo's model is baton's fake model server playing a script.
  const { startFakeModelServer } = await import('../../testing/fake-model-server/index.ts');
  const { createSampleRepository } = await import('../../demo/sample-repo.ts');
  const { demoAgentScript } = await import('../../demo/scripted-model.ts');

  const config = loadConfig();
  const say = (line: string) => {
    if (!options.json) console.log(line);
  };
  say(
    paint(
      'yellow',
      '▶ baton demo (scripted): a fake model server plays prerecorded turns; the agent is real',
    ),
  );
  say(
    paint(
      'yellow',
      '  Claude Code, and its reads, edits and shell commands really happen in a sample repository.',
    ),
  );
  const dir = await createSampleRepository(join(config.home, 'demo'));
  const server = await startFakeModelServer({ script: demoAgentScript(dir) });
  // The scripted model replaces any real credentials: the demo never calls a real model.
  const services = await startServices(
    { ...config, credentials: { baseUrl: server.url } },
    { log: (line) => say(paint('dim', line)) },
  );
  try {
    say(`  repository: ${dir}`);
    say(`  ledger:     ${services.db.description}\n`);
    const started = Date.now();
    const run = await services.runner.start({
      prompt: '[scripted demo] Add a farewell(name) function to greet.js, with a test, and run the tests.',
      cwd: dir,
      model: modelAliases.sonnet,
      agentName: `demo-scripted-${started}`,
      author: 'engineer',
      onEvent: (event) => {
        if (!options.json && isShownLive(event)) console.log(eventLine(event, Date.now() - started));
      },
    });
    const { run: row, result } = await run.done;
    server.assertComplete();
    if (options.json) {
      console.log(JSON.stringify({ scripted: true, repository: dir, ...outcomeJson(row, result) }, null, 2));
    } else {
      printSummary(row, result);
      console.log(`\n  See what the agent changed: git -C ${dir} diff`);
      console.log(`  Replay its events:          baton events tail --run ${row.id} --from-seq 0`);
      console.log(
        paint(
          'dim',
          '  With ANTHROPIC_API_KEY set, `baton agent run "<prompt>" --cwd DIR` does the same with Claude.',
        ),
      );
    }
    return row.status === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
  } finally {
    await services.close();
    await server.close();
  }
}
