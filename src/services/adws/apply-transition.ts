import { NotFoundError, describeError } from '../../core/errors.ts';
import { shortId } from '../../core/ids.ts';
import { lockAdw, saveAdwState, type AdwRow } from '../../db/adws.ts';
import { publishControl } from '../../db/event-bus.ts';
import { insertEvents } from '../../db/events.ts';
import { inTransaction, type Pool, type PoolClient } from '../../db/pool.ts';
import { advance } from '../../workflow/engine.ts';
import { parseAdwState } from '../../workflow/state.ts';
import type { AdwEvent, Transition } from '../../workflow/types.ts';
import { adwOutputs } from './outputs.ts';
import type { StepQueue } from './step-queue.ts';
import { stepJobOptions } from './step-settings.ts';
import { transitionEvents } from './transition-events.ts';
import { commitWorkspace } from './workspace.ts';

export interface TransitionDeps {
  pool: Pool;
  queue: StepQueue;
}

/**
 * Feeds one event to the engine and commits everything it decided in one transaction, with the ADW row
 * locked: the new state and its columns, the events that describe the change, the next step's job, and a
 * stop request for a running step. A finished step and its successor are recorded together or not at all.
 */
export async function applyTransition(
  deps: TransitionDeps,
  adwId: string,
  event: AdwEvent,
  within?: (client: PoolClient, row: AdwRow) => Promise<void>,
): Promise<Transition & { row: AdwRow }> {
  return inTransaction(deps.pool, async (client) => {
    const row = await lockAdw(client, adwId);
    if (!row) throw new NotFoundError(`No ADW ${adwId}: list them with \`baton adw ls\`.`);
    await within?.(client, row);
    const transition = await applyLocked(deps, client, row, event);
    return { ...transition, row };
  });
}

/** The same, for a caller that already holds the row's lock inside its own transaction. */
export async function applyLocked(
  deps: TransitionDeps,
  client: PoolClient,
  row: AdwRow,
  event: AdwEvent,
): Promise<Transition> {
  const before = parseAdwState(row.state);
  const transition = advance(before, event);
  const { state, commands } = transition;
  const outputs = adwOutputs(state, row);
  if (
    row.worktree_path &&
    commands.some((command) => command.type === 'finish' && command.status === 'succeeded')
  ) {
    // The work becomes one commit on the ADW's branch before the ADW reads as succeeded, ready to merge.
    // A commit that fails leaves the work in the worktree, uncommitted, and says why. Committing again
    // (this transaction rolled back after the commit and is retried) finds the commit already made.
    await commitWorkspace(row.worktree_path, commitMessage(row), row.inputs.baseCommit).then(
      (commit) => (outputs.commit = commit ?? null),
      (error: unknown) => (outputs.commitError = describeError(error)),
    );
  }
  await saveAdwState(client, row.id, state, outputs);
  await insertEvents(client, transitionEvents(row.id, before, state, new Date(event.at)));
  for (const command of commands) {
    if (command.type === 'run_step') {
      await deps.queue.enqueue(
        { adwId: row.id, index: command.index, dispatch: command.dispatch },
        stepJobOptions(state, row.inputs, command.index),
        client,
      );
    } else if (command.type === 'stop_step') {
      await publishControl(client, { type: 'stop_step', adwId: row.id, index: command.index });
    }
  }
  return transition;
}

function commitMessage(row: AdwRow): string {
  return `ADW ${shortId(row.id)} (${row.workflow}): ${row.inputs.prompt.split('\n')[0]!.slice(0, 60)}`;
}
