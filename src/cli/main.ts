import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/errors.ts';
import { commandIndex, commandToRun } from './command-index.ts';
import { errorPrefix, printError } from './error-output.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';
import { addHelpFooters } from './help-text.ts';
import { exitOnInterrupt, wasInterrupted } from './signals.ts';

const program = new Command('baton')
  .description('a self-hosted control room for AI coding agents')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  // commander's own messages ("error: unknown option …") get baton's prefix too; subcommands inherit it.
  .configureOutput({
    outputError: (message, write) => write(message.replace(/^error: /, errorPrefix)),
  })
  .exitOverride();

const args = process.argv.slice(2);
exitOnInterrupt();

try {
  const command = commandToRun(args);
  if (command) {
    (await command.load())(program);
  } else {
    // Only the names and summaries, for the help text and for "unknown command" suggestions.
    for (const entry of commandIndex) program.command(entry.name).description(entry.summary);
  }
  addHelpFooters(program);
  if (args.length === 0) program.outputHelp();
  else await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has already printed the problem (or the help text).
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else if (isAppError(error)) {
    printError(error.message);
    process.exitCode = exitCodeFor(error.code);
  } else {
    printError(
      `unexpected error (a bug): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = ExitCode.internal;
  }
}
// However the command ended, Ctrl-C is what stopped it: the documented code, the one npx gives as well.
if (wasInterrupted()) process.exitCode = ExitCode.interrupted;
