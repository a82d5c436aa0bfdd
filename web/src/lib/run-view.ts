/** How a run's numbers read in the agent detail view. */

/** 850 ms, 12.3 s, 4 m 05 s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1_000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}

/** A run still going has no duration yet: the time since it started, as of `now`. */
export function runDuration(
  run: { duration_ms: number | null; started_at: string; ended_at: string | null },
  now: number,
): number | undefined {
  if (run.duration_ms !== null) return run.duration_ms;
  const started = Date.parse(run.started_at);
  if (Number.isNaN(started)) return undefined;
  const ended = run.ended_at ? Date.parse(run.ended_at) : now;
  return Math.max(0, ended - started);
}

export function formatUsd(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}
