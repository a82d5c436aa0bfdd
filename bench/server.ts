/**
 * npm run bench:server [-- --quick] — ledger → WebSocket: events written through the event writer at a
 * steady rate reach 1, 10 and 50 WebSocket clients (in a process of their own), each subscribed to
 * `all`; latency is write call → client receipt. Each count of clients runs twice: alone, and beside one
 * client that never reads its socket (the others' p99 should not move by more than 20 %). Then a burst:
 * as many events as the writer takes, timed until every client has the last.
 *
 * Then, with real Claude Code against the fake model server (agents get a scratch HOME):
 * - chat message → first streamed token: POST /api/orchestrator/messages until the orchestrator's first
 *   `event.delta` text fragment reaches a WebSocket client, against the limit: a bare SDK query() of the
 *   same turn, from the call to its first stream_event text delta. Alternated, 3 repetitions each.
 * - 20 commands to 20 agents (create_agent, then command_agent to each at once), run by a command worker
 *   through the host's admission (BATON_MAX_AGENTS, else the default), against the CPU-ideal: one command
 *   alone's CPU-seconds (this process and its Claude Code process tree) × 20 ÷ cores. 3 windows, each
 *   with its own two single-command references.
 * - follow-up command → its first event, warm against cold: an agent primed with one command, then a
 *   command_agent into its warm process, and (that process closed, as its idle time would) one that
 *   resumes the session in a new process; timed to the run's RunStarted and to its first event from
 *   Claude Code at a WebSocket client subscribed to the agent. 3 repetitions (target warm ≤ 150 ms).
 *
 * --quick runs each part briefly (one repetition) and does not write the docs.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.ts';
import type { EventDraft } from '../src/core/events.ts';
import { newId } from '../src/core/ids.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { latestSeq } from '../src/db/events.ts';
import { createApp } from '../src/server/create-app.ts';
import { hostPolicy } from '../src/server/security/allowed-hosts.ts';
import { openChat } from '../src/orchestrator/open-chat.ts';
import { startCommandWorker } from '../src/services/agents/command-worker.ts';
import { startServices } from '../src/services/services.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { managementTools } from '../src/tools/registry.ts';
import { benchAgents, commandAll, commandTurns, type CommandsOutcome } from './server-commands.ts';
import { bareFirstToken, chatFirstToken, firstTokenTurn } from './server-first-token.ts';
import { followUpAgent, followUpTurns, warmAndCold, type FollowUpTiming } from './server-follow-up.ts';
import { benchDatabase, load, machine, percentile, writeSection } from './support.ts';

const quick = process.argv.includes('--quick');
const plan = quick
  ? { rate: 500, warmSeconds: 1, steadySeconds: 3, clients: [1, 10], burst: 5_000 }
  : { rate: 1_000, warmSeconds: 3, steadySeconds: 20, clients: [1, 10, 50], burst: 20_000 };
const now = () => performance.timeOrigin + performance.now();
const repetitions = quick ? 1 : 3;
const crowd = 20;
const cores = availableParallelism();

const db = await benchDatabase();
const home = await mkdtemp(join(tmpdir(), 'baton-bench-server-'));
const userHome = await mkdtemp(join(tmpdir(), 'baton-bench-user-'));
const workspace = await mkdtemp(join(tmpdir(), 'baton-bench-orchestrator-'));
const bareDir = await mkdtemp(join(tmpdir(), 'baton-bench-bare-'));
const reps = Array.from({ length: repetitions }, (_, n) => n + 1);
// Every agent of the run is known up front, so one fake model server's script holds all their turns.
const windows = await Promise.all(
  reps.map(async (rep) => ({
    references: await benchAgents(`w${rep}-alone`, 2),
    crowd: await benchAgents(`w${rep}-crowd`, crowd),
  })),
);
const followUps = await Promise.all(reps.map((rep) => followUpAgent(rep)));
const modelServer = await startFakeModelServer({
  script: [
    ...reps.flatMap((rep) => [firstTokenTurn(`chat-${rep}`), firstTokenTurn(`bare-${rep}`)]),
    ...followUpTurns(followUps),
    ...windows.flatMap((window) => commandTurns([...window.references, ...window.crowd])),
  ],
});
const config = loadConfig({
  PATH: process.env.PATH,
  HOME: userHome,
  DATABASE_URL: db.url,
  BATON_HOME: home,
  BATON_SUMMARIES: 'off',
  BATON_MAX_AGENTS: process.env.BATON_MAX_AGENTS,
  ANTHROPIC_BASE_URL: modelServer.url,
  ANTHROPIC_API_KEY: 'bench',
});
const services = await startServices(config);
const chat = await openChat(services, workspace, managementTools);
const orchestrator = await chat.orchestrator();
const token = 'bench-token-0123456789abcdefghijklmnopqrstuvwxyz';
const { app } = await createApp({
  services,
  cwd: workspace,
  token,
  hosts: hostPolicy('127.0.0.1'),
  tools: managementTools,
  chat,
  orchestrator: async () => ({ id: orchestrator.id, agentId: orchestrator.agent_id }),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const writer = createEventWriter(db.pool);
const runId = newId();
const agentId = newId();

// A typical text event (~600 bytes on the wire).
function draft(n: number): EventDraft {
  return {
    id: newId(),
    category: 'response',
    type: 'TextBlock',
    agentId,
    runId,
    payload: { t: now(), n, text: 'The change adds input validation to the signup form. '.repeat(8) },
    occurredAt: new Date(),
  };
}

const clients = fork(fileURLToPath(new URL('./ws-clients.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
function ask<T>(message: object, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      clients.off('message', listener);
      resolve(reply as T);
    };
    clients.on('message', listener);
    clients.send(message);
  });
}
interface Report {
  delivered: number;
  resyncs: number;
  latencies: number[];
}

interface Row {
  readers: number;
  stalled: boolean;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  stalledResynced: boolean;
  load: string;
}

async function steady(readers: number, stalled: boolean): Promise<Row> {
  const fromSeq = await latestSeq(db.pool);
  const measureFrom = now() + plan.warmSeconds * 1000;
  await ask({ type: 'start', origin, token, readers, stalled, fromSeq, measureFrom }, 'ready');
  const stream = writer.open();
  const start = performance.now();
  const end = start + (plan.warmSeconds + plan.steadySeconds) * 1000;
  let written = 0;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * plan.rate);
    while (written < due) await stream.write(draft(written++));
    await sleep(2);
  }
  await stream.flush();
  const elapsed = (performance.now() - start) / 1000;
  let report = await ask<Report>({ type: 'report' }, 'report');
  const deadline = performance.now() + 60_000;
  while (report.delivered < written * readers && performance.now() < deadline) {
    await sleep(100);
    report = await ask<Report>({ type: 'report' }, 'report');
  }
  await ask({ type: 'stop' }, 'stopped');
  const latencies = report.latencies.sort((a, b) => a - b);
  const row: Row = {
    readers,
    stalled,
    achieved: written / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    stalledResynced: report.resyncs > 0,
    load: load(),
  };
  console.log(
    `${readers} readers${stalled ? ' + 1 stalled' : ''}: ${row.achieved.toFixed(0)}/s, p50 ${row.p50.toFixed(1)} ms, ` +
      `p99 ${row.p99.toFixed(1)} ms, max ${row.max.toFixed(1)} ms, delivered ${report.delivered}/${written * readers}` +
      `${stalled ? `, resync ${row.stalledResynced}` : ''} (${row.load})`,
  );
  return row;
}

async function burst(readers: number): Promise<{ readers: number; perClient: number; total: number }> {
  const fromSeq = await latestSeq(db.pool);
  await ask(
    { type: 'start', origin, token, readers, stalled: false, fromSeq, measureFrom: Infinity },
    'ready',
  );
  const stream = writer.open();
  const start = performance.now();
  for (let n = 0; n < plan.burst; n += 1) await stream.write(draft(n));
  await stream.flush();
  let report = await ask<Report>({ type: 'report' }, 'report');
  while (report.delivered < plan.burst * readers) {
    await sleep(20);
    report = await ask<Report>({ type: 'report' }, 'report');
  }
  const seconds = (performance.now() - start) / 1000;
  await ask({ type: 'stop' }, 'stopped');
  const result = { readers, perClient: plan.burst / seconds, total: (plan.burst * readers) / seconds };
  console.log(`burst, ${readers} readers: ${result.perClient.toFixed(0)} events/s per client (${load()})`);
  return result;
}

const rows: Row[] = [];
for (const readers of plan.clients) {
  rows.push(await steady(readers, false));
  rows.push(await steady(readers, true));
}
const bursts = [];
for (const readers of plan.clients) bursts.push(await burst(readers));

clients.kill();

// Chat message → first streamed token, alternated with the bare query that is its limit.
const chatS: number[] = [];
const bareS: number[] = [];
for (const rep of reps) {
  bareS.push(await bareFirstToken(services.runtime, bareDir, orchestrator.model!, `bare-${rep}`));
  chatS.push(await chatFirstToken({ origin, token, chat }, `chat-${rep}`));
  console.log(
    `first token ${rep}: chat ${chatS.at(-1)!.toFixed(2)} s, bare query ${bareS.at(-1)!.toFixed(2)} s (${load()})`,
  );
}

const commandWorker = await startCommandWorker(services, { concurrency: config.maxAgents });

// A follow-up command into a warm process, against one that starts a process.
const followUpTimings: { warm: FollowUpTiming; cold: FollowUpTiming; load: string }[] = [];
for (const agent of followUps) {
  const timing = { ...(await warmAndCold({ services, origin, token }, agent)), load: load() };
  followUpTimings.push(timing);
  console.log(
    `follow-up: warm ${timing.warm.firstEventMs.toFixed(0)} ms (RunStarted ${timing.warm.runStartedMs.toFixed(0)} ms), ` +
      `cold ${timing.cold.firstEventMs.toFixed(0)} ms (RunStarted ${timing.cold.runStartedMs.toFixed(0)} ms) (${load()})`,
  );
}

// 20 commands to 20 agents at once, each window against its own single-command CPU.
const commandWindows: {
  references: CommandsOutcome[];
  crowd: CommandsOutcome;
  idealS: number;
  load: string;
}[] = [];
for (const window of windows) {
  const references = [];
  for (const agent of window.references) references.push(await commandAll(services, [agent]));
  const commandCpuS = references.reduce((sum, run) => sum + run.cpuS, 0) / references.length;
  const outcome = await commandAll(services, window.crowd);
  const idealS = (crowd * commandCpuS) / cores;
  commandWindows.push({ references, crowd: outcome, idealS, load: load() });
  console.log(
    `${crowd} commands: wall ${outcome.wallS.toFixed(1)} s, ideal ${idealS.toFixed(1)} s (${(outcome.wallS / idealS).toFixed(2)}×); ` +
      `one alone ${references.map((run) => `${run.wallS.toFixed(2)} s, ${run.cpuS.toFixed(2)} CPU-s`).join('; ')}; ` +
      `${(outcome.cpuS / crowd).toFixed(2)} CPU-s a command in the crowd; ${[...outcome.statuses].map(([status, n]) => `${n} ${status}`).join(', ')} (${load()})`,
  );
}
await commandWorker.stop();
const scriptComplete = (() => {
  try {
    modelServer.assertComplete();
    return 'every scripted turn was used';
  } catch (error) {
    return (error as Error).message;
  }
})();

await app.close();
await chat.close();
await writer.close();
await services.close();
await modelServer.close();
await db.close();
for (const dir of [
  home,
  userHome,
  workspace,
  bareDir,
  ...followUps.map((agent) => agent.workspace),
  ...windows.flatMap((w) => [...w.references, ...w.crowd].map((a) => a.workspace)),
])
  await rm(dir, { recursive: true, force: true });

const ms = (value: number) => `${value.toFixed(1)} ms`;
const table = rows
  .map((row) => {
    const alone = rows.find((other) => other.readers === row.readers && !other.stalled)!;
    const change = row.stalled ? `${(((row.p99 - alone.p99) / alone.p99) * 100).toFixed(0)} %` : '–';
    return `| ${row.readers} | ${row.stalled ? 'yes' : 'no'} | ${row.achieved.toFixed(0)} | ${ms(row.p50)} | ${ms(row.p99)} | ${ms(row.max)} | ${change} | ${row.stalled ? (row.stalledResynced ? 'yes' : 'not yet') : '–'} | ${row.load} |`;
  })
  .join('\n');
const burstTable = bursts
  .map((row) => `| ${row.readers} | ${row.perClient.toFixed(0)} | ${row.total.toFixed(0)} |`)
  .join('\n');
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => percentile(sorted(values), 50);
/** "min / median / max" of a repetition's values, in seconds. */
const spread = (values: number[]) =>
  values.length === 1
    ? `${values[0]!.toFixed(2)} s`
    : `${sorted(values)[0]!.toFixed(2)} / ${median(values).toFixed(2)} / ${sorted(values).at(-1)!.toFixed(2)} s`;
const tokenRatio = median(chatS) / median(bareS);
const tokenRows = reps
  .map(
    (rep, n) =>
      `| ${rep} | ${chatS[n]!.toFixed(2)} s | ${bareS[n]!.toFixed(2)} s | ${(chatS[n]! / bareS[n]!).toFixed(2)}× |`,
  )
  .join('\n');
const msSpread = (values: number[]) =>
  values.length === 1
    ? `${values[0]!.toFixed(0)} ms`
    : `${sorted(values)[0]!.toFixed(0)} / ${median(values).toFixed(0)} / ${sorted(values).at(-1)!.toFixed(0)} ms`;
const warmFirst = followUpTimings.map((timing) => timing.warm.firstEventMs);
const coldFirst = followUpTimings.map((timing) => timing.cold.firstEventMs);
const followUpRows = followUpTimings
  .map(
    ({ warm, cold, load: after }, n) =>
      `| ${n + 1} | ${warm.runStartedMs.toFixed(0)} ms | **${warm.firstEventMs.toFixed(0)} ms** | ${cold.runStartedMs.toFixed(0)} ms | ${cold.firstEventMs.toFixed(0)} ms | ${warm.warm && !cold.warm ? 'yes' : '**no**'} | ${after} |`,
  )
  .join('\n');
const ratios = commandWindows.map((window) => window.crowd.wallS / window.idealS);
const commandsRatio = median(ratios);
const notSucceeded = commandWindows.reduce(
  (sum, window) => sum + crowd - (window.crowd.statuses.get('succeeded') ?? 0),
  0,
);
const commandRows = commandWindows
  .map((window, n) => {
    const alone = window.references;
    const cells = [
      n + 1,
      alone.map((run) => `${run.wallS.toFixed(2)} s, ${run.cpuS.toFixed(2)} CPU-s`).join('; '),
      `${window.crowd.wallS.toFixed(1)} s`,
      `${window.idealS.toFixed(1)} s`,
      `**${ratios[n]!.toFixed(2)}×**`,
      (window.crowd.cpuS / crowd).toFixed(2),
      (window.crowd.cpuS / window.crowd.wallS).toFixed(2),
      [...window.crowd.statuses].map(([status, count]) => `${count}/${crowd} ${status}`).join(', '),
      window.load,
    ];
    return `| ${cells.join(' | ')} |`;
  })
  .join('\n');
const gapParts = commandWindows
  .map((window) => {
    const aloneCpuS = window.references.reduce((sum, run) => sum + run.cpuS, 0) / window.references.length;
    const extraCpu = window.crowd.cpuS / crowd / aloneCpuS;
    const share = cores / (window.crowd.cpuS / window.crowd.wallS);
    return `${extraCpu.toFixed(2)}× × ${share.toFixed(2)}×`;
  })
  .join('; ');
const markdown = `
## Ledger → WebSocket (\`npm run bench:server\`)

${machine()}; ${db.where}. The server (\`createApp\`, on 127.0.0.1) and the writer run in one process, the
WebSocket clients in another; each client subscribes to \`all\`. Events (~600 bytes on the wire) are written
through the event writer at ${plan.rate.toLocaleString('en')} a second for ${plan.warmSeconds} s of warm-up,
not counted, then ${plan.steadySeconds} s measured; latency is from the write call to the client's receipt.
*Stalled*: one more client subscribes and never reads its socket. *p99 change*: against the same number of
readers without it (the target is at most +20 %).

| readers | stalled client | written /s | p50 | p99 | max | p99 change | stalled client resynced | load |
|---|---|---|---|---|---|---|---|---|
${table}

${
  rows.some((row) => row.stalled && !row.stalledResynced)
    ? `Where the stalled client was not resynced, its buffers (the kernel's, the server's ${'4 MiB'} and the event
feed's queue of 5,000) had not filled within the window at this rate; its topic was paused or filling, and
test/server-websocket.test.ts covers the resync itself. `
    : ''
}The machine is shared: read each p99 beside its load.

Throughput: ${plan.burst.toLocaleString('en')} events written as fast as the writer takes them, timed from the
first write until every client has the last.

| readers | events/s per client | deliveries/s |
|---|---|---|
${burstTable}

### Chat message → first streamed token

Real Claude Code (the bundled binary) against the fake model server, with a scratch HOME; the
orchestrator is the workspace's chat (\`openChat\`, baton's tools mounted) behind the same server. Timed
from the \`POST /api/orchestrator/messages\` call to the orchestrator's first \`event.delta\` text fragment
at a WebSocket client subscribed to \`orchestrator\` (in the server's process). Its turn spawns Claude Code
(from its second turn on, resuming the orchestrator's session). **The limit**, alternated with it in the
same run: a bare SDK \`query()\` of the same turn (same binary, environment and fake model, nothing
recorded), from the call to its first \`stream_event\` text delta.

| repetition | chat → first token | bare query → first delta | ratio |
|---|---|---|---|
${tokenRows}

min / median / max over ${repetitions}: chat ${spread(chatS)}, bare query ${spread(bareS)}; **${tokenRatio.toFixed(2)}×** the limit by the medians.

### Follow-up command → its first event, warm process against a cold one

An agent primed with one command (not timed), then a follow-up \`command_agent\` whose prompt goes into the
agent's warm Claude Code process, then, that process closed (as \`BATON_WARM_IDLE_MS\` would), a follow-up
that resumes the session in a new process: the cold path, which every command took before warm
processes. Each is timed from the \`command_agent\` call (the tool, as the orchestrator or the API calls
it) to the run's \`RunStarted\` and to its first event from Claude Code (\`SystemInit\`; a new process
reports its \`SessionStart\` first) at a WebSocket client subscribed to \`agent:<id>\`. The command worker
runs in this process, one reply turn each; no admission wait (slots are free).

| repetition | warm → RunStarted | warm → first event | cold → RunStarted | cold → first event | warm ran warm, cold cold | load after |
|---|---|---|---|---|---|---|
${followUpRows}

min / median / max over ${followUpTimings.length}: warm ${msSpread(warmFirst)}, cold ${msSpread(coldFirst)}. Target warm ≤ 150 ms:
**${median(warmFirst).toFixed(0)} ms** by the median (${median(warmFirst) <= 150 ? 'meets' : 'misses'} it), ${(median(coldFirst) / median(warmFirst)).toFixed(1)}× faster than cold. The
warm path is baton's own work (the command's transaction and notice, the take, the run's start) and one
turn of Claude Code in a live process; on a shared machine read it beside the load.

### ${crowd} commands to ${crowd} agents through admission control

${crowd} command agents (\`create_agent\`, each in a workspace of its own, not timed), then one
\`command_agent\` to each at once; a command worker in this process (concurrency ${config.maxAgents}) runs them, each
a recorded run of the agent's four-turn script (Read, Bash, Glob, reply) admitted by the host's
${config.maxAgents} Claude Code slots (${process.env.BATON_MAX_AGENTS ? 'BATON_MAX_AGENTS' : '`defaultMaxAgents` for this machine'}); timed until every command has ended (\`wait_for_agent\`'s
service call) and its Claude Code has exited. **The CPU-ideal**: one command alone's CPU-seconds (this
process, which is baton, and its reaped children: Claude Code and its shell; PostgreSQL not included),
the mean of the window's two, × ${crowd} ÷ ${cores} cores. *Cores used*: the crowd's CPU-seconds ÷ its wall
time, what this run got of the ${cores} cores (the CPU-ideal assumes all of them).

| window | one command alone (wall, CPU-s) | ${crowd} at once | CPU-ideal | ratio | CPU-s a command in the crowd | cores used | status | load after |
|---|---|---|---|---|---|---|---|---|
${commandRows}

Target ≤ 1.25×: **${commandsRatio.toFixed(2)}×** by the median of ${commandWindows.length} (${commandsRatio <= 1.25 ? 'meets' : 'misses'} it); ${notSucceeded} of ${crowd * commandWindows.length} commands not succeeded (0 expected). Fake model: ${scriptComplete}.
Where the gap comes from, per window (ratio = CPU-s a command in the crowd ÷ alone, × ${cores} ÷ cores used): ${gapParts}.
The machine is shared: the ratios within this run are the result.
`;
console.log(markdown);
if (!quick) await writeSection('server', markdown);
