import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../core/errors.ts';
import { isTransientDatabaseError } from '../db/transient.ts';
import type { LedgerEvent } from '../core/events.ts';
import { listSteps, getAdw, type AdwRow, type AdwStepRow } from '../db/adws.ts';
import { costByAgent } from '../db/usage.ts';
import type { Services } from '../services/services.ts';
import { stepIcon, stepLabel, stepResult } from './adw-output.ts';
import { shortenIds } from './fit-width.ts';
import { startLiveBlock } from './live-block.ts';
import { isShownLive, paint, printable, usd } from './terminal.ts';

const settled = new Set(['succeeded', 'failed', 'cancelled', 'paused']);
// As long as a worker waits for a database that went away (see EventWriter).
const maxOutageMs = 120_000;

/**
 * Follows an ADW until it succeeds, fails, is cancelled or pauses. On a terminal it redraws one block
 * (each step with status, elapsed time, cost and its latest event) twice a second, fitted to the
 * terminal's width; whatever else is printed meanwhile (a warning, the Ctrl-C acknowledgement) appears
 * above it (see startLiveBlock). Elsewhere it prints a line per step change. Resolves with the final
 * row and steps.
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
      const detail = stepDetail(event);
      if (event.adwStep && detail) latest.set(event.adwStep, detail);
      if (
        !tty &&
        options.live &&
        ['StepStart', 'StepEnd', 'StepSkipped', 'AdwPaused', 'AdwEnded'].includes(event.type)
      ) {
        if (!printed.has(event.id))
          console.log(
            `${event.occurredAt.toISOString().slice(11, 19)} ${printable(event.summary ?? event.type)}`,
          );
        printed.add(event.id);
      }
    });

  const liveCost = (steps: AdwStepRow[]) =>
    costByAgent(
      pool,
      steps.flatMap((step) => (step.agent_id ? [step.agent_id] : [])),
    );

  const block = tty ? startLiveBlock() : undefined;
  try {
    for (let unreachableSince: number | undefined; ; await sleep(500)) {
      let row: AdwRow, steps: AdwStepRow[], cost: Map<string, number>;
      try {
        row = (await getAdw(pool, adwId))!;
        steps = await listSteps(pool, adwId);
        cost = tty ? await liveCost(steps) : new Map();
      } catch (error) {
        // A database restart is ridden out, as a worker does; only an outage past the limit ends the wait.
        if (!isTransientDatabaseError(error)) throw error;
        // Said once per outage, above the live block on a terminal.
        if (unreachableSince === undefined && options.live)
          console.log(paint('yellow', `database unreachable (${describeError(error)}); waiting…`));
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > maxOutageMs) throw error;
        continue;
      }
      unreachableSince = undefined;
      block?.update(render(row, steps, latest, cost));
      if (settled.has(row.status) && !steps.some((step) => step.status === 'running')) return { row, steps };
    }
  } finally {
    block?.done();
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
    // What changes first, the workflow's name last: a narrow terminal cuts the end of a line.
    `${paint('bold', `ADW ${row.id.slice(0, 8)}`)} · ${row.status} · ${elapsed(row.started_at, row.ended_at)} · ${usd(total)} · ${row.workflow}`,
  ];
  for (const step of steps) {
    const spent = Math.max(step.cost_usd, cost.get(step.agent_id ?? '') ?? 0);
    const detail = step.status === 'running' ? (latest.get(step.name) ?? 'starting…') : stepResult(step);
    lines.push(
      `  ${stepIcon(step.status)} ${stepLabel(step).padEnd(12)} ${elapsed(step.started_at, step.ended_at).padStart(5)} ${usd(spent).padStart(8)}  ${paint('dim', shortenIds(printable(detail)))}`,
    );
  }
  return lines.join('\n');
}

/**
 * What a running step's line says about its latest event: what the agent says and does (the events the
 * `agent run` view shows), not the prompt it was given nor hooks repeating a tool call.
 */
function stepDetail(event: LedgerEvent): string | undefined {
  if (!event.adwStep || event.category === 'adw_step') return undefined;
  if (event.type === 'RunStarted') return 'agent started';
  if (event.type === 'RunEnded') return event.summary;
  return isShownLive(event) ? event.summary : undefined;
}
