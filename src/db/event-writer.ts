import type { EventDraft } from '../core/events.ts';
import {
  createBufferedWriter,
  type BufferedWriter,
  type BufferedWriterOptions,
  type WriteStream,
} from './buffered-writer.ts';
import { insertEvents } from './events.ts';
import type { Pool } from './pool.ts';

export type EventWriterOptions = BufferedWriterOptions;
/** The event log's writer (see createBufferedWriter): `open()` a stream per agent run. */
export type EventWriter = BufferedWriter<EventDraft>;
/** One run's events: its flush rejects if any of them was refused or lost. */
export type EventStream = WriteStream<EventDraft>;

// Ids, scope and timestamps of a row, roughly, on top of its payload and summary.
const rowOverhead = 300;

/**
 * Writes events through multi-row inserts (insertEvents), one batch in flight at a time so the log keeps
 * their order. Event ids make a retried batch idempotent: nothing is written twice, and nothing is
 * dropped without failing the stream it came from.
 */
export function createEventWriter(pool: Pool, options: EventWriterOptions = {}): EventWriter {
  return createBufferedWriter<EventDraft>(
    {
      noun: 'events',
      insert: (batch) => insertEvents(pool, batch),
      sizeOf: (draft) =>
        rowOverhead + JSON.stringify(draft.payload ?? {}).length + (draft.summary?.length ?? 0),
      describe: (draft) => `a ${draft.type} event (${draft.id})`,
    },
    options,
  );
}
