import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/errors.ts';
import { commandIndex, commandToRun } from './command-index.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';

const program = new Command('baton')
  .description('a self-hosted control room for AI coding agents')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const args = process.argv.slice(2);

try {
  const command = commandToRun(args);
  if (command) {
    (await command.load())(program);
  } else {
    // Only the names and summaries, for the help text and for "unknown command" suggestions.
    for (const entry of commandIndex) program.command(entry.name).description(entry.summary);
  }
  if (args.length === 0) program.outputHelp();
  else await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has already printed the problem (or the help text).
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else if (isAppError(error)) {
    process.stderr.write(`baton: ${error.message}\n`);
    process.exitCode = exitCodeFor(error.code);
  } else {
    process.stderr.write(
      `baton: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = ExitCode.internal;
  }
}
