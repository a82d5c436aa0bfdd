/**
 * npm run bench:events [-- --quick] — the event writer and bus, each figure beside a limit measured in the
 * same run, on the same table.
 *
 * 1. Throughput: rows through createEventWriter (the real path: redaction, capping, encoding, batching,
 *    the append lock, NOTIFY) against COPY of the same rows, encoded before the clock starts, into the
 *    same table with the same indexes. The table is truncated and checkpointed before every phase, the
 *    phases alternate in order across repetitions, and a warm-up of each is not counted. Server CPU is
 *    read from /proc for the backends of each phase.
 * 2. Latency: write → deliver at a steady offered rate, each rate for a steady window after a warm-up,
 *    rising until p99 leaves the floor (the knee); then 4 and 16 subscribers, on one shared filter (every
 *    subscriber gets every event) or on distinct ones (one run each), around that knee.
 * 3. Back-pressure: producers offering twice the writer's throughput for a minute, with the default
 *    buffer budget: buffered bytes and memory (PSS) stay bounded, producers wait, every event lands.
 *
 * --quick runs each part briefly (a smoke run while changing the code) and does not write the docs.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import type { EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { copyFrom } from '../src/db/copy-from.ts';
import { storableEvent } from '../src/db/event-append.ts';
import { createEventBus } from '../src/db/event-bus.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { createPool } from '../src/db/pool.ts';
import {
  benchDatabase,
  load,
  machine,
  mib,
  percentile,
  processMemory,
  serverCpu,
  writeSection,
} from './support.ts';

const quick = process.argv.includes('--quick');
const plan = quick
  ? {
      rows: 20_000,
      repetitions: 3,
      warmSeconds: 1,
      steadySeconds: 3,
      rates: [1_000, 16_000, 64_000],
      pressureSeconds: 8,
    }
  : {
      rows: 100_000,
      repetitions: 3,
      warmSeconds: 3,
      steadySeconds: 30,
      rates: [1_000, 4_000, 16_000, 32_000, 48_000, 64_000],
      pressureSeconds: 60,
    };
const copyChunk = 10_000; // rows per COPY statement (and transaction) of the limit
const began = performance.now();

const db = await benchDatabase();
const writerPool = createPool(db.url, { applicationName: 'bench-writer' });
const busPool = createPool(db.url, { applicationName: 'bench-bus' });
const meter = await serverCpu(db.pool);
const startLoad = load();
const now = () => performance.timeOrigin + performance.now();

// A typical hook event (~500 bytes stored): a tool call with a modest input and its response.
const agentId = newId();
const runId = newId();
function draft(phase: string, n: number, runId: string, id = newId()): EventDraft {
  return {
    id,
    category: 'hook',
    type: 'PostToolUse',
    agentId,
    runId,
    payload: {
      phase,
      n,
      t: now(),
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

async function storedRows(): Promise<number> {
  return (await db.pool.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n;
}

/** The same table state for every phase: empty, and no dirty pages of the last phase to write back. */
async function freshTable(): Promise<void> {
  await db.pool.query('truncate events');
  await db.pool.query('checkpoint').catch(() => {}); // needs a superuser; without it phases share the noise
}

interface Cost {
  seconds: number;
  /** Server CPU seconds by application_name; empty when PostgreSQL is not on this machine. */
  server: Map<string, number>;
  clientSeconds: number;
}

async function costOf(work: () => Promise<void>): Promise<Cost> {
  const server = meter?.();
  const client = process.cpuUsage();
  const start = performance.now();
  await work();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(client);
  return {
    seconds,
    server: (await server?.stop()) ?? new Map(),
    clientSeconds: (used.user + used.system) / 1e6,
  };
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

// ---- 1. Throughput -------------------------------------------------------------------------------

interface Throughput {
  rate: number;
  serverUs: number;
  clientUs: number;
}

/** The rows of one repetition: their ids, the same for both phases; the rest is `draft`'s. */
type Rows = readonly string[];
const rowOf = (ids: Rows, n: number) => draft('throughput', n, runId, ids[n]);

async function writerPhase(rows: Rows): Promise<Throughput> {
  const writer = createEventWriter(writerPool);
  const stream = writer.open();
  const cost = await costOf(async () => {
    for (let i = 0; i < rows.length; i++) {
      // Made as it is written, as an agent's events are: nothing of them outlives its insert.
      await stream.write(rowOf(rows, i));
      // Producers are agents' message loops: they let I/O (the writer's inserts) run between events.
      if (i % 100 === 99) await yieldToIo();
    }
    await stream.flush();
  });
  await writer.close();
  return throughputOf(cost, rows.length, 'bench-writer');
}

async function copyPhase(rows: Rows): Promise<Throughput> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < rows.length; i += copyChunk) {
    const chunk = rows.slice(i, i + copyChunk).map((_, j) => storableEvent(rowOf(rows, i + j)).row);
    chunks.push(Buffer.concat(chunk));
  }
  const client = await writerPool.connect();
  await client.query(`set application_name = 'bench-copy'`);
  try {
    const cost = await costOf(async () => {
      for (const chunk of chunks) {
        await copyFrom(
          client,
          'copy events (id, category, type, orchestrator_id, agent_id, run_id, session_id, adw_id, adw_step, payload, summary, occurred_at) from stdin',
          chunk,
        );
      }
    });
    return throughputOf(cost, rows.length, 'bench-copy');
  } finally {
    await client.query(`set application_name = 'bench-writer'`);
    client.release();
  }
}

async function throughputOf(cost: Cost, rows: number, app: string): Promise<Throughput> {
  const stored = await storedRows();
  if (stored !== rows) throw new Error(`${app}: ${stored} rows stored of ${rows}`);
  return {
    rate: rows / cost.seconds,
    serverUs: ((cost.server.get(app) ?? NaN) * 1e6) / rows,
    clientUs: (cost.clientSeconds * 1e6) / rows,
  };
}

const phases = { writer: writerPhase, copy: copyPhase };
type PhaseName = keyof typeof phases;
const results: Record<PhaseName, Throughput[]> = { writer: [], copy: [] };
for (const phase of Object.values(phases)) {
  await freshTable();
  await phase(Array.from({ length: plan.rows / 5 }, () => newId()));
}
for (let repetition = 0; repetition < plan.repetitions; repetition++) {
  const order: PhaseName[] = repetition % 2 === 0 ? ['writer', 'copy'] : ['copy', 'writer'];
  const rows = Array.from({ length: plan.rows }, () => newId());
  for (const name of order) {
    await freshTable();
    results[name].push(await phases[name](rows));
  }
}
await freshTable();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], format: (value: number) => string) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${format(median(sorted))} (${format(sorted[0]!)}–${format(sorted.at(-1)!)})`;
};
const count = (value: number) => Math.round(value).toLocaleString('en');
const micro = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1));
const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
const ratios = results.writer.map((writer, i) => writer.rate / results.copy[i]!.rate);
const writerRate = median(results.writer.map((result) => result.rate));
const throughputDone = load();

// ---- 2. Latency ----------------------------------------------------------------------------------

interface Latency {
  subscribers: number;
  filters: 'shared' | 'distinct';
  offered: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  busServerUs: number; // bus server CPU per event written
  load: string; // the machine's, as the phase ended
}

let latencyRun = 0;
async function latencyPhase(
  offered: number,
  subscribers: number,
  filters: 'shared' | 'distinct',
  seconds = plan.steadySeconds,
): Promise<Latency> {
  const tag = `latency-${latencyRun++}`;
  const runs = Array.from({ length: filters === 'distinct' ? subscribers : 1 }, () => newId());
  const bus = createEventBus(db.url, busPool, { pollMs: 1_000 });
  await bus.ready();
  const latencies: number[] = [];
  let delivered = 0;
  let measureFrom = Infinity;
  const subscriptions = await Promise.all(
    Array.from({ length: subscribers }, (_, i) =>
      bus.subscribe({ filter: { runId: runs[i % runs.length] } }, (event) => {
        if (event.payload.phase !== tag) return;
        delivered += 1;
        const t = event.payload.t as number;
        if (t >= measureFrom) latencies.push(now() - t);
      }),
    ),
  );
  const writer = createEventWriter(writerPool);
  const streams = runs.map(() => writer.open()); // one per run, as each agent run has its own
  let written = 0;
  const cost = await costOf(async () => {
    const start = performance.now();
    measureFrom = now() + plan.warmSeconds * 1000;
    const end = start + (plan.warmSeconds + seconds) * 1000;
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - start) / 1000) * offered);
      while (written < due) {
        const run = written % runs.length;
        await streams[run]!.write(draft(tag, written, runs[run]!));
        written += 1;
      }
      await sleep(2);
    }
    await writer.flush();
    const expected = written * (filters === 'shared' ? subscribers : 1);
    const deadline = performance.now() + 120_000;
    while (delivered < expected && performance.now() < deadline) await sleep(5);
    if (delivered < expected) throw new Error(`${tag}: ${delivered} deliveries of ${expected}`);
  });
  subscriptions.forEach((subscription) => subscription.close());
  await bus.close();
  await writer.close();
  latencies.sort((a, b) => a - b);
  const busServer = (cost.server.get('bench-bus') ?? NaN) + (cost.server.get('baton-listener') ?? 0);
  const result: Latency = {
    subscribers,
    filters,
    offered,
    achieved: written / (plan.warmSeconds + seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1)!,
    busServerUs: (busServer * 1e6) / written,
    load: loadavg()[0]!.toFixed(1),
  };
  console.log(
    `latency: ${subscribers} ${filters}, ${count(offered)}/s offered: p50 ${result.p50.toFixed(1)} ms, ` +
      `p99 ${result.p99.toFixed(1)} ms (${load()})`,
  );
  await freshTable();
  return result;
}

await latencyPhase(plan.rates[0]!, 1, 'shared', plan.warmSeconds * 2); // the bus and writer warmed up, not counted
const sweep: Latency[] = [];
/**
 * Whether p99 at the i-th rate has left the floor: more than twice the lowest p99 of the rates below it,
 * plus 10 ms. The knee is the first rate from which p99 stays off the floor, so it needs the next rate
 * off it too (on a shared machine one window can be slow by chance), unless the producers could not even
 * write at that rate: then it is past what the machine sustains.
 */
const offAt = (i: number) =>
  i > 0 && i < sweep.length && sweep[i]!.p99 > 2 * Math.min(...sweep.slice(0, i).map((r) => r.p99)) + 10;
const overloaded = (i: number) => sweep[i]!.achieved < 0.9 * sweep[i]!.offered;
const isKnee = (i: number) => offAt(i) && (offAt(i + 1) || overloaded(i) || i === sweep.length - 1);
for (const rate of plan.rates) {
  if (rate > 2 * writerRate) break;
  sweep.push(await latencyPhase(rate, 1, 'shared'));
  if (isKnee(sweep.length - 1) && (overloaded(sweep.length - 1) || offAt(sweep.length - 2))) break;
}
const kneeIndex = sweep.findIndex((_, i) => isKnee(i));
const knee = kneeIndex >= 0 ? sweep[kneeIndex] : undefined;
const lastOnFloor = sweep[(kneeIndex >= 0 ? kneeIndex : sweep.length) - 1] ?? sweep[0]!;
const fanOut: Latency[] = [];
// 4 subscribers at the last rate on the floor, 16 there and at the knee: a run stays under ten minutes.
for (const [subscribers, rates] of [
  [4, [lastOnFloor.offered]],
  [16, [...new Set([lastOnFloor.offered, (knee ?? sweep.at(-1)!).offered])]],
] as const) {
  for (const filters of ['shared', 'distinct'] as const) {
    for (const rate of rates) fanOut.push(await latencyPhase(rate, subscribers, filters));
  }
}

// ---- 3. Back-pressure ----------------------------------------------------------------------------

const pressureRate = 2 * writerRate;
const pressureWriter = createEventWriter(writerPool); // the default budget, as baton runs it
const budget = 64 * 2 ** 20;
const producers = Array.from({ length: 4 }, () => pressureWriter.open());
const memoryBefore = processMemory();
let mostBuffered = 0;
let mostRss = 0;
const pssByThird = [0, 0, 0]; // the most PSS in each third of the phase: flat if memory is bounded
const pressureStart = performance.now();
const memorySampler = setInterval(() => {
  const memory = processMemory();
  mostBuffered = Math.max(mostBuffered, pressureWriter.bufferedBytes);
  mostRss = Math.max(mostRss, memory.rss);
  const third = Math.floor((performance.now() - pressureStart) / ((plan.pressureSeconds * 1000) / 3));
  pssByThird[Math.min(2, third)] = Math.max(pssByThird[Math.min(2, third)]!, memory.pss);
}, 100);
let pressureWritten = 0;
const pressureCost = await costOf(async () => {
  const end = pressureStart + plan.pressureSeconds * 1000;
  // Four producers, each owing its share of the offered rate; a write waits while the buffer is full.
  await Promise.all(
    producers.map(async (stream, p) => {
      let mine = 0;
      while (performance.now() < end) {
        const due = Math.floor(
          ((performance.now() - pressureStart) / 1000) * (pressureRate / producers.length),
        );
        while (mine < due && performance.now() < end) {
          await stream.write(draft('pressure', p * 1e9 + mine, runId));
          mine += 1;
          pressureWritten += 1;
          if (mine % 100 === 0) await yieldToIo();
        }
        await sleep(2);
      }
    }),
  );
  await pressureWriter.flush();
});
clearInterval(memorySampler);
await pressureWriter.close();
const pressureStored = await storedRows();
const producerWaitSeconds = sum(producers.map((stream) => stream.waitedMs)) / 1000;
await freshTable();

// ---- Report --------------------------------------------------------------------------------------

await writerPool.end();
await busPool.end();
const where = db.where;
await db.close();
const elapsed = (performance.now() - began) / 1000;

const throughputRow = (name: string, list: Throughput[]) => {
  const of = (key: keyof Throughput, format: (value: number) => string) =>
    spread(
      list.map((result) => result[key]),
      format,
    );
  return `| ${name} | ${of('rate', count)} | ${of('serverUs', micro)} µs | ${of('clientUs', micro)} µs |`;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const latencyRow = (result: Latency) =>
  `| ${result.subscribers} | ${result.filters} | ${count(result.offered)} | ${count(result.achieved)} | ${ms(result.p50)} | ${ms(result.p99)} | ${ms(result.max)} | ${micro(result.busServerUs)} µs | ${result.load} |`;
const serverNote = meter
  ? 'utime + stime of the bench connections’ backends from /proc/<pid>/stat, sampled every 200 ms'
  : 'not measured: PostgreSQL does not run on this machine';
const report = `
## Event writer and bus (\`npm run bench:events\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${where}, in ${(elapsed / 60).toFixed(1)} minutes.
The machine is shared: ${startLoad} at the start, ${throughputDone} after the throughput part. Absolute figures
vary from run to run with what else runs; the ratios, measured in one window, are the result. Each event is a
PostToolUse row of ${storableEvent(draft('size', 0, runId)).row.length} bytes (agent and run set, so 4 of the
table's 6 indexes take it). Server CPU: ${serverNote}.

### Throughput: the writer against COPY

${plan.rows.toLocaleString('en')} rows per phase, ${plan.repetitions} repetitions alternating the order (writer
first, then COPY first…), a warm-up of each excluded; before every phase the table is truncated and
checkpointed. **Writer**: \`createEventWriter\` with its defaults, one producer making each draft as it writes it (yielding
to I/O every 100, as an agent's message loop would), until its flush resolves: redaction, capping, encoding, batching, the append lock and NOTIFY
included. **COPY**: the same rows, encoded before the clock starts, as \`COPY events … FROM STDIN\` of
${copyChunk.toLocaleString('en')} rows per statement (one transaction each) on one connection.
Median (min–max) of the repetitions.

| | rows/s | server CPU per row | client CPU per row |
|---|---|---|---|
${throughputRow('writer', results.writer)}
${throughputRow('COPY (the limit)', results.copy)}
| **writer / COPY**, paired by repetition | **${spread(ratios, percent)}** | | |

### Write → deliver latency

Each offered rate is held for ${plan.warmSeconds} s of warm-up, not counted, then ${plan.steadySeconds} s measured:
producers write on a 2 ms schedule (one stream per run), each subscriber's handler takes the time from the
write call to its delivery. One subscriber first, rising until p99 is off the floor (more than twice the lowest
p99 of the rates below, plus 10 ms) at two rates in a row, or at one the producers could not keep up with; the
first such rate is the knee. Then 4 subscribers at the last rate on the floor, and 16 there and at the knee. *Shared*: every subscriber follows the same run, so each event is
delivered to all. *Distinct*: each follows its own run, the events spread evenly over them. Bus server CPU is
the bus's reads and its LISTEN connection, per event written; load is the machine's 1-minute load average
as the phase ended.

| subscribers | filters | offered /s | achieved /s | p50 | p99 | max | bus server CPU per event | load |
|---|---|---|---|---|---|---|---|---|
${[...sweep, ...fanOut].map(latencyRow).join('\n')}

${knee ? `The knee, for one subscriber, is between ${count(lastOnFloor.offered)} and ${count(knee.offered)} events/s.` : `p99 did not leave the floor up to ${count(sweep.at(-1)!.offered)} events/s.`}

### Back-pressure

Four producers offering ${count(pressureRate)} events/s (twice the writer's median throughput above) for
${plan.pressureSeconds} s, through one writer with the default budget (${mib(budget)}); a write waits while the
buffer is full. Memory is this process's PSS (\`/proc/self/smaps_rollup\`).

| measure | result |
|---|---|
| events written / stored (rows counted) | ${pressureWritten.toLocaleString('en')} / ${pressureStored.toLocaleString('en')}${pressureWritten === pressureStored ? '' : ' **(lost events)**'} |
| achieved rate | ${count(pressureWritten / pressureCost.seconds)} events/s |
| most bytes buffered | ${mib(mostBuffered)} (budget ${mib(budget)}) |
| PSS before → most in each third of the phase | ${mib(memoryBefore.pss)} → ${pssByThird.map(mib).join(', ')} |
| RSS before → most | ${mib(memoryBefore.rss)} → ${mib(mostRss)} |
| producers' wait for room, in all | ${producerWaitSeconds.toFixed(1)} s of ${(producers.length * plan.pressureSeconds).toFixed(0)} producer-seconds |
`;
console.log(report);
if (!quick) await writeSection('events', report);
