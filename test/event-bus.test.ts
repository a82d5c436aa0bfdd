import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { EventDraft, LedgerEvent } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import {
  createEventBus,
  publishStreamDelta,
  type EventBus,
  type EventBusOptions,
  type StreamDelta,
} from '../src/db/event-bus.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import {
  insertEvents,
  latestSeq,
  readEventsAfter,
  seqBeforeLast,
  type EventFilter,
} from '../src/db/events.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool, type Pool, type Queryable } from '../src/db/pool.ts';
import { createTestDatabase } from '../src/testing/test-db.ts';
import { useTestDatabase } from './helpers/database.ts';

function draft(n: number, runTag: string, scope: Partial<EventDraft> = {}): EventDraft {
  return {
    id: newId(),
    category: 'system',
    type: 'TestEvent',
    payload: { n, runTag },
    occurredAt: new Date(),
    ...scope,
  };
}

/** The real pool, with every query it runs on the events table recorded (text and values). */
function recordingPool(pool: Pool) {
  const queries: { text: string; values: unknown[] }[] = [];
  const db = {
    query: (text: string, values: unknown[] = []) => {
      if (/\bfrom events\b/.test(text)) queries.push({ text, values });
      return pool.query(text, values);
    },
  } as Queryable;
  /** Reads of event rows (not max(seq) probes): what a notification costs. */
  const rowReads = () => queries.filter((query) => query.text.startsWith('select * from events'));
  return { db, queries, rowReads };
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

async function someoneWaitsForAnAdvisoryLock(pool: Pool): Promise<boolean> {
  const result = await pool.query(
    `select exists (select 1 from pg_locks where locktype = 'advisory' and not granted
                     and database = (select oid from pg_database where datname = current_database())) as waiting`,
  );
  return result.rows[0].waiting as boolean;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** The node types and indexes of a query's executed plan, and how many rows its scans visited. */
async function explain(pool: Pool, text: string, values: unknown[]) {
  const result = await pool.query(`explain (analyze, format json) ${text}`, values);
  const nodes: string[] = [];
  const indexes: string[] = [];
  let rowsScanned = 0;
  const walk = (node: PlanNode) => {
    nodes.push(node['Node Type']);
    if (node['Index Name']) {
      indexes.push(node['Index Name']);
      rowsScanned += (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0);
    }
    node.Plans?.forEach(walk);
  };
  walk(result.rows[0]['QUERY PLAN'][0].Plan as PlanNode);
  return { nodes, indexes, rowsScanned };
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

  /** A bus on this file's database whose queries go through `queries`; it polls only if told to. */
  function busOn(queries: Queryable, options: EventBusOptions = {}): EventBus {
    const bus = createEventBus(db.current.url, queries, { pollMs: 60_000, ...options });
    cleanup.push(() => bus.close());
    return bus;
  }

  it('keep delivering to the others, each event once, when a subscriber closes in the middle of a batch', async () => {
    const { pool } = db.current;
    const recorded = recordingPool(pool);
    const bus = busOn(recorded.db);
    const closer: LedgerEvent[] = [];
    // The first subscriber at this position: the old bus keyed the shared read on its cursor.
    const closing = await bus.subscribe({}, (event) => {
      closer.push(event);
      if (closer.length === 100) closing.close();
    });
    const others = [collector(bus, 'mid'), collector(bus, 'mid')];
    await Promise.all(others.map((other) => other.subscription));

    const count = 2_500; // one statement, one notification, read in batches of 1,000
    await insertEvents(
      pool,
      Array.from({ length: count }, (_, n) => draft(n, 'mid')),
    );
    await insertEvents(pool, [draft(count, 'mid')]); // a sentinel after the batch
    await until(() => others.every((other) => other.received.length >= count + 1));
    for (const other of others) expectInOrderWithoutGaps(other.received, count + 1);
    expect(closer).toHaveLength(100);
    // 3 reads for the batch and 1 for the sentinel (one more if the two notifications were read apart).
    expect(recorded.rowReads().length).toBeLessThanOrEqual(5);
  });

  it('let the others receive every event while one subscriber is blocked; the blocked one gets all it missed', async () => {
    const { pool } = db.current;
    const bus = busOn(pool, { maxQueued: 50 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const blocked: LedgerEvent[] = [];
    const lags: number[] = [];
    const othersLagged: number[] = [];
    const others = [0, 1].map(() => {
      const received: LedgerEvent[] = [];
      const subscription = bus.subscribe(
        { onLag: (lag) => othersLagged.push(lag.lastSeq) },
        (event) => void (event.payload.runTag === 'blocked' && received.push(event)),
      );
      return { received, subscription };
    });
    await Promise.all(others.map((other) => other.subscription));
    await bus.subscribe({ onLag: (lag) => lags.push(lag.lastSeq) }, async (event) => {
      if (event.payload.runTag !== 'blocked') return;
      blocked.push(event);
      if (blocked.length === 1) await gate;
    });

    const count = 400; // 8 times the blocked one's queue bound, in several notifications
    for (let start = 0; start < count; start += 50)
      await insertEvents(
        pool,
        Array.from({ length: 50 }, (_, i) => draft(start + i, 'blocked')),
      );
    await until(() => others.every((other) => other.received.length === count));
    expect(blocked).toHaveLength(1); // still in its first handler
    expect(lags, 'its queue overflowed and it left the live feed').toHaveLength(1);

    release();
    await until(() => blocked.length >= count);
    expectInOrderWithoutGaps(blocked, count);
    for (const other of others) expectInOrderWithoutGaps(other.received, count);
    // And it goes on: a new event reaches everyone, once.
    await insertEvents(pool, [draft(count, 'blocked')]);
    await until(() => blocked.length === count + 1 && others.every((o) => o.received.length === count + 1));
    expectInOrderWithoutGaps(blocked, count + 1);
    expect(othersLagged).toEqual([]);
  });

  it('read the table once per notification for any number of subscribers and filters', async () => {
    const { pool } = db.current;
    const recorded = recordingPool(pool);
    const bus = busOn(recorded.db);
    const [agent, adw, orchestrator] = [newId(), newId(), newId()];
    const runs = [newId(), newId(), newId(), newId()];
    const scopeOf = (n: number): Partial<EventDraft> => ({
      runId: runs[n % 4],
      agentId: n % 5 === 0 ? agent : undefined,
      adwId: n % 3 === 0 ? adw : undefined,
      orchestratorId: n % 7 === 0 ? orchestrator : undefined,
      category: n % 2 === 0 ? 'system' : 'hook',
    });
    const wanted: { filter: EventFilter; matches: (scope: Partial<EventDraft>) => boolean }[] = [
      ...runs.map((runId) => ({ filter: { runId }, matches: (s: Partial<EventDraft>) => s.runId === runId })),
      { filter: { agentId: agent }, matches: (s) => s.agentId === agent },
      { filter: { adwId: adw }, matches: (s) => s.adwId === adw },
      { filter: { orchestratorId: orchestrator }, matches: (s) => s.orchestratorId === orchestrator },
      { filter: { categories: ['hook'] }, matches: (s) => s.category === 'hook' },
      {
        filter: { runId: runs[1], categories: ['hook', 'response'] },
        matches: (s) => s.runId === runs[1] && s.category === 'hook',
      },
      { filter: { adwId: adw, agentId: agent }, matches: (s) => s.adwId === adw && s.agentId === agent },
    ];
    const subscribers = await Promise.all(
      wanted.map(async ({ filter }) => {
        const received: number[] = [];
        await bus.subscribe({ filter }, (event) => void received.push(event.payload.n as number));
        return received;
      }),
    );
    const readsBefore = recorded.rowReads().length;

    const notifications = 5;
    const perBatch = 105;
    const expected = wanted.map(() => [] as number[]);
    for (let batch = 0; batch < notifications; batch++) {
      const numbers = Array.from({ length: perBatch }, (_, i) => batch * perBatch + i);
      await insertEvents(
        pool,
        numbers.map((n) => draft(n, 'filters', scopeOf(n))),
      );
      numbers.forEach((n) => wanted.forEach((w, i) => w.matches(scopeOf(n)) && expected[i]!.push(n)));
      await until(() => subscribers.every((received, i) => received.length >= expected[i]!.length));
    }
    expect(subscribers).toEqual(expected);
    expect(expected.every((numbers) => numbers.length > 0)).toBe(true);
    expect(recorded.rowReads().length - readsBefore).toBe(notifications);
  });

  it('never pass over a row a concurrent writer has not committed yet (the append lock)', async () => {
    const { pool } = db.current;
    const bus = busOn(pool, { pollMs: 100 });
    const seen = new Set<string>();
    await bus.subscribe({}, (event) => void seen.add(event.id));
    const [a, b, c] = [draft(0, 'lock'), draft(1, 'lock'), draft(2, 'lock')];

    const first = await pool.connect();
    try {
      await first.query('begin');
      await insertEvents(first, [a]); // a has its seq, not yet committed
      const second = insertEvents(pool, [b]);
      // With the lock, b waits for a's transaction; without it, b commits at once (with a higher seq) and
      // the bus reads past a's seq.
      await until(async () => seen.has(b.id) || (await someoneWaitsForAnAdvisoryLock(pool)));
      await first.query('commit');
      await second;
    } finally {
      first.release();
    }
    await insertEvents(pool, [c]);
    await until(() => seen.has(c.id));
    expect(seen.has(a.id), 'the event committed late was delivered').toBe(true);
    expect(seen.has(b.id)).toBe(true);
  });

  it('backfill from an old seq and join the live feed without gap or duplicate while writes continue', async () => {
    const { pool } = db.current;
    const recorded = recordingPool(pool);
    const bus = busOn(recorded.db, { batchSize: 100, pollMs: 200 });
    const runId = newId();
    const elsewhere = newId();
    const follower = collector(bus, 'nothing'); // keeps the shared live read moving meanwhile
    await follower.subscription;
    const before = await latestSeq(pool);
    const writer = createEventWriter(pool, { maxBatch: 50 });
    let n = 0;
    const writeSome = (count: number) => {
      for (let i = 0; i < count; i++) {
        writer.write(draft(n++, 'backlog', { runId }));
        writer.write(draft(-1, 'noise', { runId: elsewhere }));
      }
    };
    writeSome(1_500);
    await writer.flush();

    const late: LedgerEvent[] = [];
    const lateSubscription = await bus.subscribe(
      { fromSeq: before, filter: { runId } },
      (event) => void late.push(event),
    );
    const backlog = n;
    while (late.length < backlog) {
      writeSome(20);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writeSome(200);
    await writer.flush();
    // Past the table's last row it starts no more reads of its own (it joins the live feed).
    await until(async () => late.length >= n && lateSubscription.lastSeq >= (await latestSeq(pool)));
    expectInOrderWithoutGaps(late, n);

    // On the live feed, new events reach it through the shared, unfiltered read only.
    const filteredReads = () => recorded.rowReads().filter((query) => query.text.includes('run_id')).length;
    const filteredBefore = filteredReads();
    writeSome(10);
    await writer.close();
    await until(() => late.length >= n);
    expect(late).toHaveLength(n);
    expect(filteredReads()).toBe(filteredBefore);
  });

  it('share a catch-up read only between subscribers reading towards the same head', async () => {
    const { pool } = db.current;
    const runId = newId();
    // The real pool, except that the first catch-up read's rows are held back until a later subscriber has
    // taken the head (its max(seq)) and gone on to its own read.
    let phase: 'first read' | 'holding' | 'released' = 'first read';
    let firstReadRan!: () => void;
    const firstReadDone = new Promise<void>((resolve) => (firstReadRan = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const heldDb = {
      query: async (text: string, values?: unknown[]) => {
        const result = await pool.query(text, values);
        if (phase === 'first read' && text.includes('run_id')) {
          phase = 'holding';
          firstReadRan();
          await held;
        } else if (phase === 'holding' && text.startsWith('select max(seq)')) {
          phase = 'released';
          setImmediate(release);
        }
        return result;
      },
    } as Queryable;
    const bus = busOn(heldDb);
    const before = await latestSeq(pool);
    await insertEvents(
      pool,
      Array.from({ length: 100 }, (_, n) => draft(n, 'share', { runId })),
    );

    const first: LedgerEvent[] = [];
    await bus.subscribe({ fromSeq: before, filter: { runId } }, (event) => void first.push(event));
    await firstReadDone; // its read has run: it saw the first 100 rows only
    await insertEvents(
      pool,
      Array.from({ length: 10 }, (_, n) => draft(100 + n, 'share', { runId })),
    );
    const second: LedgerEvent[] = [];
    await bus.subscribe({ fromSeq: before, filter: { runId } }, (event) => void second.push(event));
    await until(() => first.length >= 110 && second.length >= 110);
    expectInOrderWithoutGaps(first, 110);
    expectInOrderWithoutGaps(second, 110);
  });

  it('plan event reads as ordered index scans that stop at the limit, without statistics and with them', async () => {
    const fresh = await createTestDatabase(inject('adminUrl'), inject('templateDatabase'));
    cleanup.push(() => fresh.drop());
    const pool = fresh.pool;
    // No ANALYZE, and autovacuum must not run one while the test looks.
    await pool.query('alter table events set (autovacuum_enabled = false)');
    const [busy, quiet, run, adw, orchestrator] = [newId(), newId(), newId(), newId(), newId()];
    // 50,000 rows; 90 % belong to one busy agent (the case a bitmap scan + sort reads in full).
    await pool.query(
      `insert into events (id, category, type, agent_id, run_id, adw_id, orchestrator_id, payload, occurred_at)
       select gen_random_uuid(), (array['hook', 'response', 'system'])[1 + g % 3], 'T',
              case when g % 10 = 0 then $2::uuid else $1::uuid end, $3, case when g % 2 = 0 then $4::uuid end,
              $5, jsonb_build_object('text', repeat('x', 500)), now()
         from generate_series(1, 50000) g`,
      [busy, quiet, run, adw, orchestrator],
    );
    const stats = await pool.query(
      `select reltuples from pg_class where relname = 'events'
       union all select count(*) from pg_stats where tablename = 'events'`,
    );
    expect(stats.rows.map((row) => Number(row.reltuples))).toEqual([-1, 0]); // never analysed

    const recorded = recordingPool(pool);
    const first = await pool.query<{ seq: number }>('select min(seq)::int as seq from events');
    const start = first.rows[0]!.seq - 1; // 50,000 rows behind
    const indexOf: [EventFilter, string][] = [
      [{ agentId: busy }, 'events_agent'],
      [{ agentId: quiet }, 'events_agent'],
      [{ agentId: busy, categories: ['hook'] }, 'events_agent'],
      [{ adwId: adw, agentId: busy, runId: run }, 'events_run'],
      [{ adwId: adw, categories: ['response', 'system'] }, 'events_adw'],
      [{ runId: run }, 'events_run'],
      [{ adwId: adw }, 'events_adw'],
      [{ orchestratorId: orchestrator }, 'events_orchestrator'],
      [{ categories: ['system'] }, 'events_pkey'],
      [{}, 'events_pkey'],
    ];
    const expectOrderedIndexScans = async (analysed: boolean) => {
      for (const [filter, index] of indexOf) {
        recorded.queries.length = 0;
        await readEventsAfter(recorded.db, start, filter, 1000); // a subscriber catching up, and the live read
        await seqBeforeLast(recorded.db, filter, 1000);
        await latestSeq(recorded.db, filter);
        for (const { text, values } of recorded.queries) {
          const plan = await explain(pool, text, values);
          expect(plan.nodes, `${text} ${JSON.stringify(values)}`).not.toContain('Sort');
          expect(plan.nodes).not.toContain('Seq Scan');
          expect(plan.nodes).not.toContain('Bitmap Heap Scan');
          if (analysed) continue; // which index, and how far it reads, is then the planner's informed choice
          expect(plan.indexes).toContain(index);
          // The scan stopped at the limit instead of visiting every matching row.
          if (text.startsWith('select * from events')) expect(plan.rowsScanned).toBeLessThanOrEqual(3_000);
        }
      }
    };
    await expectOrderedIndexScans(false);
    // Once the table has statistics (the usual case) the same shapes still plan without a sort.
    await pool.query('analyze events');
    await expectOrderedIndexScans(true);
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
