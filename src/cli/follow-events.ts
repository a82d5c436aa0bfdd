import { setTimeout as sleep } from 'node:timers/promises';
import type { LedgerEvent } from '../core/events.ts';
import { getAdw, listSteps } from '../db/adws.ts';
import { latestSeq, type EventFilter } from '../db/events.ts';
import type { Queryable } from '../db/pool.ts';
import { getRun } from '../db/runs.ts';
import { isTransientDatabaseError } from '../db/transient.ts';
import type { Services } from '../services/services.ts';
import { ExitCode } from './exit-codes.ts';
import { stopSignal } from './signals.ts';

/** What a follow waits for the end of: an ADW or an agent run. Without one it follows until Ctrl-C. */
export type FollowTarget = { kind: 'adw'; id: string } | { kind: 'run'; id: string };

export interface FollowOptions {
  filter: EventFilter;
  fromSeq: number;
  /**
   * `false`: print what is recorded now and return (a listing for scripts). `true`: go on printing new
   * events until the target ends (then what it recorded until then is printed), or until Ctrl-C.
   */
  follow: boolean;
  target?: FollowTarget;
}

// How often the target's row is read to learn whether it ended; its events arrive as they are recorded.
const pollMs = 500;
// As long as a worker waits for a database that went away (see EventWriter and the ADW live view).
const maxOutageMs = 120_000;

/**
 * Prints the events matching `filter` after `fromSeq` in order, and follows as `options` says. Returns
 * the exit code: 0, or for a followed target its outcome (0 when the ADW or run succeeded, 1 when it
 * failed, was cancelled, interrupted, paused or ran out of budget), or 130 after Ctrl-C.
 */
export async function printEvents(
  services: Services,
  options: FollowOptions,
  print: (event: LedgerEvent) => void,
): Promise<number> {
  const pool = services.db.pool;
  const subscription = await services
    .bus()
    .subscribe({ fromSeq: options.fromSeq, filter: options.filter }, print);
  const stop = options.follow ? stopSignal() : undefined;
  const abort = new AbortController();
  // Ctrl-C: 130; SIGTERM from a supervisor: 143 (128 + the signal's number, as a shell reports it).
  let stoppedCode: number = ExitCode.interrupted;
  void stop?.stopped.then((signal) => {
    if (signal === 'SIGTERM') stoppedCode = 143;
    abort.abort();
  });
  try {
    let code: number = ExitCode.ok;
    if (options.follow) {
      if (!options.target) {
        await stop!.stopped;
        return stoppedCode;
      }
      const outcome = await ended(pool, options.target, abort.signal);
      if (outcome === undefined) return stoppedCode;
      code = outcome;
    }
    // Everything recorded until now (until the end, for a target that ended) is printed before returning.
    const last = await latestSeq(pool, options.filter);
    while (subscription.lastSeq < last && !abort.signal.aborted) await sleep(50);
    return abort.signal.aborted ? stoppedCode : code;
  } finally {
    stop?.remove();
    subscription.close();
  }
}

/** Resolves with the target's exit code once it has ended, or undefined when `signal` aborts first. */
async function ended(db: Queryable, target: FollowTarget, signal: AbortSignal): Promise<number | undefined> {
  for (let unreachableSince: number | undefined; !signal.aborted;) {
    try {
      const outcome = await outcomeOf(db, target);
      unreachableSince = undefined;
      if (outcome !== undefined) return outcome;
    } catch (error) {
      // A database restart is ridden out, as a worker does; only an outage past the limit ends the follow.
      if (!isTransientDatabaseError(error)) throw error;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > maxOutageMs) throw error;
    }
    await sleep(pollMs, undefined, { signal }).catch(() => {});
  }
  return undefined;
}

/** The exit code of an ADW or run that has ended; undefined while it goes on. */
async function outcomeOf(db: Queryable, target: FollowTarget): Promise<number | undefined> {
  if (target.kind === 'run') {
    const run = await getRun(db, target.id);
    if (!run || run.status === 'running') return undefined;
    return run.status === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
  }
  const adw = await getAdw(db, target.id);
  // An ADW waits for a worker (pending, running) or for someone to resume it (paused): a follow ends at
  // a pause as `adw run` does. A cancelled ADW's step may still be stopping: its last events come first.
  if (!adw || adw.status === 'pending' || adw.status === 'running') return undefined;
  if ((await listSteps(db, target.id)).some((step) => step.status === 'running')) return undefined;
  return adw.status === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
}
