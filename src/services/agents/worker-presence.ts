import { hostname } from 'node:os';
import type { WarmPool } from '../../agent/warm-pool.ts';
import { newId } from '../../core/ids.ts';
import {
  beat,
  clearWarmAgent,
  deletedAgents,
  isWorkerAlive,
  registerWorker,
  setWarmAgent,
  unregisterWorker,
  warmHolder,
} from '../../db/command-workers.ts';
import type { Pool } from '../../db/pool.ts';

export interface WorkerPresenceOptions {
  /** How often the worker says it is alive. @default 2000 */
  heartbeatMs?: number;
  /** A worker silent this long is dead: its commands and warm agents are taken over. @default 10000 */
  staleMs?: number;
}

/**
 * A command worker as the other workers see it: a row with a heartbeat (so they can tell it is alive),
 * and the agents whose Claude Code process it keeps warm (so they leave those agents' next commands to
 * it). Each beat also closes the warm processes of agents deleted meanwhile (a missed notification).
 */
export async function startWorkerPresence(
  pool: Pool,
  warm: WarmPool | undefined,
  options: WorkerPresenceOptions & {
    log?: (line: string) => void;
    /** Called on each beat with the agents kept warm here, to pick up commands whose notice was missed. */
    onBeat?: (warmAgents: string[]) => void;
  } = {},
) {
  const id = newId();
  const heartbeatMs = options.heartbeatMs ?? 2_000;
  const staleMs = options.staleMs ?? 10_000;
  const log = options.log ?? (() => {});
  await registerWorker(pool, { id, host: hostname(), pid: process.pid }, staleMs);
  let stopped = false;

  // Writes in the order they happen, so a process kept and closed at once leaves no row behind.
  let writes = Promise.resolve();
  const write = (work: () => Promise<unknown>) => {
    writes = writes.then(work).then(
      () => {},
      (error: unknown) => log(`worker: could not record a warm process: ${String(error)}`),
    );
  };
  const unlisten = warm?.listen((change) => {
    if (stopped) return;
    if (change.state === 'kept') write(() => setWarmAgent(pool, change.key, id));
    else if (change.state === 'closed') write(() => clearWarmAgent(pool, change.key, id));
  });

  const timer = setInterval(() => {
    void (async () => {
      if (stopped) return;
      if (!(await beat(pool, id).catch(() => true))) {
        // Judged dead and cleaned up while it could not beat: it is back, so it says so again.
        await registerWorker(pool, { id, host: hostname(), pid: process.pid }, staleMs).catch(() => {});
      }
      const kept = warm?.keys() ?? [];
      for (const agentId of await deletedAgents(pool, kept).catch(() => [])) void warm?.close(agentId);
      options.onBeat?.(kept);
    })();
  }, heartbeatMs);
  timer.unref();

  return {
    id,
    staleMs,
    /** Whether `workerId` (another worker) is alive. */
    isAlive: (workerId: string) => isWorkerAlive(pool, workerId, staleMs),
    /** The live worker other than this one that keeps the agent's process warm, if any. */
    async holderElsewhere(agentId: string): Promise<string | undefined> {
      const holder = await warmHolder(pool, agentId, staleMs);
      return holder === id ? undefined : holder;
    },
    /** Leaves: the row goes, and with it this worker's warm agents. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      unlisten?.();
      await writes;
      await unregisterWorker(pool, id).catch(() => {});
    },
  };
}

export type WorkerPresence = Awaited<ReturnType<typeof startWorkerPresence>>;
