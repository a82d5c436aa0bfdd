import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { appendEvents, storableEvent } from '../src/db/event-append.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { eventsChannel, insertEvents, readEventsAfter, type EventRow } from '../src/db/events.ts';
import { useTestDatabase } from './helpers/database.ts';

function draft(runId: string, n: number, extra: Partial<EventDraft> = {}): EventDraft {
  return {
    id: newId(),
    category: 'system',
    type: 'TestEvent',
    runId,
    payload: { n },
    occurredAt: new Date(),
    ...extra,
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('appending events with COPY', () => {
  const db = useTestDatabase();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function rowsOf(runId: string): Promise<EventRow[]> {
    const result = await db.current.pool.query<EventRow>(
      'select * from events where run_id = $1 order by seq',
      [runId],
    );
    return result.rows;
  }

  /** The payloads of notifications on the events channel, as they arrive. */
  async function listen(): Promise<string[]> {
    const client = new pg.Client({ connectionString: db.current.url });
    await client.connect();
    cleanup.push(() => client.end());
    const payloads: string[] = [];
    client.on('notification', (message) => payloads.push(message.payload ?? ''));
    await client.query(`listen ${eventsChannel}`);
    return payloads;
  }

  it('stores a retried batch once: the rows stored already are skipped, the rest appended after them in order', async () => {
    const { pool } = db.current;
    const notified = await listen();
    const runId = newId();
    const first = Array.from({ length: 3 }, (_, n) => draft(runId, n));
    const later = Array.from({ length: 2 }, (_, n) => draft(runId, 3 + n));
    await appendEvents(pool, first.map(storableEvent));
    // The writer retries a batch whose commit it did not hear of, with what was queued meanwhile.
    await appendEvents(pool, [...first, ...later].map(storableEvent));
    await appendEvents(pool, first.map(storableEvent)); // every row present: nothing to do

    const rows = await rowsOf(runId);
    expect(rows.map((row) => row.id)).toEqual([...first, ...later].map((event) => event.id));
    await until(() => notified.length >= 2, 'both appends are notified');
    expect(notified).toEqual([String(rows[2]!.seq), String(rows[4]!.seq)]);
  });

  it('stores NUL characters as U+FFFD and every other character of text and JSON as it was', async () => {
    const runId = newId();
    const awkward = 'tab\there, new\nline, return\r, back\\slash, "quotes", \\N, \\u0000 as text, ünï ✓ 😀';
    const event = draft(runId, 0, {
      type: 'Nul\0Type',
      sessionId: 'session\0',
      adwStep: `step ${awkward}`,
      payload: { text: 'a\0b', nested: [{ deep: '\0' }], awkward, 'key\0': 1 },
      summary: `summary\0 ${awkward}`,
    });
    await appendEvents(db.current.pool, [storableEvent(event)]);

    const [row] = await rowsOf(runId);
    expect(row).toMatchObject({
      type: 'Nul\ufffdType',
      session_id: 'session\ufffd',
      adw_step: `step ${awkward}`,
      payload: { text: 'a\ufffdb', nested: [{ deep: '\ufffd' }], awkward, 'key\ufffd': 1 },
      summary: `summary\ufffd ${awkward}`,
    });
  });

  it('stores a payload and a summary holding secrets redacted, as they were when written', async () => {
    const writer = createEventWriter(db.current.pool);
    const runId = newId();
    const key = 'sk-ant-api03-PLANTEDanthropicKEY0000000000';
    const payload = {
      command: `curl -H "x-api-key: ${key}" https://api.example.com`,
      env: { API_KEY: 'hunter2' },
    };
    const stream = writer.open();
    await stream.write(draft(runId, 0, { payload, summary: `Bash ${key}` }));
    payload.command = 'changed after the write'; // what is stored was taken when it was written
    await stream.flush();
    await writer.close();

    const [row] = await rowsOf(runId);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain('PLANTEDanthropicKEY');
    expect(stored).not.toContain('hunter2');
    expect(row!.payload).toEqual({
      command: 'curl -H "x-api-key: sk-ant-[REDACTED]" https://api.example.com',
      env: { API_KEY: '[REDACTED]' },
    });
    expect(row!.summary).toBe('Bash sk-ant-[REDACTED]');
  });

  it('draws no seq before the append lock is free, so a row committed late is never passed over', async () => {
    const { pool } = db.current;
    const runId = newId();
    const [early, late] = [draft(runId, 0), draft(runId, 1)];
    const holder = await pool.connect();
    cleanup.push(async () => holder.release());
    await holder.query('begin');
    await insertEvents(holder, [early]); // has its seq, not committed yet
    const appended = appendEvents(pool, [storableEvent(late)]);
    await until(async () => {
      const waiting = await pool.query(
        `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`,
      );
      return waiting.rows[0].n > 0 || (await rowsOf(runId)).length > 0;
    }, 'the append waits for the lock or commits');
    // Without the lock the late row would be visible now, above a seq a reader cannot see yet.
    expect(await rowsOf(runId)).toEqual([]);
    await holder.query('commit');
    await appended;
    expect((await rowsOf(runId)).map((row) => row.id)).toEqual([early.id, late.id]);
  });

  it('keeps each stream in order and seq gap-free for a reader following the log while four writers append', async () => {
    const { pool } = db.current;
    const runId = newId();
    const writers = Array.from({ length: 4 }, () => createEventWriter(pool, { maxBatch: 25, flushMs: 1 }));
    const perWriter = 400;
    const seen: EventRow['id'][] = [];
    let cursor = (await readEventsAfter(pool, 0, {}, 1)).at(-1)?.seq ?? 0;
    let writing = true;
    const reader = (async () => {
      // A reader that trusts seq > cursor, as the bus does: a row committed below its cursor would be lost.
      for (;;) {
        const done = !writing; // read once more after the writers are done: then it has caught up
        const batch = await readEventsAfter(pool, cursor, { runId }, 100);
        for (const event of batch) seen.push(event.id);
        cursor = batch.at(-1)?.seq ?? cursor;
        if (batch.length > 0) continue;
        if (done) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const written = await Promise.all(
      writers.map(async (writer, w) => {
        const stream = writer.open();
        const ids: string[] = [];
        for (let n = 0; n < perWriter; n++) {
          const event = draft(runId, n, { payload: { w, n } });
          await stream.write(event);
          ids.push(event.id);
          if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        await stream.flush();
        await writer.close();
        return ids;
      }),
    );
    writing = false;
    await reader;

    const stored = (await rowsOf(runId)).map((row) => row.id);
    expect(seen, 'the reader saw every row, in seq order').toEqual(stored);
    expect(stored).toHaveLength(writers.length * perWriter);
    for (const ids of written) expect(stored.filter((id) => ids.includes(id))).toEqual(ids);
  });
});
