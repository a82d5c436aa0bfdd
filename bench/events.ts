/**
 * npm run bench:events — the event writer and bus under load, against the raw insert limit.
 *
 * 1. Latency: a steady 20,000 events/s for 5 s; write→deliver latency per event at the subscribers.
 * 2. Sustained: events written at full speed through the writer (batched inserts + NOTIFY), delivered to
 *    two bus subscribers; events/s is what both subscribers received per second of wall time.
 * 3. Raw limit: the same rows inserted with one plain multi-row INSERT per 5,000 rows, nothing else.
 */
import { performance } from 'node:perf_hooks';
import { newId } from '../src/core/ids.ts';
import type { EventDraft } from '../src/core/events.ts';
import { createEventBus } from '../src/db/event-bus.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { benchDatabase, machine, percentile, writeSection } from './support.ts';

const sustainedCount = 200_000;
const steadyRate = 20_000;
const steadySeconds = 5;
const rawCount = 200_000;

const db = await benchDatabase();
const agent = await db.pool.query(
  `insert into agents (name, model, working_dir) values ('bench', 'm', '/tmp') returning id`,
);
const agentId: string = agent.rows[0].id;
const run = await db.pool.query(
  `insert into agent_runs (agent_id, model, working_dir, host, pid) values ($1, 'm', '/tmp', 'bench', 1) returning id`,
  [agentId],
);
const runId: string = run.rows[0].id;

// A typical hook event: a tool call with a modest input.
function draft(phase: string, n: number): EventDraft {
  return {
    id: newId(),
    category: 'hook',
    type: 'PostToolUse',
    agentId,
    runId,
    payload: {
      phase,
      n,
      t: performance.timeOrigin + performance.now(),
      tool_name: 'Edit',
      tool_input: {
        file_path: '/work/project/src/app.ts',
        old_string: 'const a = 1;',
        new_string: 'const a = 2;',
      },
      tool_response: {
        filePath: '/work/project/src/app.ts',
        structuredPatch: [{ lines: ['-const a = 1;', '+const a = 2;'] }],
      },
    },
    summary: 'Edit src/app.ts (+1 −1) ✓',
    occurredAt: new Date(),
  };
}

const bus = createEventBus(db.url, db.pool, { pollMs: 1_000 });
const writer = createEventWriter(db.pool, { maxBatch: 1_000, flushMs: 5 });

async function measure(phase: string, produce: () => Promise<void>, expected: number) {
  const latencies: number[][] = [[], []];
  const counts = [0, 0];
  let lastDelivery = 0;
  const subscriptions = await Promise.all(
    [0, 1].map((i) =>
      bus.subscribe({ filter: { runId } }, (event) => {
        if (event.payload.phase !== phase) return;
        const now = performance.timeOrigin + performance.now();
        latencies[i]!.push(now - (event.payload.t as number));
        counts[i]! += 1;
        lastDelivery = now;
      }),
    ),
  );
  const started = performance.timeOrigin + performance.now();
  await produce();
  await writer.flush();
  while (counts[0]! < expected || counts[1]! < expected)
    await new Promise((resolve) => setTimeout(resolve, 5));
  subscriptions.forEach((subscription) => subscription.close());
  const all = [...latencies[0]!, ...latencies[1]!].sort((a, b) => a - b);
  return {
    seconds: (lastDelivery - started) / 1000,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: all.at(-1)!,
  };
}

const steady = await measure(
  'steady',
  async () => {
    const perTick = steadyRate / 100;
    const start = performance.now();
    for (let tick = 0; tick < steadySeconds * 100; tick++) {
      for (let i = 0; i < perTick; i++) writer.write(draft('steady', tick * perTick + i));
      const due = start + (tick + 1) * 10;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
  },
  steadyRate * steadySeconds,
);

const sustained = await measure(
  'sustained',
  async () => {
    for (let n = 0; n < sustainedCount; n++) {
      writer.write(draft('sustained', n));
      // Let the writer and the subscribers run, as they would beside agents producing events.
      if (n % 2_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  },
  sustainedCount,
);
const sustainedRate = sustainedCount / sustained.seconds;

// The limit: the same rows, one plain multi-row INSERT per 5,000, no lock, no NOTIFY, nobody reading.
const rawRows = Array.from({ length: rawCount }, (_, n) => draft('raw', n));
const rawStart = performance.now();
for (let i = 0; i < rawRows.length; i += 5_000) {
  const rows = rawRows.slice(i, i + 5_000).map((row) => ({
    id: row.id,
    category: row.category,
    type: row.type,
    agent_id: row.agentId,
    run_id: row.runId,
    payload: row.payload,
    summary: row.summary,
    occurred_at: row.occurredAt,
  }));
  await db.pool.query(
    `insert into events (id, category, type, agent_id, run_id, payload, summary, occurred_at)
     select * from json_to_recordset($1::json) as row(id uuid, category text, type text, agent_id uuid, run_id uuid,
                                                      payload jsonb, summary text, occurred_at timestamptz)`,
    [JSON.stringify(rows)],
  );
}
const rawRate = rawCount / ((performance.now() - rawStart) / 1000);

await writer.close();
await bus.close();
const where = db.where;
await db.close();

const ratio = sustainedRate / rawRate;
const verdict = (ok: boolean) => (ok ? 'meets target' : '**misses target**');
const report = `
## Event writer and bus (\`npm run bench:events\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${where}. Two subscribers on one bus;
each event is a ~600-byte PostToolUse row with agent and run references.

| measure | result | target |
|---|---|---|
| sustained throughput, writer → both subscribers (${sustainedCount.toLocaleString('en')} events) | ${Math.round(sustainedRate).toLocaleString('en')} events/s | ≥ 20,000 events/s: ${verdict(sustainedRate >= 20_000)} |
| write → deliver latency at a steady ${steadyRate.toLocaleString('en')} events/s (${steadySeconds} s) | p50 ${steady.p50.toFixed(1)} ms, p99 ${steady.p99.toFixed(1)} ms, max ${steady.max.toFixed(1)} ms | p99 ≤ 100 ms: ${verdict(steady.p99 <= 100)} |
| latency during the sustained run | p50 ${sustained.p50.toFixed(0)} ms, p99 ${sustained.p99.toFixed(0)} ms | (queueing at full speed) |
| raw limit: multi-row INSERT of 5,000 rows at a time | ${Math.round(rawRate).toLocaleString('en')} rows/s | |
| writer throughput / raw limit | ${(ratio * 100).toFixed(0)} % | ≥ 50 %: ${verdict(ratio >= 0.5)} |
`;
console.log(report);
await writeSection('events', report);
