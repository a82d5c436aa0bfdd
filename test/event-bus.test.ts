import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDraft, LedgerEvent } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { createEventBus, publishStreamDelta, type EventBus, type StreamDelta } from '../src/db/event-bus.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { latestSeq } from '../src/db/events.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { useTestDatabase } from './helpers/database.ts';

function draft(n: number, runTag: string): EventDraft {
  return {
    id: newId(),
    category: 'system',
    type: 'TestEvent',
    payload: { n, runTag },
    occurredAt: new Date(),
  };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function collector(bus: EventBus, runTag: string, fromSeq?: number) {
  const received: LedgerEvent[] = [];
  const subscription = bus.subscribe({ fromSeq }, (event) => {
    if (event.payload.runTag === runTag) received.push(event);
  });
  return { received, subscription };
}

function expectInOrderWithoutGaps(received: LedgerEvent[], count: number): void {
  expect(received.map((event) => event.payload.n)).toEqual(Array.from({ length: count }, (_, i) => i));
  for (let i = 1; i < received.length; i++) expect(received[i]!.seq).toBeGreaterThan(received[i - 1]!.seq);
}

describe('event writer and bus', () => {
  const db = useTestDatabase();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('deliver every event to two subscribers in order, with no gaps or duplicates', async () => {
    const { pool, url } = db.current;
    const bus = createEventBus(url, pool, { pollMs: 200 });
    const writer = createEventWriter(pool, { maxBatch: 200 });
    cleanup.push(() => bus.close());
    const first = collector(bus, 'two');
    const second = collector(bus, 'two');
    await Promise.all([first.subscription, second.subscription]);

    const count = 3_000;
    for (let n = 0; n < count; n++) {
      writer.write(draft(n, 'two'));
      if (n % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await writer.close();
    await until(() => first.received.length === count && second.received.length === count);
    expectInOrderWithoutGaps(first.received, count);
    expectInOrderWithoutGaps(second.received, count);
    expect(second.received.map((event) => event.id)).toEqual(first.received.map((event) => event.id));
  });

  it('backfill a new subscriber from an old seq before live events', async () => {
    const { pool, url } = db.current;
    const writer = createEventWriter(pool);
    const before = await latestSeq(pool);
    for (let n = 0; n < 50; n++) writer.write(draft(n, 'backfill'));
    await writer.flush();

    const bus = createEventBus(url, pool, { pollMs: 200 });
    cleanup.push(() => bus.close());
    const late = collector(bus, 'backfill', before);
    await late.subscription;
    for (let n = 50; n < 80; n++) writer.write(draft(n, 'backfill'));
    await writer.close();
    await until(() => late.received.length === 80);
    expectInOrderWithoutGaps(late.received, 80);
  });

  it('carry token stream deltas between processes without storing them', async () => {
    const { pool, url } = db.current;
    const bus = createEventBus(url, pool);
    cleanup.push(() => bus.close());
    const deltas: StreamDelta[] = [];
    bus.onStream((delta) => deltas.push(delta));
    await bus.subscribe({}, () => {}); // the listener is connected once a subscription resolves
    const before = await latestSeq(pool);
    await publishStreamDelta(pool, { runId: 'r', index: 0, kind: 'text', text: 'Hel' });
    await publishStreamDelta(pool, { runId: 'r', index: 0, kind: 'text', text: 'x'.repeat(4_000) });
    await until(() => deltas.length === 4);
    expect(deltas.map((delta) => delta.text).join('')).toBe('Hel' + 'x'.repeat(4_000));
    expect(await latestSeq(pool)).toBe(before);
  });

  it('survive a PostgreSQL restart mid-stream without loss or duplicates', async () => {
    const home = await mkdtemp(join(tmpdir(), 'baton-restart-'));
    cleanup.push(() => rm(home, { recursive: true, force: true }));
    let server = await startEmbeddedPostgres(join(home, 'postgres'));
    cleanup.push(() => server.stop({ force: true }));
    const pool: Pool = createPool(server.url);
    cleanup.push(() => pool.end());
    await migrate(pool);

    const bus = createEventBus(server.url, pool, { pollMs: 200 });
    cleanup.push(() => bus.close());
    const first = collector(bus, 'restart');
    const second = collector(bus, 'restart');
    await Promise.all([first.subscription, second.subscription]);
    const writer = createEventWriter(pool, { maxOutageMs: 60_000 });

    let n = 0;
    let mostPending = 0;
    const produce = async (untilMs: number) => {
      const end = Date.now() + untilMs;
      while (Date.now() < end) {
        for (let i = 0; i < 20; i++) writer.write(draft(n++, 'restart'));
        mostPending = Math.max(mostPending, writer.pending);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await produce(500);
    const restart = (async () => {
      await server.stop({ force: true });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      server = await startEmbeddedPostgres(join(home, 'postgres'));
    })();
    await produce(1_500); // events keep coming while the database is down
    await restart;
    expect(mostPending, 'events were held while the database was down').toBeGreaterThan(200);
    expect(server.url).toBe(pool.options.connectionString);
    await produce(300);
    await writer.close();

    const stored = await pool.query(
      'select count(*)::int as count, count(distinct id)::int as ids from events',
    );
    expect(stored.rows[0]).toEqual({ count: n, ids: n });
    await until(() => first.received.length >= n && second.received.length >= n, 30_000);
    expectInOrderWithoutGaps(first.received, n);
    expectInOrderWithoutGaps(second.received, n);
  });
});
