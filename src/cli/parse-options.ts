import { InvalidArgumentError } from 'commander';
import { countProblem, usdProblem } from '../core/limits.ts';

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

export function uuid(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new InvalidArgumentError(
      `expected an id like 0b5e8f3c-1d2a-4c3b-9f8e-7a6b5c4d3e2f, got "${value}".`,
    );
  }
  return value.toLowerCase();
}
