import logUpdate from 'log-update';
import type { LedgerEvent } from '../core/events.ts';
import { listSteps, getAdw, type AdwRow, type AdwStepRow } from '../db/adws.ts';
import { costByAgent } from '../db/usage.ts';
import type { Services } from '../orchestrator/services.ts';
import { stepIcon, stepLabel, stepResult } from './adw-output.ts';
import { paint, usd } from './terminal.ts';

const settled = new Set(['succeeded', 'failed', 'cancelled', 'paused']);

/**
 * Follows an ADW until it succeeds, fails, is cancelled or pauses. On a terminal it redraws one block
 * (each step with status, elapsed time, cost and its latest event) every second and on every event;
 * elsewhere it prints a line per step change. Resolves with the final row and steps.
 */
export async function followAdw(
  services: Services,
  adwId: string,
  options: { live: boolean },
): Promise<{ row: AdwRow; steps: AdwStepRow[] }> {
  const pool = services.db.pool;
  const latest = new Map<string, string>();
  const printed = new Set<string>();
  const tty = options.live && process.stdout.isTTY;

  const subscription = await services
    .bus()
    .subscribe({ fromSeq: 0, filter: { adwId } }, (event: LedgerEvent) => {
      if (event.adwStep && event.summary && event.category !== 'adw_step')
        latest.set(event.adwStep, event.summary);
      if (
        !tty &&
        options.live &&
        ['StepStart', 'StepEnd', 'StepSkipped', 'AdwPaused', 'AdwEnded'].includes(event.type)
      ) {
        if (!printed.has(event.id))
          console.log(`${event.occurredAt.toISOString().slice(11, 19)} ${event.summary ?? event.type}`);
        printed.add(event.id);
      }
    });

  const liveCost = (steps: AdwStepRow[]) =>
    costByAgent(
      pool,
      steps.flatMap((step) => (step.agent_id ? [step.agent_id] : [])),
    );

  try {
    for (;;) {
      const row = (await getAdw(pool, adwId))!;
      const steps = await listSteps(pool, adwId);
      if (tty) logUpdate(render(row, steps, latest, await liveCost(steps)));
      if (settled.has(row.status) && !steps.some((step) => step.status === 'running')) {
        if (tty) logUpdate.done();
        return { row, steps };
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    subscription.close();
  }
}

function render(
  row: AdwRow,
  steps: AdwStepRow[],
  latest: Map<string, string>,
  cost: Map<string, number>,
): string {
  const now = Date.now();
  const elapsed = (from: Date | null, to: Date | null) =>
    from ? `${(((to?.getTime() ?? now) - from.getTime()) / 1000).toFixed(0)}s` : '';
  const total = steps.reduce(
    (sum, step) => sum + Math.max(step.cost_usd, cost.get(step.agent_id ?? '') ?? 0),
    0,
  );
  const lines = [
    `${paint('bold', `ADW ${row.id.slice(0, 8)}`)} · ${row.workflow} · ${row.status} · ${usd(total)} · ${elapsed(row.started_at, row.ended_at)}`,
  ];
  for (const step of steps) {
    const spent = Math.max(step.cost_usd, cost.get(step.agent_id ?? '') ?? 0);
    const detail = step.status === 'running' ? (latest.get(step.name) ?? 'starting…') : stepResult(step);
    lines.push(
      `  ${stepIcon(step.status)} ${stepLabel(step).padEnd(12)} ${elapsed(step.started_at, step.ended_at).padStart(5)} ${usd(spent).padStart(8)}  ${paint('dim', detail.slice(0, 90))}`,
    );
  }
  return lines.join('\n');
}
