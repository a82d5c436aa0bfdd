/**
 * npm run bench:write-paths — where the server CPU of appending events goes: the same 500-row batches
 * written into the events table by each candidate statement, one connection, its backend's CPU read from
 * /proc/<pid>/stat (PostgreSQL must run on this machine). The measurements behind
 * docs/decisions/0016-ledger-write-path.md; printed, not written to the docs.
 *
 * Every variant runs on a truncated, checkpointed table, after a warm-up batch, three times in rotating
 * order; the median is printed. Rows are encoded inside the clock, so client CPU is each variant's own.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { copyFrom } from '../src/db/copy-from.ts';
import { appendLockKey, eventsChannel, insertEvents } from '../src/db/events.ts';
import { storableEvent } from '../src/db/event-append.ts';
import { storableText, storableValue } from '../src/db/storable.ts';
import { benchDatabase, load, machine, postgresCpuSeconds } from './support.ts';

const rows = Number(process.env.ROWS ?? 50_000);
const batch = 500;

const db = await benchDatabase();
const client = new pg.Client({ connectionString: db.url });
await client.connect();
const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
const agentId = newId();
const runId = newId();

function draft(n: number): EventDraft {
  return {
    id: newId(),
    category: 'hook',
    type: 'PostToolUse',
    agentId,
    runId,
    payload: {
      n,
      t: Date.now(),
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

if (postgresCpuSeconds(pid) === undefined)
  throw new Error('bench:write-paths reads /proc: run it where PostgreSQL runs');
const backendCpu = () => postgresCpuSeconds(pid)!;

const columns =
  'id, category, type, orchestrator_id, agent_id, run_id, session_id, adw_id, adw_step, payload, summary, occurred_at';
const recordType = `row(id uuid, category text, type text, orchestrator_id uuid, agent_id uuid, run_id uuid,
  session_id text, adw_id uuid, adw_step text, payload jsonb, summary text, occurred_at timestamptz)`;
const copyData = (drafts: EventDraft[]) => Buffer.concat(drafts.map((d) => storableEvent(d).row));
const staging = `create temp table if not exists events_staging (id uuid, category text, type text,
  orchestrator_id uuid, agent_id uuid, run_id uuid, session_id text, adw_id uuid, adw_step text, payload jsonb,
  summary text, occurred_at timestamptz) on commit delete rows`;

function json(drafts: EventDraft[]): string {
  return JSON.stringify(
    drafts.map((d) => ({
      id: d.id,
      category: d.category,
      type: d.type,
      agent_id: d.agentId ?? null,
      run_id: d.runId ?? null,
      payload: storableValue(d.payload ?? {}),
      summary: storableText(d.summary),
      occurred_at: d.occurredAt,
    })),
  );
}

const variants: Record<string, (drafts: EventDraft[]) => Promise<unknown>> = {
  'COPY, autocommit (the limit)': (drafts) =>
    copyFrom(client, `copy events (${columns}) from stdin`, copyData(drafts)),
  'COPY under the lock + NOTIFY, one message (new path)': (drafts) =>
    copyFrom(
      client,
      `begin; select pg_advisory_xact_lock(${appendLockKey}); copy events (${columns}) from stdin;
       select pg_notify('${eventsChannel}', currval('events_seq_seq')::text); commit`,
      copyData(drafts),
    ),
  'json_to_recordset, lock CTE, ON CONFLICT, NOTIFY (old path)': (drafts) => insertEvents(client, drafts),
  'json_to_recordset INSERT, nothing else': (drafts) =>
    client.query(
      `insert into events (${columns}) select ${columns} from json_to_recordset($1::json) as ${recordType}`,
      [json(drafts)],
    ),
  'json_to_recordset INSERT … ON CONFLICT (id) DO NOTHING': (drafts) =>
    client.query(
      `insert into events (${columns}) select ${columns} from json_to_recordset($1::json) as ${recordType}
       on conflict (id) do nothing`,
      [json(drafts)],
    ),
  'json_to_recordset parse only, no insert': (drafts) =>
    client.query(`select count(*) from json_to_recordset($1::json) as ${recordType}`, [json(drafts)]),
  'unnest of typed arrays … ON CONFLICT': (drafts) =>
    client.query(
      `insert into events (id, category, type, agent_id, run_id, payload, summary, occurred_at)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::jsonb[], $7::text[],
                            $8::timestamptz[])
       on conflict (id) do nothing`,
      [
        drafts.map((d) => d.id),
        drafts.map((d) => d.category),
        drafts.map((d) => d.type),
        drafts.map((d) => d.agentId ?? null),
        drafts.map((d) => d.runId ?? null),
        drafts.map((d) => JSON.stringify(storableValue(d.payload ?? {}))),
        drafts.map((d) => storableText(d.summary)),
        drafts.map((d) => d.occurredAt.toISOString()),
      ],
    ),
  'COPY into a temp table, then INSERT … SELECT … ON CONFLICT under the lock': async (drafts) => {
    await client.query(`begin; ${staging}`);
    await copyFrom(client, `copy events_staging (${columns}) from stdin`, copyData(drafts));
    await client.query(
      `select pg_advisory_xact_lock(${appendLockKey});
       insert into events (${columns}) select ${columns} from events_staging on conflict (id) do nothing; commit`,
    );
  },
  'COPY into a temp table only': async (drafts) => {
    await client.query(`begin; ${staging}`);
    await copyFrom(client, `copy events_staging (${columns}) from stdin`, copyData(drafts));
    await client.query('commit');
  },
};
// What each index costs COPY: the limit again with one index (or all of them) dropped, then restored.
const indexes: Record<string, [drop: string, restore: string]> = {
  events_pkey: ['alter table events drop constraint events_pkey', 'alter table events add primary key (seq)'],
  events_id_key: [
    'alter table events drop constraint events_id_key',
    'alter table events add constraint events_id_key unique (id)',
  ],
  events_agent: [
    'drop index events_agent',
    'create index events_agent on events (agent_id, seq) where agent_id is not null',
  ],
  events_run: [
    'drop index events_run',
    'create index events_run on events (run_id, seq) where run_id is not null',
  ],
};

async function measure(variant: (drafts: EventDraft[]) => Promise<unknown>) {
  await client.query('truncate events');
  await client.query('checkpoint').catch(() => {});
  await variant(Array.from({ length: batch }, (_, n) => draft(n)));
  await client.query('truncate events');
  const drafts = Array.from({ length: rows }, (_, n) => draft(n));
  const server = backendCpu();
  const clientCpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < drafts.length; i += batch) await variant(drafts.slice(i, i + batch));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(clientCpu);
  return {
    rate: rows / seconds,
    serverUs: ((backendCpu() - server) * 1e6) / rows,
    clientUs: (used.user + used.system) / rows,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
type Result = Awaited<ReturnType<typeof measure>>;
const results = new Map<string, Result[]>();
const copyLimit = variants['COPY, autocommit (the limit)']!;
const cases: [string, () => Promise<Result>][] = [
  ...Object.entries(variants).map(([name, variant]): [string, () => Promise<Result>] => [
    name,
    () => measure(variant),
  ]),
  ...Object.entries(indexes).map(([index, [drop, restore]]): [string, () => Promise<Result>] => [
    `COPY without ${index}`,
    async () => {
      await client.query(drop);
      try {
        return await measure(copyLimit);
      } finally {
        await client.query('truncate events');
        await client.query(restore);
      }
    },
  ]),
];
console.log(`${machine()}, ${db.where}, ${load()}; ${rows.toLocaleString('en')} rows in batches of ${batch}`);
for (let repetition = 0; repetition < 3; repetition++) {
  const rotated = [...cases.slice(repetition * 3), ...cases.slice(0, repetition * 3)];
  for (const [name, run] of rotated) results.set(name, [...(results.get(name) ?? []), await run()]);
}
console.log('| statement | server CPU per row | client CPU per row | rows/s (one connection, no overlap) |');
console.log('|---|---|---|---|');
for (const [name] of cases) {
  const list = results.get(name)!;
  const of = (key: keyof Result) => median(list.map((result) => result[key]));
  console.log(
    `| ${name} | ${of('serverUs').toFixed(1)} µs | ${of('clientUs').toFixed(1)} µs | ${Math.round(of('rate')).toLocaleString('en')} |`,
  );
}
console.log(load());
await client.end();
await db.close();
