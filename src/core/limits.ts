/**
 * The ranges the ledger's columns can hold. Input is checked against them before anything is recorded,
 * so a value that would overflow a column (or round to zero in it) is refused with a clear message
 * instead of failing half-way through.
 */
export const ledgerLimits = Object.freeze({
  /** USD amounts: numeric(14, 6) keeps 8 digits before the point and 6 after. */
  usd: Object.freeze({ min: 0.000001, max: 99_999_999 }),
  /** Counts (turns, rounds, retries): a PostgreSQL integer. */
  count: Object.freeze({ max: 2_147_483_647 }),
});

/** Why `value` cannot be stored as a USD amount, or undefined when it can. */
export function usdProblem(value: number): string | undefined {
  if (!Number.isFinite(value) || value <= 0) return `expected a positive amount in USD, got ${value}`;
  if (value < ledgerLimits.usd.min)
    return `the smallest amount baton records is $${ledgerLimits.usd.min}, got ${value}`;
  if (value > ledgerLimits.usd.max)
    return `the largest amount baton records is $${ledgerLimits.usd.max}, got ${value}`;
  return undefined;
}

/** Why `value` cannot be stored as a count of at least `min`, or undefined when it can. */
export function countProblem(value: number, min = 1): string | undefined {
  if (!Number.isInteger(value) || value < min)
    return `expected a whole number of at least ${min}, got ${value}`;
  if (value > ledgerLimits.count.max)
    return `the largest count baton records is ${ledgerLimits.count.max}, got ${value}`;
  return undefined;
}
