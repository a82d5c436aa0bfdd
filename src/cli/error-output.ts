import { paint } from './terminal.ts';

/** The one prefix of every error baton prints, its own and commander's: `baton: error: …`. */
export const errorPrefix = 'baton: error: ';

/** Prints an error on stderr with the prefix, whatever the command and whether or not it has `--json`. */
export function printError(message: string): void {
  process.stderr.write(`${paint('red', errorPrefix.trimEnd(), process.stderr)} ${message}\n`);
}
