/**
 * npm run bench:adw [-- --quick] — what an ADW step costs beyond its agent, against the limit measured in
 * the same run.
 *
 * The limit: the same four steps of plan_build_review_fix as bare SDK query() calls — the prompts baton
 * sent (taken from a warm-up ADW), the same scripted fake model (src/demo/adw-script.ts), the same Claude
 * Code binary, environment, tools and model, one after another in a fresh worktree of the same
 * repository, nothing recorded. A bare step's wall time is query() to the Claude Code process's exit.
 *
 * baton: the same workflow as an ADW through a worker in this process (pg-boss, the ledger, file
 * tracking, session mirroring, hooks). A step's wall time runs from the previous step's end (the ADW's
 * start for the first) to its own, from the ledger: claiming, transitions, prompts, the agent, file
 * tracking, the artifact check. CPU: this process's (process.cpuUsage), and that of its children apart
 * from Claude Code (git, for file tracking and the final commit): all reaped children's CPU minus what
 * Claude Code processes had used when last seen in /proc (sampled every 20 ms; the bare arm has no
 * other children, so its remainder is the sampling's error and is subtracted). The bench's own polling
 * and sampling are measured and left out.
 *
 * Three repetitions, the order of bare and baton alternating, after one warm-up of each (not counted);
 * then one profiled repetition of each (V8's sampling profiler, not counted in the timings) that says
 * where baton's CPU goes. Then 20 ADWs started at once on one repository against 20 bare ones at the
 * same concurrency; memory as PSS. Agents get a scratch HOME (Claude Code's shell sources the profile).
 */
import { execFileSync, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { query } from '@anthropic-ai/claude-agent-sdk';
import pg from 'pg';
import { loadConfig } from '../src/config/index.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { startAdwWorker } from '../src/services/adws/adw-worker.ts';
import { definitionOf } from '../src/services/adws/step-settings.ts';
import { startServices } from '../src/services/services.ts';
import { parseAdwState } from '../src/workflow/state.ts';
import { watchClaudeCpu } from './claude-cpu.ts';
import { profileCpu, type Categorize } from './cpu-profile.ts';
import { cpuSeconds, samplePss } from './process-stats.ts';
import { benchDatabase, machine, percentile, processMemory, writeSection } from './support.ts';
import { bareQueryOptions, plainSpawner } from './bare-query.ts';

const quick = process.argv.includes('--quick');
const repetitions = quick ? 1 : 3;
const concurrentAdws = quick ? 6 : 20;
const workerConcurrency = 4;
const workflow = 'plan_build_review_fix';

const home = await mkdtemp(join(tmpdir(), 'baton-bench-adw-'));
const userHome = await mkdtemp(join(tmpdir(), 'baton-bench-user-'));
const repo = await createSampleRepository(home);
// The fake model runs in a child process, so its CPU counts in neither arm (it is reaped at the end).
const modelProcess = spawn(
  process.execPath,
  [...process.execArgv, fileURLToPath(new URL('./adw-model-process.ts', import.meta.url))],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const model = {
  url: await new Promise<string>((resolve, reject) => {
    modelProcess.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    modelProcess.once('exit', (code) => reject(new Error(`the fake model process exited (${code})`)));
  }),
  close: () =>
    new Promise<void>((resolve) => (modelProcess.once('exit', () => resolve()), modelProcess.stdin.end())),
};
const db = await benchDatabase();
const config = loadConfig({
  PATH: process.env.PATH,
  DATABASE_URL: db.url,
  HOME: userHome,
  BATON_HOME: home,
  BATON_MAX_AGENTS: process.env.BATON_MAX_AGENTS,
  ANTHROPIC_BASE_URL: model.url,
  ANTHROPIC_API_KEY: 'bench',
  BATON_SUMMARIES: 'off',
});
const services = await startServices(config);
const adws = await services.adws();
const worker = await startAdwWorker(services, { concurrency: workerConcurrency });
const claudeCode = realpathSync(services.runtime.claudeCodePath!);
const concurrency = Math.min(workerConcurrency, config.maxAgents);

// ---- Measuring: CPU of this process and its children, with the bench's own share taken out ----

const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const claude = watchClaudeCpu(claudeCode);
/** What one status poll of `settled` costs this process, measured before anything runs. */
let pollCpuMs = 0;
let polls = 0;

interface Cpu {
  wallMs: number;
  /** This process, the bench's own work left out. */
  ownMs: number;
  /** Reaped children other than Claude Code (before the bare arm's sampling error is subtracted). */
  otherChildrenMs: number;
  claudeMs: number;
}

async function measured<T>(work: () => Promise<T>): Promise<Cpu & { value: T }> {
  const before = {
    own: ownCpuMs(),
    bench: claude.samplerMs() + polls * pollCpuMs,
    children: cpuSeconds().children,
    claude: claude.claudeMs(),
  };
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 50)); // every child reaped
  const claudeMs = claude.claudeMs() - before.claude;
  const childrenMs = (cpuSeconds().children - before.children) * 1000;
  return {
    value,
    wallMs,
    ownMs: ownCpuMs() - before.own - (claude.samplerMs() + polls * pollCpuMs - before.bench),
    claudeMs,
    otherChildrenMs: childrenMs - claudeMs,
  };
}

const statusOf = async (id: string) =>
  (await db.pool.query<{ status: string }>('select status from adws where id = $1', [id])).rows[0]?.status ??
  'missing';
{
  const started = ownCpuMs();
  for (let n = 0; n < 200; n++) await statusOf('00000000-0000-0000-0000-000000000000');
  pollCpuMs = (ownCpuMs() - started) / 200;
}

/** Waits for an ADW to settle, polling one small query (its CPU is counted as the bench's). */
async function settled(id: string): Promise<string> {
  for (;;) {
    const status = await statusOf(id);
    polls += 1;
    if (['succeeded', 'failed', 'cancelled', 'paused'].includes(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---- The two arms ----

interface StepPrompt {
  name: string;
  prompt: string;
  model: string;
  allowedTools?: string[];
}

interface AdwOutcome extends Cpu {
  status: string;
  /** Per step, in order: wall time in ms. */
  stepWallMs: number[];
}

/** One ADW through baton, from start() to its end. */
async function batonAdw(label: string): Promise<AdwOutcome & { id: string }> {
  const run = await measured(async () => {
    const row = await adws.start({ workflow, prompt: `Add a farewell function, ${label}`, cwd: repo });
    return { id: row.id, status: await settled(row.id) };
  });
  const marks = await db.pool.query<{ at: Date }>(
    `select occurred_at as at from events where adw_id = $1 and type in ('AdwStarted', 'StepEnd') order by seq`,
    [run.value.id],
  );
  const stepWallMs = marks.rows.slice(1).map((mark, n) => mark.at.getTime() - marks.rows[n]!.at.getTime());
  return { ...run, ...run.value, stepWallMs };
}

/** The steps of a finished ADW as baton ran them: prompt, model and tools. */
async function stepPrompts(adwId: string): Promise<StepPrompt[]> {
  const row = await adws.get(adwId);
  const state = parseAdwState(row.state);
  const runs = await db.pool.query<{ index: number; prompt: string; model: string }>(
    `select r.adw_step_index as index, p.prompt_text as prompt, r.model
       from agent_runs r join prompts p on p.run_id = r.id where r.adw_id = $1 order by r.started_at`,
    [adwId],
  );
  return runs.rows.map((run) => {
    const definition = definitionOf(state, run.index);
    return {
      name: definition.name,
      prompt: run.prompt,
      model: run.model,
      allowedTools: definition.allowedTools,
    };
  });
}

let bareWorktrees = 0;
/** The same steps as bare query() calls in a fresh worktree of the repository. */
async function bareAdw(steps: StepPrompt[]): Promise<AdwOutcome> {
  const stepWallMs: number[] = [];
  const run = await measured(async () => {
    const dir = join(home, 'bare-worktrees', `sample-${++bareWorktrees}`);
    execFileSync('git', ['worktree', 'add', '-q', '--detach', dir, 'HEAD'], { cwd: repo, stdio: 'pipe' });
    for (const step of steps) {
      const started = performance.now();
      const status = await bareQuery(step, dir);
      stepWallMs.push(performance.now() - started);
      if (status !== 'success') return `step ${step.name}: ${status}`;
    }
    return 'succeeded';
  });
  return { ...run, status: run.value, stepWallMs };
}

/** One step as a bare query(), awaited to its process's exit. */
async function bareQuery(step: StepPrompt, cwd: string): Promise<string> {
  const claude = plainSpawner();
  let status = 'no result';
  for await (const message of query({
    prompt: step.prompt,
    options: bareQueryOptions(services.runtime, claude, {
      cwd,
      model: step.model,
      ...(step.allowedTools
        ? {
            tools: step.allowedTools.filter((tool) => !tool.startsWith('mcp__')),
            allowedTools: step.allowedTools,
          }
        : {}),
    }),
  })) {
    if (message.type === 'result') status = message.subtype;
  }
  await claude.exited();
  return status;
}

/** Where a frame's CPU goes, by source file (see profileCpu). */
const categorize: Categorize = (url) => {
  const own: [RegExp, string][] = [
    [
      /\/src\/agent\/(snapshot|shadow-repo|tree-diff|add-all|git|file-tracker|run-file-changes|patch-stream)\.ts/,
      'file tracking',
    ],
    [/\/src\/agent\/session-hooks\.ts/, 'hooks'],
    [
      /\/src\/agent\/(normalize|run-events|usage-meter|pricing|run-outcome)\.ts/,
      'normalising messages and hooks',
    ],
    [/\/src\/agent\//, 'agent run loop (hook callbacks, message loop)'],
    [/\/src\/db\/session-store\.ts/, 'session-store mirroring'],
    [
      /\/src\/(db\/(event-writer|buffered-writer|events|event-append|storable|json-text)|core\/redact)/,
      'serialising and writing events',
    ],
    [/\/src\/(services\/adws|workflow)\/|\/src\/db\/adws\.ts/, 'transitions and queue'],
    [/\/src\/services\/runs\//, 'recording the run (agent-runner)'],
    [/\/src\/db\/event-(bus|feed)\.ts/, 'event bus'],
    [/\/src\/services\/admission\//, 'admission'],
    [/\/src\//, 'baton, other'],
  ];
  const library: [RegExp, string][] = [
    [/node_modules\/pg-boss\//, 'pg-boss (polling, maintenance)'],
    [/node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//, 'database driver (pg)'],
    [/claude-agent-sdk/, 'Agent SDK (Claude Code I/O)'],
    [/child_process|internal\/process|spawn/, 'spawning processes'],
    [/^node:|internal\//, 'Node internals'],
  ];
  if (/\/bench\//.test(url)) return { own: 'bench' };
  for (const [pattern, part] of own) if (pattern.test(url)) return { own: part };
  for (const [pattern, part] of library) if (pattern.test(url)) return { library: part };
  return undefined;
};

// ---- 1. Sequential: baton step against bare step ----

const warm = await batonAdw('warm-up');
if (warm.status !== 'succeeded') throw new Error(`the warm-up ADW ${warm.id} ended ${warm.status}`);
const steps = await stepPrompts(warm.id);
const stepNames = steps.map((step) => step.name);
const warmBare = await bareAdw(steps);
if (warmBare.status !== 'succeeded') throw new Error(`the warm-up bare ADW: ${warmBare.status}`);

const baton: AdwOutcome[] = [];
const bare: AdwOutcome[] = [];
for (let repetition = 1; repetition <= repetitions; repetition++) {
  const arms = [
    async () => baton.push(await batonAdw(`take ${repetition}`)),
    async () => bare.push(await bareAdw(steps)),
  ];
  for (const arm of repetition % 2 ? arms : arms.reverse()) await arm();
  const [b, r] = [baton.at(-1)!, bare.at(-1)!];
  if (b.status !== 'succeeded' || r.status !== 'succeeded')
    throw new Error(`repetition ${repetition}: baton ${b.status}, bare ${r.status}`);
  console.log(
    `repetition ${repetition}: baton ${b.wallMs.toFixed(0)} ms (${b.ownMs.toFixed(0)} CPU-ms own, ${b.otherChildrenMs.toFixed(0)} children), ` +
      `bare ${r.wallMs.toFixed(0)} ms (${r.ownMs.toFixed(0)} CPU-ms own, ${r.otherChildrenMs.toFixed(0)} children); ` +
      `steps baton ${b.stepWallMs.map((ms) => ms.toFixed(0)).join('/')}, bare ${r.stepWallMs.map((ms) => ms.toFixed(0)).join('/')}`,
  );
}

// ---- Where the CPU goes: one profiled ADW of each (not counted above) ----
const queries = countQueries();
const profiledBaton = await profileCpu(categorize);
await batonAdw('profiled');
const roundTrips = queries.stop();
roundTrips.delete('select status from adws where id = $1'); // the bench's own polling
const batonParts = await profiledBaton.stop(
  process.env.BENCH_PROFILE_DIR && join(process.env.BENCH_PROFILE_DIR, 'baton.cpuprofile'),
);
const profiledBare = await profileCpu(categorize);
await bareAdw(steps);
const bareParts = await profiledBare.stop(
  process.env.BENCH_PROFILE_DIR && join(process.env.BENCH_PROFILE_DIR, 'bare.cpuprofile'),
);

// ---- 2. Twenty at once on one repository ----
const memory = samplePss(claudeCode);
let peakBatonPss = 0;
const batonPss = setInterval(() => (peakBatonPss = Math.max(peakBatonPss, processMemory().pss)), 500);
const crowd = await measured(async () => {
  const started = await Promise.allSettled(
    Array.from({ length: concurrentAdws }, (_, n) =>
      adws.start({ workflow, prompt: `Add a farewell function, in parallel ${n}`, cwd: repo }),
    ),
  );
  const statuses = await Promise.all(
    started.map((outcome) =>
      outcome.status === 'fulfilled'
        ? settled(outcome.value.id)
        : Promise.resolve(`start failed: ${String(outcome.reason)}`),
    ),
  );
  return statuses;
});
clearInterval(batonPss);
const crowdMemory = memory.stop();
const crowdFailures = crowd.value.filter((status) => status !== 'succeeded');
const bareCrowd = await measured(async () => {
  const pending = Array.from({ length: concurrentAdws }, (_, n) => n);
  const statuses: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (pending.shift() !== undefined) statuses.push((await bareAdw(steps)).status);
    }),
  );
  return statuses;
});
const bareCrowdFailures = bareCrowd.value.filter((status) => status !== 'succeeded').length;

await claude.stop();
await worker.stop();
await services.close();
await model.close();
const where = db.where;
await db.close();
await rm(home, { recursive: true, force: true });
await rm(userHome, { recursive: true, force: true });

// ---- Report ----
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
/** "median (min–max)" over the repetitions, or the one value. */
const spread = (values: number[], digits = 0, unit = ' ms') => {
  const ordered = sorted(values);
  const one = (value: number) => `${value.toFixed(digits)}${unit}`;
  return ordered.length === 1
    ? one(ordered[0]!)
    : `${one(percentile(ordered, 50))} (${one(ordered[0]!)}–${one(ordered.at(-1)!)})`;
};
const median = (values: number[]) => percentile(sorted(values), 50);
const stepCount = stepNames.length;
// Repetition by repetition: baton's figures against the bare arm of the same repetition.
const pairs = baton.map((run, n) => ({ baton: run, bare: bare[n]! }));
const addedWall = pairs.map(({ baton: b, bare: r }) => (sum(b.stepWallMs) - sum(r.stepWallMs)) / stepCount);
const sampleError = (run: AdwOutcome) => run.otherChildrenMs; // the bare arm starts no child but Claude Code and git worktree
const gitMs = pairs.map(({ baton: b, bare: r }) => (b.otherChildrenMs - sampleError(r)) / stepCount);
const ownMs = pairs.map(({ baton: b }) => b.ownMs / stepCount);
const bareOwnMs = pairs.map(({ bare: r }) => r.ownMs / stepCount);
const addedOwnMs = pairs.map(({ baton: b, bare: r }) => (b.ownMs - r.ownMs) / stepCount);
const batonCpuMs = pairs.map((_, n) => addedOwnMs[n]! + gitMs[n]!);
const claudeExtraMs = pairs.map(({ baton: b, bare: r }) => (b.claudeMs - r.claudeMs) / stepCount);
const wallRatio = pairs.map(({ baton: b, bare: r }) => sum(b.stepWallMs) / sum(r.stepWallMs));
const meets = (values: number[], target: number) => (median(values) <= target ? 'meets' : '**misses**');

const stepRows = stepNames.map((name, s) => {
  const b = baton.map((run) => run.stepWallMs[s]!);
  const r = bare.map((run) => run.stepWallMs[s]!);
  return `| ${name} | ${spread(r)} | ${spread(b)} | ${spread(pairs.map((_, n) => b[n]! - r[n]!))} |`;
});
const parts = [...new Set([...batonParts.keys(), ...bareParts.keys()])]
  .map((part) => ({
    part,
    baton: (batonParts.get(part) ?? 0) / stepCount,
    bare: (bareParts.get(part) ?? 0) / stepCount,
  }))
  .filter((row) => row.part !== 'bench')
  .sort((a, b) => b.baton - a.baton);
const partRows = parts.map(
  (row) =>
    `| ${row.part} | ${row.baton.toFixed(1)} | ${row.bare.toFixed(1)} | ${(row.baton - row.bare).toFixed(1)} |`,
);
const total = (map: Map<string, number>) =>
  sum([...map].filter(([part]) => part !== 'bench').map(([, ms]) => ms)) / stepCount;

const report = `
## ADW engine (\`npm run bench:adw\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${where}; ${repetitions} ${repetitions === 1 ? 'repetition' : 'repetitions'}${quick ? ' (--quick)' : ''}, bare and baton in alternating order, after a warm-up of each.
${workflow} (${stepNames.join(', ')}) on the sample repository with the scripted fake model; real Claude Code,
git worktrees, pg-boss and PostgreSQL; agents with a scratch HOME.

**The limit**, measured in the same run: the same ${stepCount} steps as bare SDK \`query()\` calls (the prompts baton
sent, the same fake model, Claude Code binary, environment, tools and model, a fresh worktree of the same
repository, nothing recorded): ${spread(bare.map((run) => sum(run.stepWallMs) / stepCount))} a step, ${spread(bareOwnMs, 0, ' CPU-ms')} of this process's CPU a step (the SDK
reading Claude Code's output). A baton step: from the previous step's end (the ADW's start for the first)
to its own end, from the ledger.

| per step, median (min–max) | result | target |
|---|---|---|
| added wall time: baton step − bare step | **${spread(addedWall)}** | ≤ 50 ms: ${meets(addedWall, 50)} |
| wall time, baton ÷ bare | ${spread(wallRatio, 2, '×')} | |
| baton's CPU: this process beyond the bare arm's, plus its children other than Claude Code (git) | **${spread(batonCpuMs, 0, ' CPU-ms')}** | ≤ 100 ms: ${meets(batonCpuMs, 100)} |
| · this process, baton (bare: ${spread(bareOwnMs, 0, '')}) | ${spread(ownMs, 0, ' CPU-ms')} | |
| · git and other children | ${spread(gitMs, 0, ' CPU-ms')} | |
| Claude Code's own CPU, baton − bare (hooks, session mirroring on its side) | ${spread(claudeExtraMs, 0, ' CPU-ms')} | |

| step | bare | baton | added |
|---|---|---|---|
${stepRows.join('\n')}

Where this process's CPU goes, from one profiled ADW of each arm (V8's sampling profiler, 0.5 ms; not in
the figures above; the nearest baton frame on a sample's stack decides, else the nearest library frame),
CPU-ms a step:

| part | baton | bare | added |
|---|---|---|---|
${partRows.join('\n')}
| **all** | **${total(batonParts).toFixed(1)}** | **${total(bareParts).toFixed(1)}** | **${(total(batonParts) - total(bareParts)).toFixed(1)}** |

Database statements a step, from the same profiled ADW (every pg client of this process, pg-boss's
included, the bench's own polling left out; the ADW's creation counted in): ${(sum([...roundTrips.values()]) / stepCount).toFixed(1)}. The most frequent:
${[...roundTrips]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 8)
  .map(([text, n]) => `${(n / stepCount).toFixed(1)} × \`${text.replace(/`/g, "'")}\``)
  .join('; ')}.

**${concurrentAdws} ADWs started at once on one repository** (each in its own worktree; worktree creation takes
turns per repository), one worker running ${workerConcurrency} steps at a time, ${config.maxAgents} Claude Code slots; against ${concurrentAdws} bare
ADWs (the same ${stepCount} \`query()\` steps), ${concurrency} at a time:

| measure | baton | bare | ratio |
|---|---|---|---|
| settled | ${concurrentAdws - crowdFailures.length}/${concurrentAdws} succeeded${crowdFailures.length ? ` (${[...new Set(crowdFailures)].join('; ')})` : ''} | ${concurrentAdws - bareCrowdFailures}/${concurrentAdws} | |
| wall | ${(crowd.wallMs / 1000).toFixed(1)} s | ${(bareCrowd.wallMs / 1000).toFixed(1)} s | ${(crowd.wallMs / bareCrowd.wallMs).toFixed(2)}× |
| this process's CPU a step | ${(crowd.ownMs / concurrentAdws / stepCount).toFixed(0)} ms | ${(bareCrowd.ownMs / concurrentAdws / stepCount).toFixed(0)} ms | |
| PSS, peak | Claude Code processes ${crowdMemory.peakTotalMb.toFixed(0)} MB (${median(crowdMemory.perProcessMb).toFixed(0)} MB each), this process ${(peakBatonPss / 2 ** 20).toFixed(0)} MB | | |

The machine is shared with other engineers: absolute times are noisy; the ratios and differences within
one run are the result.
`;
console.log(report);
await writeSection('adw', report);
process.exit(0);

/** Counts the statements every pg client of this process sends (pg-boss's included), by their first words. */
function countQueries() {
  const counts = new Map<string, number>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : (first?.text ?? '(submittable: COPY)');
    const label = text.replace(/\s+/g, ' ').trim().slice(0, 70);
    counts.set(label, (counts.get(label) ?? 0) + 1);
    return (original as (...rest: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return {
    stop(): Map<string, number> {
      pg.Client.prototype.query = original;
      return counts;
    },
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
