import { describeError } from '../../core/errors.ts';
import { shortId } from '../../core/ids.ts';
import { adwsWithOpenSteps, lockAdw } from '../../db/adws.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import { nextPending } from '../../workflow/engine.ts';
import { parseAdwState } from '../../workflow/state.ts';
import type { AdwState, StepRun } from '../../workflow/types.ts';
import { applyLocked } from './apply-transition.ts';
import { unrecordedStepCost } from './step-cost.ts';
import type { StepQueue } from './step-queue.ts';

export interface ReconcilerDeps {
  pool: Pool;
  queue: StepQueue;
  log?: (line: string) => void;
}

/** What reconciling one ADW found. */
export type Reconciled = 'settled' | 'working' | 'nothing_open';

/**
 * The safety net under the step queue. Every way a step's job can end — completed, failed, expired,
 * delivered too often, cancelled, deleted — without the step reporting an outcome would leave its ADW
 * `running` forever. The reconciler finds each open step run (running, or dispatched and due) whose
 * current dispatch has no live job and tells the engine (`step.lost`): the step is dispatched again while
 * it has retries, else it fails; a cancelled ADW's step ends as cancelled.
 */
export function createReconciler(deps: ReconcilerDeps) {
  const log = deps.log ?? (() => {});
  const transitions = { pool: deps.pool, queue: deps.queue };

  async function reconcileAdw(adwId: string): Promise<Reconciled> {
    return inTransaction(deps.pool, async (client) => {
      const row = await lockAdw(client, adwId);
      if (!row) return 'nothing_open';
      const state = parseAdwState(row.state);
      const open = openRun(state);
      if (!open) return 'nothing_open';
      const job = { adwId, index: open.index, dispatch: open.dispatch };
      // Read in this transaction, under the ADW's lock: an outcome committed before it is in `state`.
      const found = await deps.queue.jobState(job, client);
      if (found.state === 'live') return 'working';
      const reason =
        found.state === 'missing'
          ? `its job (dispatch ${open.dispatch}) is not in the queue`
          : `its job (dispatch ${open.dispatch}) ended in the queue without an outcome (${found.detail})`;
      await applyLocked(transitions, client, row, {
        type: 'step.lost',
        index: open.index,
        dispatch: open.dispatch,
        reason,
        costUsd: await unrecordedStepCost(client, adwId, state, open.index),
        at: new Date().toISOString(),
      });
      log(`adw ${shortId(adwId)} step ${open.name}: ${reason}; settled`);
      return 'settled';
    });
  }

  return {
    reconcileAdw,
    /** Reconciles every ADW that may have an open step; returns how many were settled. */
    async reconcileAll(): Promise<number> {
      let settled = 0;
      for (const id of await adwsWithOpenSteps(deps.pool)) {
        try {
          if ((await reconcileAdw(id)) === 'settled') settled += 1;
        } catch (error) {
          log(`adw ${shortId(id)}: reconciling failed: ${describeError(error)}`);
        }
      }
      return settled;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;

/** The step run that a job should be working on now: the running one, or the dispatched pending one. */
function openRun(state: AdwState): StepRun | undefined {
  const running = state.steps.find((run) => run.status === 'running');
  if (running) return running;
  if (state.status !== 'running') return undefined;
  const due = nextPending(state);
  return due && due.dispatch > 0 ? due : undefined;
}
