import type { LedgerEvent } from '../../core/events.ts';
import { EventType } from '../../core/events.ts';
import { describeError } from '../../core/errors.ts';
import { getAdw } from '../../db/adws.ts';
import type { EventBus, Subscription } from '../../db/event-bus.ts';
import type { Queryable } from '../../db/pool.ts';
import type { AdwSummary } from '../../protocol/ws-messages.ts';

// Events after which an ADW's row has changed (status, current step, counts, cost).
const changes = new Set<string>([
  EventType.AdwCreated,
  EventType.AdwStarted,
  EventType.AdwPaused,
  EventType.AdwResumed,
  EventType.AdwEnded,
  EventType.StepStart,
  EventType.StepEnd,
  EventType.StepSkipped,
  EventType.StepRequeued,
]);

/**
 * One subscription per server process that turns ADW lifecycle events into `adw.updated` summaries,
 * read once and handed to every socket that wants them (so N clients cost one row read, not N).
 */
export function createAdwWatcher(bus: EventBus, db: Queryable, log: (line: string) => void) {
  const listeners = new Set<(adw: AdwSummary) => void>();
  let subscription: Promise<Subscription> | undefined;

  async function onEvent(event: LedgerEvent): Promise<void> {
    if (!event.adwId || !changes.has(event.type) || listeners.size === 0) return;
    try {
      const row = await getAdw(db, event.adwId);
      if (!row) return;
      const summary: AdwSummary = {
        id: row.id,
        name: row.name,
        workflow: row.workflow,
        status: row.status,
        currentStep: row.current_step,
        completedSteps: row.completed_steps,
        totalSteps: row.total_steps,
        costUsd: row.cost_usd,
        errorMessage: row.error_message,
        pausedReason: row.paused_reason,
        seq: event.seq,
      };
      for (const listener of listeners) listener(summary);
    } catch (error) {
      log(`server: cannot read ADW ${event.adwId} for adw.updated: ${describeError(error)}`);
    }
  }

  return {
    /** Starts the shared subscription on first use; returns the way to stop listening. */
    listen(listener: (adw: AdwSummary) => void): () => void {
      listeners.add(listener);
      subscription ??= bus.subscribe({ filter: { categories: ['system', 'adw_step'] } }, onEvent);
      return () => listeners.delete(listener);
    },
    async close(): Promise<void> {
      listeners.clear();
      (await subscription?.catch(() => undefined))?.close();
    },
  };
}

export type AdwWatcher = ReturnType<typeof createAdwWatcher>;
