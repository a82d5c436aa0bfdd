import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { publishStreamDelta } from '../src/db/event-bus.ts';
import { insertEvents, readEventsAfter } from '../src/db/events.ts';
import type { Queryable } from '../src/db/pool.ts';
import { useTestDatabase } from './helpers/database.ts';
import { connectClient, useServerHarness, type TestClient } from './helpers/server.ts';
import { until } from './helpers/wait.ts';

function draft(scope: Partial<EventDraft> = {}, payload: Record<string, unknown> = {}): EventDraft {
  return {
    id: newId(),
    category: 'response',
    type: 'TextBlock',
    payload: { text: 'hello', ...payload },
    occurredAt: new Date(),
    ...scope,
  };
}

async function append(
  db: Queryable,
  count: number,
  scope: Partial<EventDraft> = {},
  size = 0,
): Promise<void> {
  const padding = 'x'.repeat(size);
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) =>
      draft(scope, { n: start + i, padding }),
    );
    await insertEvents(db, batch);
  }
}

async function seqsAfter(db: Queryable, fromSeq: number, filter = {}): Promise<number[]> {
  return (await readEventsAfter(db, fromSeq, filter, 100_000)).map((event) => event.seq);
}

/** Waits until the client has `count` events of `topic`. */
function receive(client: TestClient, topic: string, count: number) {
  return until(
    async () => (client.seqs(topic).length >= count ? true : undefined),
    `${count} events on ${topic} (have ${client.seqs(topic).length})`,
  );
}

describe('the WebSocket: topics from a seq, backfill then live, gap-free; slow clients resync', () => {
  const db = useTestDatabase();
  const harness = useServerHarness(db);

  it('a client subscribing from seq N gets the backfill, then live events, in seq order, each once; reconnecting from its last seq misses nothing and repeats nothing', async () => {
    const server = await harness.setUp();
    const origin = await server.listen();
    const pool = db.current.pool;
    const agentId = newId();
    await append(pool, 300, { agentId });
    await append(pool, 100);
    const all = await seqsAfter(pool, 0);
    const fromSeq = all[149]!;

    const client = await connectClient(origin);
    client.send({ type: 'subscribe', topic: 'all', fromSeq });
    client.send({ type: 'subscribe', topic: `agent:${agentId}`, fromSeq: 0 });
    expect((await client.next('subscription.started', (m) => m.topic === 'all')).fromSeq).toBe(fromSeq);
    await receive(client, 'all', 250);
    // Live while it watches: written in several transactions, interleaved with other agents' events.
    for (let round = 0; round < 5; round += 1) {
      await append(pool, 20, { agentId });
      await append(pool, 10);
    }
    await receive(client, 'all', 400);
    expect(client.seqs('all')).toEqual(await seqsAfter(pool, fromSeq));
    await receive(client, `agent:${agentId}`, 400);
    expect(client.seqs(`agent:${agentId}`)).toEqual(await seqsAfter(pool, 0, { agentId }));

    // The connection drops; more is written meanwhile; it comes back from the last seq it saw.
    const last = client.seqs('all').at(-1)!;
    await client.close();
    await append(pool, 120);
    const again = await connectClient(origin);
    harness.defer(() => again.close());
    again.send({ type: 'subscribe', topic: 'all', fromSeq: last });
    await append(pool, 30);
    await receive(again, 'all', 150);
    const seen = [...client.seqs('all'), ...again.seqs('all')];
    expect(seen).toEqual(await seqsAfter(pool, fromSeq));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('a client that never reads does not slow another: the reader gets everything, the other a resync from where it stopped', async () => {
    const server = await harness.setUp({ limits: { wsBufferedBytes: 256 * 1024 } });
    const origin = await server.listen();
    const pool = db.current.pool;
    const start = (await seqsAfter(pool, 0)).at(-1) ?? 0;
    const reader = await connectClient(origin);
    const stalled = await connectClient(origin);
    harness.defer(() => reader.close());
    harness.defer(() => stalled.close());
    for (const client of [reader, stalled]) {
      client.send({ type: 'subscribe', topic: 'all', fromSeq: start });
      await client.next('subscription.started');
    }
    // The stalled client stops reading its socket: the kernel's buffers fill, then the server's.
    stalled.socket.pause();
    // ~48 MB, more than loopback's socket buffers (tcp_rmem + tcp_wmem maxima here are 32 + 4 MB), and
    // more events than the event feed queues for one subscriber (5000).
    const total = 12_000;
    await append(pool, total, {}, 4_000);
    await receive(reader, 'all', total);
    expect(reader.seqs('all')).toEqual(await seqsAfter(pool, start));
    expect(reader.messages.some((message) => message.type === 'resync')).toBe(false);

    // Reading again, the stalled client finds the events it was sent, then a resync that says where to go on.
    stalled.socket.resume();
    const resync = await stalled.next('resync');
    const got = stalled.seqs('all');
    expect(got.length).toBeLessThan(total);
    expect(resync).toMatchObject({ topic: 'all', fromSeq: got.at(-1) ?? start });
    expect(got).toEqual((await seqsAfter(pool, start)).slice(0, got.length));
    // Subscribing again from there, it gets the rest, without gaps or repeats.
    const mark = stalled.messages.length;
    stalled.send({ type: 'subscribe', topic: 'all', fromSeq: resync.fromSeq });
    await stalled.next('subscription.started', () => true, mark);
    await receive(stalled, 'all', total);
    expect(stalled.seqs('all')).toEqual(await seqsAfter(pool, start));
  });

  it('answers unknown message types, malformed frames and bad fields with typed errors and keeps serving', async () => {
    const server = await harness.setUp();
    const origin = await server.listen();
    const client = await connectClient(origin);
    harness.defer(() => client.close());
    await client.next('connection.opened');
    const errorAfter = async (frame: unknown) => {
      const mark = client.messages.length;
      client.send(frame);
      return client.next('error', () => true, mark);
    };
    expect(await errorAfter({ type: 'agent_broadcast', broadcast_type: 'agent_created' })).toMatchObject({
      code: 'unknown_type',
      field: 'type',
    });
    expect(await errorAfter('not json')).toMatchObject({ code: 'bad_message' });
    expect(await errorAfter([1, 2])).toMatchObject({ code: 'bad_message' });
    expect(await errorAfter({ type: 'subscribe', topic: 'agent:robert' })).toMatchObject({
      code: 'bad_field',
      field: 'topic',
    });
    expect(await errorAfter({ type: 'subscribe', topic: 'all', fromSeq: -1 })).toMatchObject({
      code: 'bad_field',
      field: 'fromSeq',
    });
    expect(await errorAfter({ type: 'subscribe', topic: 'all', extra: 1 })).toMatchObject({
      code: 'bad_field',
      field: 'extra',
    });
    expect(await errorAfter({ type: 'unsubscribe', topic: 'all' })).toMatchObject({ code: 'not_subscribed' });
    expect(await errorAfter({ type: 'subscribe', topic: 'orchestrator' })).toMatchObject({
      code: 'unavailable',
    });
    const mark = client.messages.length;
    client.send({ type: 'ping' });
    await client.next('heartbeat', () => true, mark);
    client.send({ type: 'subscribe', topic: 'all' });
    await client.next('subscription.started');
    await append(db.current.pool, 3);
    await receive(client, 'all', 3);
  });

  it('streams token fragments of a subscribed agent as event.delta, and sends heartbeats on a timer', async () => {
    const server = await harness.setUp({ limits: { heartbeatMs: 200 } });
    const origin = await server.listen();
    const agentId = newId();
    const client = await connectClient(origin);
    harness.defer(() => client.close());
    client.send({ type: 'subscribe', topic: `agent:${agentId}` });
    await client.next('subscription.started');
    await publishStreamDelta(db.current.pool, { agentId: newId(), index: 0, kind: 'text', text: 'not hers' });
    await publishStreamDelta(db.current.pool, { agentId, index: 0, kind: 'text', text: 'Hel' });
    await publishStreamDelta(db.current.pool, { agentId, index: 0, kind: 'text', text: 'lo' });
    await client.next('event.delta', (message) => message.delta.text === 'lo');
    const deltas = client.messages.flatMap((message) =>
      message.type === 'event.delta' ? [message.delta.text] : [],
    );
    expect(deltas).toEqual(['Hel', 'lo']);
    await client.next('heartbeat');
  });

  it("the orchestrator topic follows the workspace's orchestrator: its events and its turns' token fragments", async () => {
    const orchestrator = { id: newId(), agentId: newId() };
    const server = await harness.setUp({ orchestrator: async () => orchestrator });
    const client = await connectClient(await server.listen());
    harness.defer(() => client.close());
    client.send({ type: 'subscribe', topic: 'orchestrator' });
    await client.next('subscription.started');
    await insertEvents(db.current.pool, [
      draft({ orchestratorId: orchestrator.id, agentId: orchestrator.agentId }),
      draft({ agentId: newId() }),
      draft({ orchestratorId: orchestrator.id }),
    ]);
    await publishStreamDelta(db.current.pool, { agentId: newId(), index: 0, kind: 'text', text: 'other' });
    await publishStreamDelta(db.current.pool, {
      agentId: orchestrator.agentId,
      index: 0,
      kind: 'text',
      text: 'Hi',
    });
    await receive(client, 'orchestrator', 2);
    await client.next('event.delta', (message) => message.delta.text === 'Hi');
    expect(client.seqs('orchestrator')).toEqual(
      await seqsAfter(db.current.pool, 0, { orchestratorId: orchestrator.id }),
    );
    expect(client.messages.filter((message) => message.type === 'event.delta')).toHaveLength(1);
  });

  it('two server processes on one database both see every event', async () => {
    const first = await harness.setUp();
    const second = await harness.setUp({ services: await harness.services() });
    const clients = [await connectClient(await first.listen()), await connectClient(await second.listen())];
    const start = (await seqsAfter(db.current.pool, 0)).at(-1) ?? 0;
    for (const client of clients) {
      harness.defer(() => client.close());
      client.send({ type: 'subscribe', topic: 'all', fromSeq: start });
      await client.next('subscription.started');
    }
    // Written by one process's services: the other hears of it through LISTEN.
    await insertEvents(first.services.db.pool, [draft(), draft()]);
    await insertEvents(second.services.db.pool, [draft()]);
    const expected = await seqsAfter(db.current.pool, start);
    expect(expected).toHaveLength(3);
    for (const client of clients) {
      await receive(client, 'all', 3);
      expect(client.seqs('all')).toEqual(expected);
    }
  });
});
