import { availableParallelism, totalmem } from 'node:os';

/** Memory counted per Claude Code process: ~200 MB RSS measured, plus headroom for the tools it runs. */
const bytesPerAgent = 256 * 2 ** 20;

/**
 * How many Claude Code processes a host runs at once unless BATON_MAX_AGENTS says otherwise: one per
 * core, and no more than half the memory holds at 256 MiB each; at least one.
 *
 * CPU: a process costs ~0.7 CPU-seconds for a four-turn run against an instant model (earlier builds:
 * ~1.5 to start, ~0.7 a turn) and is busy the whole time, single-threaded. More processes than cores
 * only share the same cores and each costs more: in bench:agent, 20 runs with one slot per core took
 * ~1.0 CPU-s a run, with two per core ~1.2–1.3 CPU-s and 20–40 % more wall time (docs/benchmarks.md).
 * With a real model a turn waits seconds for the API, so a host with cores to spare can raise the limit.
 *
 * Memory: ~200 MB RSS each (less as PSS: the binary's pages are shared); half the machine for agents.
 */
export function defaultMaxAgents(
  cores: number = availableParallelism(),
  memoryBytes: number = totalmem(),
): number {
  return Math.max(1, Math.min(cores, Math.floor(memoryBytes / 2 / bytesPerAgent)));
}
