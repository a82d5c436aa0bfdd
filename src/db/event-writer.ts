import type { EventDraft } from '../core/events.ts';
import {
  createBufferedWriter,
  type BufferedWriter,
  type BufferedWriterOptions,
  type WriteStream,
} from './buffered-writer.ts';
import { appendEvents, storableEvent, type StorableEvent } from './event-append.ts';
import type { Pool } from './pool.ts';

export type EventWriterOptions = BufferedWriterOptions;
/** The event log's writer (see createBufferedWriter): `open()` a stream per agent run. */
export type EventWriter = BufferedWriter<EventDraft>;
/** One run's events: its flush rejects if any of them was refused or lost. */
export type EventStream = WriteStream<EventDraft>;

/**
 * What the writer counts against its budget for holding an event: its row, and what holding it costs
 * besides, as measured: ~270 bytes of heap (the writer's entry, the Buffer object, the id) and ~90 of
 * slack in the 8 KiB slabs small Buffers are cut from.
 */
export function heldBytes(event: StorableEvent): number {
  return event.row.length + 360;
}

/**
 * Writes events through COPY (appendEvents), one batch in flight at a time so the log keeps their order.
 * Each event is redacted, capped and encoded once, as it is written; the buffer's budget counts that
 * encoded row. Event ids make a retried batch idempotent: nothing is written twice, and nothing is
 * dropped without failing the stream it came from.
 */
export function createEventWriter(pool: Pool, options: EventWriterOptions = {}): EventWriter {
  return createBufferedWriter(
    {
      noun: 'events',
      encode: storableEvent,
      insert: (batch) => appendEvents(pool, batch),
      sizeOf: heldBytes,
      describe: (event) => `a ${event.type} event (${event.id})`,
    },
    options,
  );
}
