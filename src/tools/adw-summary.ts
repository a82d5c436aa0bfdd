import { plural } from '../core/plural.ts';
import type { AdwRow, AdwStepRow } from '../db/adws.ts';
import { NotFoundError } from '../core/errors.ts';

/** An ADW in one line: `plan_build · running · build · 1/2 steps · $0.0123`. */
export function adwLine(row: AdwRow): string {
  return [
    `${row.name} (${row.id})`,
    row.workflow,
    row.status + (row.paused_reason ? `: ${row.paused_reason}` : ''),
    row.current_step && `step ${row.current_step}`,
    `${row.completed_steps}/${plural(row.total_steps, 'step')}`,
    `$${Number(row.cost_usd).toFixed(4)}`,
    row.error_message && `error in ${row.error_step ?? 'a step'}: ${row.error_message}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function adwData(row: AdwRow, steps: AdwStepRow[] = []) {
  return {
    id: row.id,
    name: row.name,
    workflow: row.workflow,
    status: row.status,
    current_step: row.current_step,
    completed_steps: row.completed_steps,
    total_steps: row.total_steps,
    cost_usd: Number(row.cost_usd),
    branch: row.branch,
    paused_reason: row.paused_reason,
    error: row.error_message,
    error_step: row.error_step,
    steps: steps.map((step) => ({ name: step.name, status: step.status, cost_usd: Number(step.cost_usd) })),
  };
}

/** An unknown ADW id, reported against the tool's `id` argument. */
export async function withAdwId<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof NotFoundError && error.field === undefined)
      throw new NotFoundError(`${error.message} (id)`, { field: 'id' });
    throw error;
  }
}
