import { plural } from '../../core/plural.ts';
import type { Command } from 'commander';
import { positiveInteger } from '../parse-options.ts';
import { untilStopped } from '../signals.ts';
import { withExamples } from '../help-text.ts';
import { baton } from '../invocation.ts';

export function registerDev(program: Command): void {
  const dev = program.command('dev').description('tools for developing with baton');
  const fakeModel = dev
    .command('fake-model')
    .description('serve the Anthropic Messages API from a script of turns (JSON), for offline agent runs')
    .requiredOption(
      '--script <file>',
      'the script: {"turns": [...]} (see src/testing/fake-model-server/script.ts)',
    )
    .option('--port <n>', 'port to listen on (default: any free port)', positiveInteger)
    .action(async (options: { script: string; port?: number }) => {
      // Loaded only here: the fake server is a development tool, not part of baton's runtime.
      const { runFakeModelServerFromFile } = await import('../../testing/fake-model-server/index.ts');
      const server = await runFakeModelServerFromFile(options.script, {
        port: options.port,
        log: (line) => console.log(line),
      });
      console.log(`fake model server on ${server.url}`);
      console.log(`use it with: ANTHROPIC_BASE_URL=${server.url} ${baton()} agent run "..." --cwd DIR`);
      await untilStopped();
      await server.close();
      const left = server.remainingTurns().length;
      if (server.failures.length || left) {
        console.log(
          `script incomplete: ${plural(left, 'turn')} unused, ${plural(server.failures.length, 'unexpected request')}`,
        );
        process.exitCode = 1;
      }
    });
  const examples = [
    'baton dev fake-model --script turns.json',
    'baton dev fake-model --script turns.json --port 8787',
  ];
  withExamples(dev, examples);
  withExamples(fakeModel, examples);
}
