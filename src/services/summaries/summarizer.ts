import { plural } from '../../core/plural.ts';
import { describeError } from '../../core/errors.ts';
import { EventType, type EventDraft } from '../../core/events.ts';
import { newId } from '../../core/ids.ts';
import { withoutRepeats } from '../../core/without-repeats.ts';
import type { EventWriter } from '../../db/event-writer.ts';
import { setEventSummaries } from '../../db/events.ts';
import type { Pool } from '../../db/pool.ts';
import type { SummaryClient, SummaryItem } from './summary-client.ts';

export interface SummarizerOptions {
  writer: EventWriter;
  pool: Pool;
  client: SummaryClient;
  /** Events per model call; a full batch is sent at once. @default 20 */
  batchSize?: number;
  /** How long the first queued event may wait for a batch to fill. @default 1000 */
  intervalMs?: number;
  /** Longest text sent per event, in characters. @default 2000 */
  maxTextLength?: number;
  /** Events waiting beyond this are not summarized (they keep their deterministic summary). @default 2000 */
  maxQueue?: number;
  /** Receives a line for the first failed batch of each kind (repeats are not told). @default a line on stderr */
  log?: (line: string) => void;
}

export interface Summarizer {
  /** Queues a text or thinking event for a model summary; ignores every other event. Never throws. */
  add(event: EventDraft): void;
  /** Resolves once every event queued so far has been summarized (or given up on). Never rejects. */
  flush(): Promise<void>;
  /** Flushes, then ignores further events. */
  close(): Promise<void>;
}

interface Queued {
  event: EventDraft;
  item: SummaryItem;
  queuedAt: number;
}

/**
 * Summarizes text and thinking events with a small model, in batches: a batch goes out when `batchSize`
 * events are queued or `intervalMs` after its first event, and only one model call is in flight at a
 * time, so the call rate is bounded however fast events arrive. Each summary updates the event's row and
 * is announced by a SummaryUpdated event. A failed batch is logged and dropped; the events keep the
 * deterministic summary they were written with.
 */
export function createSummarizer(options: SummarizerOptions): Summarizer {
  const { writer, pool, client } = options;
  const batchSize = options.batchSize ?? 20;
  const intervalMs = options.intervalMs ?? 1_000;
  const maxTextLength = options.maxTextLength ?? 2_000;
  const maxQueue = options.maxQueue ?? 2_000;
  // A model that fails once usually fails every batch: its warning is said once, with what to do.
  const log = withoutRepeats(options.log ?? ((line: string) => process.stderr.write(`baton: ${line}\n`)));

  const queue: Queued[] = [];
  let added = 0; // events ever queued
  let taken = 0; // events ever taken off the queue into a batch
  let done = 0; // events whose batch has finished, one way or another
  let flushUntil = 0; // while taken < flushUntil, batches go out without waiting to fill
  let inFlight = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let overflowing = false;
  const waiters: { target: number; resolve: () => void }[] = [];

  function schedule(): void {
    if (inFlight || queue.length === 0) return;
    const waited = Date.now() - queue[0]!.queuedAt;
    if (queue.length >= batchSize || taken < flushUntil || waited >= intervalMs) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = queue.splice(0, batchSize);
      taken += batch.length;
      inFlight = true;
      void send(batch).finally(() => {
        inFlight = false;
        done += batch.length;
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (done >= waiters[i]!.target) waiters.splice(i, 1)[0]!.resolve();
        }
        schedule();
      });
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        schedule();
      }, intervalMs - waited);
      timer.unref();
    }
  }

  async function send(batch: Queued[]): Promise<void> {
    let summaries: Map<string, string>;
    try {
      summaries = await client.summarize(batch.map((queued) => queued.item));
    } catch (error) {
      log(
        `warning: event summaries by ${client.model} failed (${describeError(error)}); events keep their short ` +
          'summaries. Turn them off with BATON_SUMMARIES=off, or give them a model that answers ' +
          '(ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN, ANTHROPIC_BASE_URL, BATON_SUMMARY_MODEL). ' +
          'Repeats of this warning are not shown.',
      );
      return;
    }
    const found = batch.flatMap(({ event }) => {
      const summary = summaries.get(event.id);
      return summary === undefined ? [] : [{ event, summary }];
    });
    if (found.length === 0) return;
    try {
      // The events may still sit in the writer's queue; the update must find their rows.
      await writer.flush();
      await setEventSummaries(
        pool,
        found.map(({ event, summary }) => ({ id: event.id, summary })),
      );
      for (const { event, summary } of found)
        await writer.write(summaryUpdated(event, summary, client.model));
    } catch (error) {
      log(
        `storing ${plural(found.length, 'event summary', 'event summaries')} failed: ${describeError(error)}`,
      );
    }
  }

  function flush(): Promise<void> {
    if (done >= added) return Promise.resolve();
    flushUntil = Math.max(flushUntil, added);
    const target = added;
    const flushed = new Promise<void>((resolve) => waiters.push({ target, resolve }));
    schedule();
    return flushed;
  }

  return {
    add(event) {
      if (closed) return;
      const raw =
        event.type === EventType.TextBlock
          ? event.payload.text
          : event.type === EventType.ThinkingBlock
            ? event.payload.thinking
            : undefined;
      if (typeof raw !== 'string') return;
      const text = raw.trim().slice(0, maxTextLength);
      if (text === '') return;
      if (queue.length >= maxQueue) {
        if (!overflowing)
          log(`${plural(queue.length, 'event')} are waiting for summaries; newer ones are skipped`);
        overflowing = true;
        return;
      }
      overflowing = false;
      queue.push({ event, item: { id: event.id, type: event.type, text }, queuedAt: Date.now() });
      added += 1;
      schedule();
    },
    flush,
    async close() {
      closed = true;
      await flush();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The announcement of a new summary: in the original event's scope, pointing at it. */
function summaryUpdated(event: EventDraft, summary: string, model: string): EventDraft {
  return {
    id: newId(),
    category: 'summary',
    type: EventType.SummaryUpdated,
    agentId: event.agentId,
    runId: event.runId,
    adwId: event.adwId,
    adwStep: event.adwStep,
    orchestratorId: event.orchestratorId,
    sessionId: event.sessionId,
    payload: { event_id: event.id, summary, model },
    summary,
    occurredAt: new Date(),
  };
}
