/**
 * npm run chaos — a fault run against real workers: 10 ADWs (plan → build → review → fix) on three
 * `baton worker` processes, while workers are SIGKILLed and SIGTERMed at random points (and replaced) and
 * PostgreSQL is restarted twice. Then it checks what baton promises:
 * - every ADW settled: succeeded, or failed with its error (none left running, pending or paused);
 * - no event duplicated, every run ended (RunEnded), every ADW ended (AdwEnded);
 * - every step completed at most once;
 * - no Claude Code process left running;
 * - session_entries hold every transcript entry Claude Code wrote locally;
 * - no planted secret in any column of any table.
 * Prints the figures and writes them to docs/benchmarks.md (section "chaos"). `--seed N` repeats a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { startServices } from '../src/services/services.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { findStoredSecrets } from '../src/testing/stored-secrets.ts';
import { machine, writeSection } from './support.ts';

const adwCount = 10;
const workerCount = 3;
const chaosSeconds = 75;
const seed = Number(process.argv[process.argv.indexOf('--seed') + 1]) || Date.now() % 100_000;
let state = seed;
/** A small seeded generator (mulberry32), so a run can be repeated with `--seed`. */
function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const planted = [
  'sk-ant-api03-CHAOSanthropicKEY00000000000',
  'ghp_CHAOSgithubTOKEN000000000000000000000',
  'DB_PASSWORD=CHAOSdbPASSWORD77',
  'postgres://app:CHAOSurlPASSWORD@db.internal:5432/app',
];
const needles = ['CHAOSanthropicKEY', 'CHAOSgithubTOKEN', 'CHAOSdbPASSWORD', 'CHAOSurlPASSWORD'];

const home = await mkdtemp(join(tmpdir(), 'baton-chaos-'));
const dataDir = join(home, 'postgres');
let database: EmbeddedDatabase = await startEmbeddedPostgres(dataDir);
const pool = createPool(database.url, { max: 4 });
await migrate(pool);
const repo = await createSampleRepository(home);
const usage = { input_tokens: 1_500, output_tokens: 200 };
// Every model call takes a moment, so kills and restarts land in the middle of steps.
const script = adwScript({ verdict: 'FAIL', usage }).map((turn) => ({
  ...turn,
  delayMs: 300 + Math.round(random() * 900),
}));
const model = await startFakeModelServer({ script });
const env = {
  PATH: process.env.PATH ?? '',
  HOME: home, // Claude Code's shell sources the user's profile: keep it out
  DATABASE_URL: database.url,
  BATON_HOME: join(home, 'baton'),
  BATON_FROM_SOURCE: '1', // the workers run the sources as they are, not a dist/ built earlier
  ANTHROPIC_BASE_URL: model.url,
  ANTHROPIC_API_KEY: 'sk-ant-chaos-not-real',
  BATON_SUMMARIES: 'off',
  BATON_MODEL_MAX_RETRIES: '2',
  NO_COLOR: '1',
};
const batonBin = fileURLToPath(new URL('../bin/baton.js', import.meta.url));
const counts = { sigkill: 0, sigterm: 0, restarts: 0, workersStarted: 0 };

interface Worker {
  child: ChildProcess;
  exited: Promise<number | null>;
  log: string;
}
const workers: Worker[] = [];
function startWorker(): Worker {
  const child = spawn(process.execPath, [batonBin, 'worker', '--concurrency', '2'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: Worker = { child, exited: new Promise((resolve) => child.on('close', resolve)), log: '' };
  child.stdout!.on('data', (chunk: Buffer) => (worker.log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (worker.log += chunk.toString()));
  counts.workersStarted += 1;
  return worker;
}
for (let i = 0; i < workerCount; i++) workers.push(startWorker());

// The ADWs, started from this process (it runs no worker).
const services = await startServices(loadConfig(env));
const adws = await services.adws();
const ids: string[] = [];
for (let i = 0; i < adwCount; i++) {
  const row = await adws.start({
    workflow: 'plan_build_review_fix',
    prompt: `Add a farewell function (${i}); deploy with ${planted.join(' ')}`,
    cwd: repo,
  });
  ids.push(row.id);
}
const startedAt = Date.now();
console.log(`chaos: seed ${seed}, ${adwCount} ADWs, ${workerCount} workers, data in ${home}`);

const settledStatuses = ['succeeded', 'failed', 'cancelled'];
async function unsettled(): Promise<number> {
  try {
    const result = await pool.query<{ n: number }>(
      `select count(*)::int as n from adws where id = any($1) and status <> all($2)`,
      [ids, settledStatuses],
    );
    return result.rows[0]!.n;
  } catch {
    return ids.length; // the database is restarting
  }
}

// The faults: a random worker killed or stopped every few seconds (and replaced), two restarts.
const restartAt = [chaosSeconds * 0.3, chaosSeconds * 0.65].map((seconds) => startedAt + seconds * 1000);
while (Date.now() - startedAt < chaosSeconds * 1000 && (await unsettled()) > 0) {
  await sleep(2_000 + random() * 4_000);
  if (restartAt.length && Date.now() >= restartAt[0]!) {
    restartAt.shift();
    await database.stop({ force: true });
    await sleep(1_000 + random() * 2_000);
    database = await startEmbeddedPostgres(dataDir);
    counts.restarts += 1;
    console.log(`chaos: PostgreSQL restarted (${counts.restarts})`);
    continue;
  }
  const victim = workers.splice(Math.floor(random() * workers.length), 1)[0]!;
  const signal = random() < 0.5 ? 'SIGKILL' : 'SIGTERM';
  victim.child.kill(signal);
  counts[signal === 'SIGKILL' ? 'sigkill' : 'sigterm'] += 1;
  workers.push(startWorker());
  console.log(`chaos: ${signal} to a worker; ${await unsettled()} ADWs still open`);
}
while (restartAt.length) {
  restartAt.shift();
  await database.stop({ force: true });
  await sleep(1_000);
  database = await startEmbeddedPostgres(dataDir);
  counts.restarts += 1;
}

// Then the workers finish the work in peace.
const deadline = Date.now() + 10 * 60_000;
while ((await unsettled()) > 0 && Date.now() < deadline) await sleep(1_000);
const settleSeconds = (Date.now() - startedAt) / 1000;
for (const worker of workers) worker.child.kill('SIGTERM');
await Promise.all(workers.map((worker) => worker.exited));
await sleep(1_000);

// The checks.
const one = async <T>(sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows[0] as T;
const statuses = (
  await pool.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from adws where id = any($1) group by status`,
    [ids],
  )
).rows;
const failedWithoutError = (
  await one<{ n: number }>(
    `select count(*)::int as n from adws where id = any($1) and status = 'failed' and error_message is null`,
    [ids],
  )
).n;
const duplicateEvents = (
  await one<{ n: number }>(
    'select count(*)::int as n from (select id from events group by id having count(*) > 1) d',
  )
).n;
const runsWithoutEnd = (
  await one<{ n: number }>(
    `select count(*)::int as n from agent_runs r
    where not exists (select 1 from events e where e.run_id = r.id and e.type = 'RunEnded')`,
  )
).n;
const runsStillRunning = (
  await one<{ n: number }>(`select count(*)::int as n from agent_runs where status = 'running'`)
).n;
const adwsWithoutEnd = (
  await one<{ n: number }>(
    `select count(*)::int as n from adws a where id = any($1)
     and not exists (select 1 from events e where e.adw_id = a.id and e.type = 'AdwEnded')`,
    [ids],
  )
).n;
const stepsCompletedTwice = (
  await one<{ n: number }>(
    `select count(*)::int as n from (
     select adw_id, payload->>'index' from events where type = 'StepEnd' and payload->>'status' = 'succeeded'
      group by 1, 2 having count(*) > 1) twice`,
  )
).n;
// An event lost from the middle of a run shows as a tool call without its result (or the reverse).
const unpairedToolEvents = (
  await one<{ n: number }>(
    `select count(*)::int as n from events call
      where call.type in ('ToolUseBlock', 'PreToolUse')
        and exists (select 1 from agent_runs r where r.id = call.run_id and r.status = 'succeeded')
        and not exists (select 1 from events answer where answer.run_id = call.run_id
              and answer.type = any(case call.type when 'ToolUseBlock' then array['ToolResultBlock']
                                    else array['PostToolUse', 'PostToolUseFailure'] end)
              and answer.payload->>'tool_use_id' = call.payload->>'tool_use_id')`,
  )
).n;
const events = (await one<{ n: number }>('select count(*)::int as n from events')).n;
const attempts = (await one<{ n: number }>('select count(*)::int as n from agent_runs')).n;
const orphans = orphanProcesses(env.BATON_HOME);
const transcripts = await transcriptCompleteness(join(env.BATON_HOME, 'claude', 'projects'));
const secretsFound = await findStoredSecrets(pool, needles);

const outcome = statuses.map((row) => `${row.n} ${row.status}`).join(', ');
const ok =
  statuses.every((row) => settledStatuses.includes(row.status) && row.status !== 'cancelled') &&
  failedWithoutError === 0 &&
  duplicateEvents === 0 &&
  unpairedToolEvents === 0 &&
  runsWithoutEnd === 0 &&
  runsStillRunning === 0 &&
  adwsWithoutEnd === 0 &&
  stepsCompletedTwice === 0 &&
  orphans === 0 &&
  transcripts.missing === 0 &&
  secretsFound.length === 0;
const table = `
Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, embedded PostgreSQL (restarted by the run), seed ${seed}.
${adwCount} plan_build_review_fix ADWs on ${workerCount} \`baton worker\` processes (2 steps each at a time) against the
fake model (every call 0.3–1.2 s); for ${chaosSeconds} s a random worker got SIGKILL or SIGTERM every 2–6 s and was replaced,
and PostgreSQL was restarted twice (1–3 s down each time).

| measure | result | expected |
|---|---|---|
| faults | ${counts.sigkill} SIGKILL, ${counts.sigterm} SIGTERM, ${counts.restarts} PostgreSQL restarts, ${counts.workersStarted} workers started | |
| ADWs settled | ${outcome} (all settled after ${settleSeconds.toFixed(0)} s) | every ADW succeeded, or failed with its error |
| failed ADWs without an error | ${failedWithoutError} | 0 |
| events | ${events} stored, ${duplicateEvents} duplicated; ${unpairedToolEvents} tool calls of finished runs without their result | 0, 0 |
| agent runs (attempts, follow-ups) | ${attempts}; ${runsWithoutEnd} without a RunEnded, ${runsStillRunning} still running | 0, 0 |
| ADWs without AdwEnded | ${adwsWithoutEnd} | 0 |
| steps completed more than once | ${stepsCompletedTwice} | 0 |
| Claude Code processes left running | ${orphans} | 0 |
| transcript entries mirrored (session_entries) | ${transcripts.stored} of ${transcripts.local} in ${transcripts.sessions} sessions (${transcripts.missing} missing) | all |
| planted secrets found in the database | ${secretsFound.length ? secretsFound.join('; ') : 'none'} | none |
| verdict | ${ok ? 'every check holds' : 'CHECKS FAILED'} | |
`;
console.log(table);
await writeSection('chaos', `## Faults (\`npm run chaos\`)\n${table}`);
if (!ok) {
  for (const [i, worker] of workers.entries())
    console.log(`--- worker ${i} log tail\n${worker.log.slice(-2_000)}`);
}
await services.close();
await model.close();
await pool.end();
await database.stop({ force: true });
if (ok) await rm(home, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;

/** Claude Code processes started with this run's config directory that are still alive. */
function orphanProcesses(batonHome: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (environment.includes(`CLAUDE_CONFIG_DIR=${join(batonHome, 'claude')}`)) count += 1;
    } catch {
      // gone, or not ours to read
    }
  }
  return count;
}

/** Every transcript entry (with a uuid) Claude Code wrote locally, against what session_entries holds. */
async function transcriptCompleteness(projects: string) {
  let local = 0;
  let stored = 0;
  let sessions = 0;
  const files = readdirSync(projects, { recursive: true, encoding: 'utf8' }).filter(
    (file) =>
      file.endsWith('.jsonl') && statSync(join(projects, file)).isFile() && !file.includes('/subagents/'),
  );
  for (const file of files) {
    const sessionId = file
      .split('/')
      .pop()!
      .replace(/\.jsonl$/, '');
    const uuids = readFileSync(join(projects, file), 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          const uuid = (JSON.parse(line) as { uuid?: unknown }).uuid;
          return typeof uuid === 'string' ? [uuid] : [];
        } catch {
          return [];
        }
      });
    if (uuids.length === 0) continue;
    sessions += 1;
    const found = await pool.query<{ uuid: string }>(
      `select uuid from session_entries where session_id = $1 and subpath = '' and uuid = any($2)`,
      [sessionId, uuids],
    );
    local += new Set(uuids).size;
    stored += found.rowCount ?? 0;
  }
  return { local, stored, sessions, missing: local - stored };
}
