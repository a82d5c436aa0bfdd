import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/errors.ts';
import { registerAdw } from './commands/adw.ts';
import { registerAgentRun } from './commands/agent-run.ts';
import { registerAgents } from './commands/agents.ts';
import { registerDb } from './commands/db.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDev } from './commands/dev.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEventsTail } from './commands/events-tail.ts';
import { registerLogsAndCost } from './commands/logs.ts';
import { registerServe } from './commands/serve.ts';
import { registerUp } from './commands/up.ts';
import { registerWorker } from './commands/worker.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';

const program = new Command('baton')
  .description('a self-hosted control room for AI coding agents')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerDemo(program);
registerUp(program);
registerServe(program);
registerDb(program);
registerAgentRun(program);
registerAgents(program);
registerAdw(program);
registerWorker(program);
registerEventsTail(program);
registerLogsAndCost(program);
registerDoctor(program);
registerDev(program);

try {
  await program.parseAsync(process.argv);
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
