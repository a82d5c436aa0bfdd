import { availableParallelism, totalmem } from 'node:os';

/** Memory counted per Claude Code process: ~200 MB RSS measured, plus headroom for the tools it runs. */
const bytesPerAgent = 256 * 2 ** 20;

/**
 * How many Claude Code processes a host runs at once unless BATON_MAX_AGENTS says otherwise.
 *
 * CPU: a process costs ~1.5 CPU-seconds to start and ~0.7 per further turn. Against an instant model
 * it is busy the whole time, so past about one process per core more of them only share the same cores
 * (20 four-turn agents at once took 1.5–1.8× the CPU-ideal). Against a real model a turn mostly waits
 * seconds for the API, so one per core would leave the cores idle. Two per core keeps them busy with a
 * real model and costs little when every turn is instant (docs/benchmarks.md, bench:agent).
 *
 * Memory: half the machine for agents, 256 MiB each.
 */
export function defaultMaxAgents(
  cores: number = availableParallelism(),
  memoryBytes: number = totalmem(),
): number {
  return Math.max(1, Math.min(2 * cores, Math.floor(memoryBytes / 2 / bytesPerAgent)));
}
