/**
 * npm run bench:adw — the ADW engine's own cost, and 20 ADWs at once, against the fake model.
 *
 * 1. Overhead per step: plan_build_review_fix ADWs run one after another. A step's wall time is from the
 *    moment the previous step ended (or the ADW started) to its own end, as recorded in the ledger; the
 *    time inside the agent is the life of its Claude Code processes (agent_runs.agent_process_ms). The
 *    difference is baton's work: queueing, claiming, transitions, prompts, file tracking, artifact checks.
 * 2. Throughput: 20 plan_build_review_fix ADWs started at once on one repository (each in its own
 *    worktree), worked by one in-process worker; completion, total time and peak memory (this process
 *    plus every Claude Code process, sampled from /proc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.ts';
import { adwScript } from '../src/demo/adw-script.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { startAdwWorker } from '../src/services/adws/adw-worker.ts';
import type { AdwService } from '../src/services/adws/adw-service.ts';
import { startServices } from '../src/services/services.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { benchDatabase, machine, percentile, writeSection } from './support.ts';

const sequentialAdws = 10;
const concurrentAdws = 20;
const workerConcurrency = 4;

const db = await benchDatabase();
const home = await mkdtemp(join(tmpdir(), 'baton-bench-adw-'));
const repo = await createSampleRepository(home);
const model = await startFakeModelServer({ script: adwScript({ verdict: 'FAIL' }) });
const services = await startServices(
  loadConfig({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db.url,
    BATON_HOME: home,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'bench',
    BATON_SUMMARIES: 'off',
  }),
);
const adws = await services.adws();
const worker = await startAdwWorker(services, { concurrency: workerConcurrency });

async function settled(service: AdwService, id: string): Promise<string> {
  for (;;) {
    const row = await service.get(id);
    if (['succeeded', 'failed', 'cancelled', 'paused'].includes(row.status)) return row.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// 1. Engine overhead per step.
const overheads: number[] = [];
for (let i = 0; i < sequentialAdws; i++) {
  const row = await adws.start({
    workflow: 'plan_build_review_fix',
    prompt: `Add a farewell function, take ${i}`,
    cwd: repo,
  });
  if ((await settled(adws, row.id)) !== 'succeeded') throw new Error(`bench ADW ${row.id} did not succeed`);
  const marks = await db.pool.query<{ type: string; adw_step: string | null; at: Date }>(
    `select type, adw_step, occurred_at as at from events where adw_id = $1 and type in ('AdwStarted', 'StepEnd') order by seq`,
    [row.id],
  );
  const agent = await db.pool.query<{ adw_step: string; ms: number }>(
    `select adw_step, sum(agent_process_ms)::float as ms from agent_runs where adw_id = $1 group by adw_step`,
    [row.id],
  );
  const agentMs = new Map(agent.rows.map((entry) => [entry.adw_step, entry.ms]));
  for (let m = 1; m < marks.rows.length; m++) {
    const wall = marks.rows[m]!.at.getTime() - marks.rows[m - 1]!.at.getTime();
    overheads.push(wall - (agentMs.get(marks.rows[m]!.adw_step!) ?? 0));
  }
}
overheads.sort((a, b) => a - b);

// 2. Twenty at once.
let peakTotalMb = 0;
let peakBatonMb = 0;
const rssMb = (pid: number | 'self') => {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};
const claudePids = () =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('claude-agent-sdk');
      } catch {
        return false;
      }
    })
    .map(Number);
const sampler = setInterval(() => {
  const baton = rssMb('self');
  peakBatonMb = Math.max(peakBatonMb, baton);
  peakTotalMb = Math.max(peakTotalMb, baton + claudePids().reduce((sum, pid) => sum + rssMb(pid), 0));
}, 250);
const started = performance.now();
const rows = await Promise.all(
  Array.from({ length: concurrentAdws }, (_, i) =>
    adws.start({
      workflow: 'plan_build_review_fix',
      prompt: `Add a farewell function, in parallel ${i}`,
      cwd: repo,
    }),
  ),
);
const statuses = await Promise.all(rows.map((row) => settled(adws, row.id)));
const totalSeconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const succeeded = statuses.filter((status) => status === 'succeeded').length;

await worker.stop();
await services.close();
await model.close();
const where = db.where;
await db.close();
await rm(home, { recursive: true, force: true });

const report = `
## ADW engine (\`npm run bench:adw\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${where}. plan_build_review_fix on the
sample repository with the scripted (instant) fake model; real Claude Code, git worktrees and pg-boss.

| measure | result | target |
|---|---|---|
| engine overhead per step (${overheads.length} steps of ${sequentialAdws} sequential ADWs): step wall time − Claude Code process time | median ${percentile(overheads, 50).toFixed(0)} ms, p90 ${percentile(overheads, 90).toFixed(0)} ms, max ${overheads.at(-1)!.toFixed(0)} ms | median ≤ 50 ms: ${percentile(overheads, 50) <= 50 ? 'meets target' : '**misses target**'} |
| ${concurrentAdws} ADWs started at once (80 steps), one worker running ${workerConcurrency} steps at a time | ${succeeded}/${concurrentAdws} succeeded in ${totalSeconds.toFixed(1)} s (${((concurrentAdws * 4) / totalSeconds).toFixed(2)} steps/s) | all complete |
| peak memory during those 20 | ${peakTotalMb.toFixed(0)} MB in all (baton process ${peakBatonMb.toFixed(0)} MB, the rest Claude Code processes) | |

What the overhead covers: claiming the job, fencing, the step.started transition, rendering the prompt,
the file-tracking snapshots before and after, flushing the run's events, the artifact check and the
transition that records the step and queues the next one, in one transaction.
`;
console.log(report);
await writeSection('adw', report);
