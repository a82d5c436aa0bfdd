/**
 * npm run bench:agent [-- --quick] — recorded agent runs against the limit measured in the same run.
 *
 * The limit: a bare SDK query() of the same four-turn script (Read, Bash, Glob, reply) against the same
 * fake model server, with the same Claude Code binary and environment, and nothing recorded. Its wall
 * time and CPU-seconds (this process plus the Claude Code process and its shell) give the CPU-ideal of
 * N agents: N × one agent's CPU-seconds ÷ cores, the least wall time N agents can take on this machine.
 *
 * Then baton: 1, 5, 20 and 40 runs started at once through the agent runner, fully recorded, admitted
 * by the host's Claude Code slots (BATON_MAX_AGENTS, else the default for this machine); the rest wait
 * in the queue. Per level: each run's status, first-event latency (start() to the first event from
 * Claude Code, queueing included), the wait for a slot, wall time and its ratio to the CPU-ideal, and
 * memory as PSS summed over the Claude Code processes alive at one moment (/proc/<pid>/smaps_rollup:
 * the binary's shared pages are divided among the processes sharing them, which RSS would count once
 * per process). The full run also starts 20 runs with 20 slots (no queue) for comparison.
 *
 * Agents get a scratch HOME (Claude Code's shell sources the user's profile). Nothing polls the
 * database: each run is followed through its events and its `done` promise. Three repetitions (one
 * with --quick); the machine is shared, so absolute figures are noisy and the ratios are the result.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { query } from '@anthropic-ai/claude-agent-sdk';
import { modelAliases } from '../src/agent/models.ts';
import type { AgentRuntime } from '../src/agent/run-agent.ts';
import { loadConfig } from '../src/config/index.ts';
import { describeError } from '../src/core/errors.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { createSessionMirror } from '../src/db/session-store.ts';
import { createAdmission, type Admission } from '../src/services/admission/admission.ts';
import { createAgentRunner } from '../src/services/runs/agent-runner.ts';
import { agentRuntimeFor, poolSizeFor } from '../src/services/services.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { agentTurns } from './agent-script.ts';
import { cpuSeconds, samplePss } from './process-stats.ts';
import { benchDatabase, machine, percentile, writeSection } from './support.ts';
import { bareQueryOptions, plainSpawner } from './bare-query.ts';

const quick = process.argv.includes('--quick');
const repetitions = quick ? 1 : 3;
const levels = [1, 5, 20, 40];
const cores = availableParallelism();
const model = modelAliases.haiku;

const home = await mkdtemp(join(tmpdir(), 'baton-bench-agent-'));
const userHome = await mkdtemp(join(tmpdir(), 'baton-bench-user-'));
const configFor = (modelUrl: string) =>
  loadConfig({
    PATH: process.env.PATH,
    HOME: userHome,
    BATON_HOME: home,
    BATON_MAX_AGENTS: process.env.BATON_MAX_AGENTS,
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'bench',
  });
const slots = configFor('http://127.0.0.1:9').maxAgents;
const db = await benchDatabase({ poolSize: poolSizeFor(slots) });

/** `count` working directories, each with the file the script reads, and the fake model for them. */
async function workload(count: number) {
  const dirs = await Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const dir = await mkdtemp(join(tmpdir(), `baton-bench-work-${n}-`));
      await writeFile(join(dir, 'notes.txt'), 'notes\n');
      return dir;
    }),
  );
  const server = await startFakeModelServer({
    script: dirs.flatMap((dir) => agentTurns(`bench-${dir}`, dir)),
  });
  return {
    dirs,
    server,
    runtime: agentRuntimeFor(configFor(server.url)),
    async close() {
      await server.close();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

interface Measured {
  wallS: number;
  /** CPU-seconds of this process and its reaped children together, and of this process alone. */
  cpuS: number;
  ownCpuS: number;
  pssPeakMb: number;
  pssPerAgentMb: number[];
}

/** Wall time, CPU-seconds (this process and its reaped children) and Claude Code PSS while `work` runs. */
async function measure<T>(runtime: AgentRuntime, work: () => Promise<T>): Promise<Measured & { value: T }> {
  const sampler = samplePss(runtime.claudeCodePath!);
  const cpu = cpuSeconds();
  const started = performance.now();
  const value = await work();
  const wallS = (performance.now() - started) / 1000;
  const after = cpuSeconds();
  const ownCpuS = after.own - cpu.own;
  const cpuS = ownCpuS + after.children - cpu.children;
  const pss = sampler.stop();
  return { value, wallS, cpuS, ownCpuS, pssPeakMb: pss.peakTotalMb, pssPerAgentMb: pss.perProcessMb };
}

/** One agent through a bare query() in `dir`: the SDK's own way to spawn, awaited to the process's exit. */
async function bareQuery(dir: string, runtime: AgentRuntime): Promise<string> {
  const claude = plainSpawner();
  let status = 'no result';
  for await (const message of query({
    prompt: `Look at the notes (bench-${dir})`,
    options: bareQueryOptions(runtime, claude, { cwd: dir, model }),
  })) {
    if (message.type === 'result') status = message.subtype;
  }
  await claude.exited();
  return status;
}

/** `count` bare agents, at most `concurrency` at a time (the bench's own queue; nothing is recorded). */
async function bareAgents(count: number, concurrency: number): Promise<Measured & { succeeded: number }> {
  const load = await workload(count);
  const pending = [...load.dirs];
  const measured = await measure(load.runtime, async () => {
    const statuses: string[] = [];
    await Promise.all(
      Array.from({ length: Math.min(count, concurrency) }, async () => {
        for (let dir = pending.shift(); dir; dir = pending.shift())
          statuses.push(await bareQuery(dir, load.runtime));
      }),
    );
    return statuses.filter((status) => status === 'success').length;
  });
  load.server.assertComplete();
  await load.close();
  return { ...measured, succeeded: measured.value };
}

interface LevelOutcome extends Measured {
  runs: number;
  statuses: Map<string, number>;
  firstEventS: number[];
  queuedS: number[];
}

/** `count` recorded runs started at once, admitted through `admission`. */
async function batonLevel(count: number, admission: Admission): Promise<LevelOutcome> {
  const load = await workload(count);
  const writer = createEventWriter(db.pool);
  const sessions = createSessionMirror(db.pool);
  const runner = createAgentRunner({
    pool: db.pool,
    writer,
    sessions,
    runtime: { ...load.runtime, admission },
  });
  const measured = await measure(load.runtime, () =>
    Promise.all(
      load.dirs.map(async (dir) => {
        const started = performance.now();
        let firstEventS: number | undefined;
        try {
          const run = await runner.start({
            prompt: `Look at the notes (bench-${dir})`,
            cwd: dir,
            model,
            author: 'engineer',
            onEvent: (event) => {
              if (firstEventS === undefined && event.type !== 'RunQueued' && event.type !== 'RunStarted')
                firstEventS = (performance.now() - started) / 1000;
            },
          });
          const { run: row, result } = await run.done;
          return { status: row.status, firstEventS, queuedS: result.queuedMs / 1000 };
        } catch (error) {
          return { status: `error: ${describeError(error)}`, firstEventS, queuedS: undefined };
        }
      }),
    ),
  );
  await writer.close();
  await sessions.close();
  if (measured.value.every((run) => run.status === 'succeeded')) load.server.assertComplete();
  await load.close();
  const statuses = new Map<string, number>();
  for (const run of measured.value) statuses.set(run.status, (statuses.get(run.status) ?? 0) + 1);
  const defined = (values: (number | undefined)[]) =>
    values.filter((value): value is number => value !== undefined).sort((a, b) => a - b);
  return {
    ...measured,
    runs: count,
    statuses,
    firstEventS: defined(measured.value.map((run) => run.firstEventS)),
    queuedS: defined(measured.value.map((run) => run.queuedS)),
  };
}

const admission = createAdmission({ scope: home, slots });
const unqueued = createAdmission({ scope: `${home}#unqueued`, slots: 20 });
const bare: Measured[] = [];
const bareCrowd: (Measured & { idealS: number; succeeded: number })[] = [];
const baton = new Map<string, (LevelOutcome & { idealS: number })[]>();
const record = (key: string, outcome: LevelOutcome, agentCpuS: number) => {
  const idealS = (outcome.runs * agentCpuS) / cores;
  baton.set(key, [...(baton.get(key) ?? []), { ...outcome, idealS }]);
  console.log(
    `${key}: wall ${outcome.wallS.toFixed(1)} s, ideal ${idealS.toFixed(1)} s (${(outcome.wallS / idealS).toFixed(2)}×), ` +
      `${(outcome.cpuS / outcome.runs).toFixed(2)} CPU-s a run (${(outcome.ownCpuS / outcome.runs).toFixed(2)} in this process), ${[...outcome.statuses].map(([status, n]) => `${n} ${status}`).join(', ')}`,
  );
};

for (let repetition = 1; repetition <= repetitions; repetition++) {
  // This window's reference: two bare agents one after the other, then 20 with the same number of slots.
  const references = [await bareAgents(1, 1), await bareAgents(1, 1)];
  bare.push(...references);
  const agentCpuS = references.reduce((sum, run) => sum + run.cpuS, 0) / references.length;
  const crowd = await bareAgents(20, slots);
  bareCrowd.push({ ...crowd, idealS: (20 * agentCpuS) / cores });
  console.log(
    `repetition ${repetition}: bare agent ${references.map((run) => `${run.wallS.toFixed(2)} s, ${run.cpuS.toFixed(2)} CPU-s`).join('; ')}; ` +
      `20 bare: ${crowd.wallS.toFixed(1)} s, ${(crowd.cpuS / 20).toFixed(2)} CPU-s a run`,
  );
  for (const count of levels) record(String(count), await batonLevel(count, admission), agentCpuS);
  if (!quick) record('20 unqueued', await batonLevel(20, unqueued), agentCpuS);
}
admission.close();
unqueued.close();
const where = db.where;
await db.close();
await rm(home, { recursive: true, force: true });
await rm(userHome, { recursive: true, force: true });

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
/** "median (min–max)" over the repetitions, or the one value. */
const spread = (values: number[], digits: number, unit = '') => {
  const ordered = [...values].sort((a, b) => a - b);
  const one = (value: number) => `${value.toFixed(digits)}${unit}`;
  return ordered.length === 1
    ? one(ordered[0]!)
    : `${one(median(ordered))} (${one(ordered[0]!)}–${one(ordered.at(-1)!)})`;
};
const over = <T>(outcomes: T[], value: (outcome: T) => number, digits: number, unit = '') =>
  spread(outcomes.map(value), digits, unit);

const rows = [...baton].map(([key, outcomes]) => {
  const statuses = new Map<string, number>();
  for (const outcome of outcomes)
    for (const [status, n] of outcome.statuses) statuses.set(status, (statuses.get(status) ?? 0) + n);
  const runs = outcomes.reduce((sum, outcome) => sum + outcome.runs, 0);
  const cells = [
    key.replace(' unqueued', ' (no queue)'),
    key.endsWith('unqueued') ? 20 : slots,
    [...statuses].map(([status, n]) => `${n}/${runs} ${status}`).join(', '),
    over(outcomes, (outcome) => percentile(outcome.firstEventS, 50), 2, ' s'),
    over(outcomes, (outcome) => outcome.firstEventS.at(-1) ?? NaN, 2, ' s'),
    over(outcomes, (outcome) => outcome.queuedS.at(-1) ?? NaN, 1, ' s'),
    over(outcomes, (outcome) => outcome.wallS, 1, ' s'),
    over(outcomes, (outcome) => outcome.cpuS / outcome.runs, 2),
    `**${over(outcomes, (outcome) => outcome.wallS / outcome.idealS, 2, '×')}**`,
    over(outcomes, (outcome) => outcome.pssPeakMb / 1024, 2, ' GB'),
    `${median(outcomes.flatMap((outcome) => outcome.pssPerAgentMb)).toFixed(0)} MB`,
  ];
  return `| ${cells.join(' | ')} |`;
});

// Each repetition is one window of the shared machine: its ratios are read together.
const ratio = (outcome: LevelOutcome & { idealS: number }) => outcome.wallS / outcome.idealS;
const windows = bareCrowd.map((crowd, n) => {
  const at = (key: string) => baton.get(key)?.[n];
  const notSucceeded = (outcome?: LevelOutcome) =>
    outcome ? outcome.runs - (outcome.statuses.get('succeeded') ?? 0) : NaN;
  return {
    crowd: crowd.wallS / crowd.idealS,
    recorded: ratio(at('20')!),
    versusBare: at('20')!.wallS / crowd.wallS,
    /** CPU-seconds a recorded run costs beyond a bare one at the same concurrency (PostgreSQL aside). */
    extraCpuS: (at('20')!.cpuS - crowd.cpuS) / 20,
    unqueued: at('20 unqueued') ? ratio(at('20 unqueued')!) : NaN,
    forty: ratio(at('40')!),
    fortyFailed: notSucceeded(at('40')),
  };
});
// Quiet windows: the bare crowd came within 1.15× of the ideal, so the machine was nearly ours.
const quietThreshold = 1.15;
const quiet = windows.filter((window) => window.crowd <= quietThreshold);
const judged = quiet.length ? quiet : windows;
const judgedWhere = quiet.length
  ? `the ${quiet.length === 1 ? 'window' : `${quiet.length} windows`} where 20 bare agents came within ${quietThreshold}× of it`
  : 'all windows (none was quiet: 20 bare agents never came within ' + `${quietThreshold}× of the ideal)`;
const judgedRecorded = median(judged.map((window) => window.recorded));
const failuresAt40 = windows.reduce((sum, window) => sum + window.fortyFailed, 0);
const windowRows = windows.map(
  (window, n) =>
    `| ${n + 1}${window.crowd <= quietThreshold ? ' (quiet)' : ''} | ${window.crowd.toFixed(2)}× | **${window.recorded.toFixed(2)}×** | ${window.versusBare.toFixed(2)}× | ${Number.isNaN(window.unqueued) ? '–' : `${window.unqueued.toFixed(2)}×`} | ${window.forty.toFixed(2)}× | ${window.fortyFailed} |`,
);
const report = `
## Concurrent agents (\`npm run bench:agent\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${where}; ${repetitions} ${repetitions === 1 ? 'repetition' : 'repetitions'}${quick ? ' (--quick)' : ''}.
Every agent is a real Claude Code process (the bundled binary) running a four-turn script (Read, Bash,
Glob, reply) against the fake model server, with a scratch HOME. baton admits ${slots} Claude Code processes
at once (${process.env.BATON_MAX_AGENTS ? 'BATON_MAX_AGENTS' : '`defaultMaxAgents` for this machine'}); the rest wait in the queue.

**The limit**, measured in the same run: a bare SDK \`query()\` of the script (same server, binary and
environment, nothing recorded) takes ${over(bare, (run) => run.wallS, 2, ' s')} wall and ${over(bare, (run) => run.cpuS, 2)} CPU-seconds (median (min–max) of
${bare.length}), PSS ${median(bare.flatMap((run) => run.pssPerAgentMb)).toFixed(0)} MB. The CPU-ideal of N agents is N × that CPU ÷ ${cores} cores (each repetition's own two bare
runs): the least wall time N agents can take here. Each repetition also runs 20 bare \`query()\`s, ${slots} at a
time: how far that window's other load on the machine keeps even bare agents from the ideal.

| window | 20 bare ÷ CPU-ideal | 20 recorded, queued ÷ CPU-ideal | 20 recorded ÷ 20 bare | 20 recorded, no queue ÷ CPU-ideal | 40 recorded ÷ CPU-ideal | 40: not succeeded |
|---|---|---|---|---|---|---|
${windowRows.join('\n')}

Targets: 20 recorded runs within 1.25× of the CPU-ideal: ${spread(
  judged.map((window) => window.recorded),
  2,
  '×',
)} in ${judgedWhere} (${judgedRecorded <= 1.25 ? 'meets' : 'misses'} the target by the median; ${spread(
  judged.map((window) => window.versusBare),
  2,
  '×',
)} the bare crowd there, a recorded run using ${spread(
  judged.map((window) => window.extraCpuS),
  2,
)} CPU-s more than a bare one in this process and its children); 40 at once with no failure: ${failuresAt40} of ${40 * windows.length} not succeeded (${failuresAt40 === 0 ? 'meets' : 'misses'} the target).
The CPU-ideal leaves out baton's own work (this process and PostgreSQL, on the same cores), so a
recorded run's ratio prices recording and admission together.

Per level, median (min–max) over the repetitions:

| runs | slots | status | first event p50 | first event max | wait for a slot, max | wall | CPU-s per run | wall ÷ CPU-ideal | PSS all agents | PSS per agent |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

First event: start() to the run's first event from Claude Code, queueing included. No queue: 20 slots
for 20 runs, as before admission; its wait is this process starting the others' agents. CPU-s per run: this process and its reaped children (Claude Code, its shell, git for
file tracking), PostgreSQL not included. PSS: the largest sum over the Claude Code processes alive at one
moment (sampled every 0.5 s; shared pages, the 400 MB binary's above all, divided among the processes
sharing them, which summed RSS would count once per process); per agent: each process's own peak. The
machine is shared with other engineers: absolute times are noisy; the ratios within one run are the result.
`;
console.log(report);
await writeSection('agent', report);
