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

const durationUnits: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A duration such as `7d`, `12h`, `30m`, `90s`, `2w` or `0`, in milliseconds. */
export function duration(value: string): number {
  const match = /^(\d{1,6})([smhdw])?$/.exec(value.trim());
  if (!match || (match[2] === undefined && match[1] !== '0')) {
    throw new InvalidArgumentError(`expected a duration such as 7d, 12h, 30m, 90s or 0, got "${value}".`);
  }
  return Number(match[1]) * durationUnits[match[2] ?? 's']!;
}
