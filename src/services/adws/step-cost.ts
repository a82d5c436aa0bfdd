import { getStep } from '../../db/adws.ts';
import type { Queryable } from '../../db/pool.ts';
import { spentBy } from '../../db/runs.ts';
import type { AdwState } from '../../workflow/types.ts';

/**
 * What a step run's agent has spent (every attempt and follow-up, killed ones too: the usage ledger is
 * written call by call) that the engine's state does not count yet: the cost an outcome reports.
 */
export async function unrecordedStepCost(
  db: Queryable,
  adwId: string,
  state: AdwState,
  index: number,
  /** The step run's agent when the caller knows it (saves reading the step). */
  knownAgentId?: string,
): Promise<number> {
  const agentId = knownAgentId ?? (await getStep(db, adwId, index))?.agent_id;
  if (!agentId) return 0;
  const spent = await spentBy(db, { agentId });
  return Math.max(0, spent.costUsd - (state.steps[index]?.costUsd ?? 0));
}
