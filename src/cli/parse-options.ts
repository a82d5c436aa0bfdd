import { InvalidArgumentError } from 'commander';
import { countProblem, usdProblem } from '../core/limits.ts';
import { isIdPrefix, minimumPrefixDigits } from '../db/id-prefix.ts';

/** commander argument parsers that explain what is wrong with a value. */

/** An amount in USD the ledger can hold (see core/limits.ts). */
export function usdAmount(value: string): number {
  const parsed = value.trim() === '' ? Number.NaN : Number(value);
  const problem = usdProblem(parsed);
  if (problem) throw new InvalidArgumentError(`${problem.replace(/, got .*$/, '')}, got "${value}".`);
  return parsed;
}

export function positiveInteger(value: string): number {
  return count(value, 1);
}

export function nonNegativeInteger(value: string): number {
  return count(value, 0);
}

function count(value: string, min: number): number {
  const parsed = value.trim() === '' ? Number.NaN : Number(value);
  const problem = countProblem(parsed, min);
  if (problem) throw new InvalidArgumentError(`${problem.replace(/, got .*$/, '')}, got "${value}".`);
  return parsed;
}

/** A path that is not empty (an empty `--cwd ""` would silently mean the current directory). */
export function nonEmptyPath(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a directory, got an empty value.');
  return value;
}

/**
 * An id or any prefix of one with at least 4 hex digits (`acc0c3e6`, as `ls` shows them). Only its shape is
 * checked here; the command resolves it against the ledger with db/id-prefix.ts, which says when it is
 * unknown or ambiguous.
 */
export function idPrefix(value: string): string {
  if (!isIdPrefix(value)) {
    throw new InvalidArgumentError(
      `expected an id or its first ${minimumPrefixDigits}+ characters, like 0b5e8f3c, got "${value}".`,
    );
  }
  return value.toLowerCase();
}
