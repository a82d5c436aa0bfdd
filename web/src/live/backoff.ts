/**
 * How long to wait before reconnect attempt `attempt` (0 = the first retry): exponential from `baseMs`
 * up to `maxMs`, with full jitter so that many pages reopened by one server restart do not knock at once.
 */
export function backoffDelay(
  attempt: number,
  options: { baseMs: number; maxMs: number; random?: () => number },
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 20));
  const random = options.random ?? Math.random;
  // Never quite zero: half the ceiling is fixed, the other half is the jitter.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
