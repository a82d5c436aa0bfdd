import { afterEach, describe, expect, it } from 'vitest';
import type { EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { storableEvent } from '../src/db/event-append.ts';
import { createEventWriter, heldBytes } from '../src/db/event-writer.ts';
import { createPool, type Pool, type PoolClient } from '../src/db/pool.ts';
import { isTransientDatabaseError } from '../src/db/transient.ts';
import { useTestDatabase } from './helpers/database.ts';

const appendLockKey = 0x6576656e7473; // the lock insertEvents takes (src/db/events.ts)

function draft(runId: string, n: number, text = ''): EventDraft {
  return {
    id: newId(),
    category: 'system',
    type: 'TestEvent',
    runId,
    payload: { n, text },
    occurredAt: new Date(),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise's state, without waiting for it. */
function track(promise: Promise<unknown>): { settled: boolean; error?: unknown } {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(
    () => (state.settled = true),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('event writer', () => {
  const db = useTestDatabase();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function storedIds(runId: string): Promise<string[]> {
    const result = await db.current.pool.query<{ id: string }>(
      'select id from events where run_id = $1 order by seq',
      [runId],
    );
    return result.rows.map((row) => row.id);
  }

  /** A pool of one connection, taken by the test: every query of the writer waits for it. */
  async function saturatedPool(): Promise<{ pool: Pool; held: PoolClient }> {
    const pool = createPool(db.current.url, { max: 1, connectionTimeoutMillis: 50 });
    cleanup.push(() => pool.end());
    const held = await pool.connect();
    return { pool, held };
  }

  it('treats every connection problem pg and pg-pool raise as transient, and a refused statement as not', async () => {
    const { pool, held } = await saturatedPool();
    const timeout = await pool.query('select 1').catch((error: unknown) => error);
    held.release();
    expect(timeout).toMatchObject({ message: 'timeout exceeded when trying to connect' });
    expect(isTransientDatabaseError(timeout)).toBe(true);
    const nowhere = createPool('postgres://postgres@127.0.0.1:1/none');
    cleanup.push(() => nowhere.end());
    const refused = await nowhere.query('select 1').catch((error: unknown) => error);
    expect(isTransientDatabaseError(refused)).toBe(true);
    const constraint = await db.current.pool
      .query(`insert into events (id, category, type, occurred_at) values ($1, 'bogus', 'x', now())`, [
        newId(),
      ])
      .catch((error: unknown) => error);
    expect(constraint).toMatchObject({ code: '23514' });
    expect(isTransientDatabaseError(constraint)).toBe(false);
  });

  it('makes producers wait past its byte budget and stores every event once the inserts go through', async () => {
    const budget = 16_000;
    const writer = createEventWriter(db.current.pool, { bufferBytes: budget, maxBatch: 5 });
    cleanup.push(() => writer.close());
    // Another transaction holds the append lock: inserts wait for it, so the buffer fills up.
    const blocker = await db.current.pool.connect();
    cleanup.push(async () => blocker.release());
    await blocker.query('begin');
    await blocker.query('select pg_advisory_xact_lock($1)', [appendLockKey]);

    const runId = newId();
    const stream = writer.open();
    const written: string[] = [];
    let mostBuffered = 0;
    const total = 200;
    const producer = (async () => {
      for (let n = 0; n < total; n++) {
        const event = draft(runId, n, 'x'.repeat(1_000));
        await stream.write(event);
        written.push(event.id);
        mostBuffered = Math.max(mostBuffered, writer.bufferedBytes);
      }
    })();
    const eventBytes = heldBytes(storableEvent(draft(runId, 0, 'x'.repeat(1_000)))); // one such event
    await until(() => writer.bufferedBytes + eventBytes > budget, 'the buffer is full');
    await until(() => writer.pending > written.length, 'a write waits');
    expect(written.length, 'the producer is held back').toBeLessThan(total);
    expect(writer.bufferedBytes).toBeLessThanOrEqual(budget);
    expect(await storedIds(runId)).toEqual([]);

    await blocker.query('commit');
    await producer;
    await stream.flush();
    expect(mostBuffered).toBeLessThanOrEqual(budget + eventBytes);
    expect(await storedIds(runId), 'every event once, in order').toEqual(written);
    expect(stream.waitedMs).toBeGreaterThan(0);
    expect(writer.waitedMs).toBeGreaterThanOrEqual(stream.waitedMs);
    expect(writer.pending).toBe(0);
    expect(writer.bufferedBytes).toBe(0);
  });

  it('retries while every pooled connection is busy, and flushes only once all events are stored', async () => {
    const { pool, held } = await saturatedPool();
    const log: string[] = [];
    const writer = createEventWriter(pool, { log: (line) => log.push(line) });
    cleanup.push(() => writer.close());
    const runId = newId();
    const events = Array.from({ length: 50 }, (_, n) => draft(runId, n));
    for (const event of events) await writer.write(event);
    const flushed = track(writer.flush());

    // The writer's insert waits for the pool, times out ("timeout exceeded when trying to connect") and tries again.
    let sawWait = 0;
    await until(() => {
      if (pool.waitingCount > 0 && sawWait % 2 === 0) sawWait++;
      if (pool.waitingCount === 0 && sawWait % 2 === 1) sawWait++;
      return sawWait >= 3;
    }, 'the writer has waited for a connection twice');
    expect(flushed.settled).toBe(false);
    expect(await storedIds(runId)).toEqual([]);

    held.release();
    await until(() => flushed.settled, 'the flush settles');
    expect(flushed.error).toBeUndefined();
    expect(await storedIds(runId)).toEqual(events.map((event) => event.id));
    expect(log, 'nothing was refused').toEqual([]);
  });

  it("fails the stream of an event the database refuses, naming it, and stores everyone else's", async () => {
    const log: string[] = [];
    const writer = createEventWriter(db.current.pool, { log: (line) => log.push(line) });
    cleanup.push(() => writer.close());
    const runId = newId();
    const bad = writer.open();
    const good = writer.open();
    const failures: unknown[] = [];
    bad.onFailure((error) => failures.push(error));
    const goodEvents = [draft(runId, 0), draft(runId, 1)];
    const refused = { ...draft(runId, 2), category: 'bogus' } as unknown as EventDraft;
    const badNeighbour = draft(runId, 3);
    await good.write(goodEvents[0]!);
    await bad.write(refused);
    await bad.write(badNeighbour);
    await good.write(goodEvents[1]!);

    await expect(bad.flush()).rejects.toThrow(/refused a TestEvent event .*check constraint/);
    await good.flush();
    await expect(writer.flush()).resolves.toBeUndefined(); // the refusal came before this flush
    expect(failures).toHaveLength(1);
    expect(bad.failure?.message).toMatch(/TestEvent/);
    await expect(bad.write(draft(runId, 4))).rejects.toBe(bad.failure);
    expect(await storedIds(runId)).toEqual([goodEvents[0]!.id, badNeighbour.id, goodEvents[1]!.id]);
    expect(log).toEqual([bad.failure!.message]);
  });

  it('refuses an event it cannot encode when it is written, failing only its stream and naming the problem', async () => {
    const log: string[] = [];
    const writer = createEventWriter(db.current.pool, { log: (line) => log.push(line) });
    cleanup.push(() => writer.close());
    const runId = newId();
    const bad = writer.open();
    const good = writer.open();
    const before = draft(runId, 0);
    const after = draft(runId, 2);
    await bad.write(before);
    const unencodable = { ...draft(runId, 1), payload: { size: 10n } }; // JSON has no BigInt
    await expect(bad.write(unencodable)).rejects.toThrow(/Cannot store one of the events: .*BigInt/);
    expect(bad.failure?.message).toMatch(/BigInt/);
    await expect(bad.write(draft(runId, 3))).rejects.toBe(bad.failure);
    await good.write(after);
    await good.flush();
    await expect(bad.flush()).rejects.toBe(bad.failure);
    // What the stream wrote before its failure was accepted, and is stored like everyone else's.
    await writer.flush();
    expect(await storedIds(runId)).toEqual([before.id, after.id]);
    expect(log).toEqual([bad.failure!.message]);
  });

  it('gives up the events of an outage longer than its limit, failing their streams and waiting writes, then recovers', async () => {
    const { pool, held } = await saturatedPool();
    const log: string[] = [];
    const writer = createEventWriter(pool, {
      maxOutageMs: 300,
      bufferBytes: 3_000,
      log: (line) => log.push(line),
    });
    cleanup.push(() => writer.close());
    const runId = newId();
    const lost = writer.open();
    const lostFailures: unknown[] = [];
    lost.onFailure((error) => lostFailures.push(error));
    const writes = Array.from({ length: 10 }, (_, n) => track(lost.write(draft(runId, n, 'y'.repeat(500)))));
    const flushed = track(writer.flush());

    await until(() => writes.every((write) => write.settled), 'every write settles');
    const waited = writes.filter((write) => write.error);
    expect(waited.length, 'writes past the budget waited, then failed').toBeGreaterThan(0);
    expect(waited[0]!.error).toMatchObject({ code: 'database_unavailable' });
    expect(lost.failure).toMatchObject({ code: 'database_unavailable' });
    expect(lostFailures).toEqual([lost.failure]);
    await until(() => flushed.settled, 'the flush settles');
    expect(flushed.error).toMatchObject({ code: 'database_unavailable' });
    await expect(lost.flush()).rejects.toBe(lost.failure);
    expect(writer.pending).toBe(0);
    expect(writer.bufferedBytes).toBe(0);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/unreachable for 0.3 s .*events could not be written/);

    // The database is back: a new stream on the same writer is stored completely.
    held.release();
    const next = writer.open();
    const events = Array.from({ length: 5 }, (_, n) => draft(runId, 100 + n));
    for (const event of events) await next.write(event);
    await next.flush();
    expect(await storedIds(runId)).toEqual(events.map((event) => event.id));
    expect(next.failure).toBeUndefined();
  });
});
