import type { LedgerEvent } from '../core/events.ts';
import { plural } from '../core/plural.ts';
import { latestSeq } from '../db/events.ts';
import type { Services } from '../services/services.ts';
import { shortenIds } from './fit-width.ts';
import { printable } from './terminal.ts';

/** The agent runs going on, by run id, as the activity log has seen them start and end. */
export type RunningAgents = Set<string>;

const short = (id: string | undefined) => (id ?? '').slice(0, 8);

/**
 * One line of what the system is doing, for `baton up` and `baton worker`: ADWs and their steps
 * starting and ending, agents starting and ending (with how many are running), agent commands. Other
 * events (what each agent says and does) are the live views' business: undefined. `running` is updated.
 */
export function activityLine(event: LedgerEvent, running: RunningAgents): string | undefined {
  const adw = event.adwId ? `adw ${short(event.adwId)}` : undefined;
  const where = adw && event.adwStep ? `${adw} ${event.adwStep}` : adw;
  const text = (() => {
    switch (event.type) {
      case 'AdwStarted':
      case 'AdwResumed':
      case 'AdwPaused':
      case 'AdwEnded':
      case 'StepStart':
      case 'StepEnd':
      case 'StepSkipped':
      case 'StepRequeued':
        return `${adw} · ${event.summary ?? event.type}`;
      case 'RunStarted': {
        if (event.runId) running.add(event.runId);
        const warm = event.payload.warm ? ' (warm process)' : '';
        return `${where ?? `run ${short(event.runId)}`} · agent started${warm} · ${plural(running.size, 'agent')} running`;
      }
      case 'RunEnded': {
        if (event.runId) running.delete(event.runId);
        return `${where ?? `run ${short(event.runId)}`} · ${event.summary ?? 'agent ended'} · ${plural(running.size, 'agent')} running`;
      }
      case 'CommandStarted':
      case 'CommandEnded':
        return `agent ${short(event.agentId)} · ${event.summary ?? event.type}`;
      default:
        return undefined;
    }
  })();
  if (text === undefined) return undefined;
  return `${event.occurredAt.toISOString().slice(11, 19)}  ${shortenIds(printable(text))}`;
}

/** The event categories activityLine reads: lifecycle events only, so the log never waits on the rest. */
const activityCategories = ['system', 'adw_step'] as const;

/**
 * Prints an activity line for every lifecycle event recorded from now on, by any process on the ledger.
 * Returns a function that stops.
 */
export async function followActivity(services: Services, print: (line: string) => void): Promise<() => void> {
  const running: RunningAgents = new Set();
  const filter = { categories: activityCategories };
  const subscription = await services
    .bus()
    .subscribe({ fromSeq: await latestSeq(services.db.pool, filter), filter }, (event) => {
      const line = activityLine(event, running);
      if (line) print(line);
    });
  return () => subscription.close();
}
