import { withInvocation } from './invocation.ts';
import { paint } from './terminal.ts';

/** The one prefix of every error baton prints, its own and commander's: `baton: error: …`. */
export const errorPrefix = 'baton: error: ';

/**
 * Prints an error on stderr with the prefix, whatever the command and whether or not it has `--json`;
 * the commands it suggests (`` `baton …` ``) in the form that works here (invocation.ts).
 */
export function printError(message: string): void {
  process.stderr.write(`${paint('red', errorPrefix.trimEnd(), process.stderr)} ${withInvocation(message)}\n`);
}
