/**
 * npm run bench:agent — real Claude Code agents against the fake model server, 1, 5 and 20 at once.
 *
 * Each agent runs a 3-turn script (Read, Bash, reply) through baton's agent runner, so everything is
 * recorded as in production. Measured per concurrency level: time from start() to the agent's first event
 * (its UserPromptSubmit hook or init message), total wall time, and resident memory per agent process
 * (the highest VmRSS /proc reports for each Claude Code process while it runs).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { modelAliases } from '../src/agent/models.ts';
import { loadConfig } from '../src/config/index.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { createAgentRunner } from '../src/orchestrator/agent-runner.ts';
import { agentRuntimeFor } from '../src/orchestrator/services.ts';
import { startFakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { benchDatabase, machine, percentile, writeSection } from './support.ts';

const levels = [1, 5, 20];

function rssMb(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return line ? Number(line[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const db = await benchDatabase();
const home = await mkdtemp(join(tmpdir(), 'baton-bench-agent-'));
const results: string[] = [];

for (const concurrency of levels) {
  const dirs = await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const dir = await mkdtemp(join(tmpdir(), `baton-bench-work-${i}-`));
      await writeFile(join(dir, 'notes.txt'), 'notes\n');
      return dir;
    }),
  );
  // One script serves every agent: each turn matches the request's own working directory.
  const script = dirs.flatMap((dir) => [
    {
      ...turn(toolUse('Read', { file_path: join(dir, 'notes.txt') })),
      match: { anyText: { contains: `bench-${dir}` } },
    },
    {
      ...turn(toolUse('Bash', { command: 'echo ok' })),
      match: { anyText: { contains: `bench-${dir}` }, lastToolResult: { toolName: 'Read' } },
    },
    {
      ...reply('done'),
      match: { anyText: { contains: `bench-${dir}` }, lastToolResult: { toolName: 'Bash' } },
    },
  ]);
  const server = await startFakeModelServer({ script });
  const runtime = agentRuntimeFor(
    loadConfig({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BATON_HOME: home,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'bench',
    }),
  );
  const writer = createEventWriter(db.pool);
  const runner = createAgentRunner({ pool: db.pool, writer, runtime });

  const firstEvent: number[] = [];
  const peakRss = new Map<number, number>();
  const sampler = setInterval(() => {
    for (const pid of peakRss.keys()) peakRss.set(pid, Math.max(peakRss.get(pid)!, rssMb(pid) ?? 0));
  }, 100);
  const started = performance.now();
  const runs = await Promise.all(
    dirs.map(async (dir) => {
      const t0 = performance.now();
      let seen = false;
      const run = await runner.start({
        prompt: `Look at the notes (bench-${dir})`,
        cwd: dir,
        model: modelAliases.haiku,
        author: 'engineer',
        onEvent: (event) => {
          if (!seen && (event.type === 'UserPromptSubmit' || event.type === 'SystemInit')) {
            seen = true;
            firstEvent.push(performance.now() - t0);
          }
        },
      });
      const pidRow = async () =>
        (await db.pool.query('select agent_pid from agent_runs where id = $1', [run.runId])).rows[0]
          ?.agent_pid;
      // The pid is recorded as soon as the process starts; sample it while it runs.
      for (let i = 0; i < 100 && !(await pidRow()); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const pid = await pidRow();
      if (pid) peakRss.set(pid, rssMb(pid) ?? 0);
      return run.done;
    }),
  );
  const wall = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await writer.close();
  await server.close();
  server.assertComplete();
  const succeeded = runs.filter((run) => run.run.status === 'succeeded').length;
  const sortedFirst = firstEvent.sort((a, b) => a - b);
  const rss = [...peakRss.values()].filter((value) => value > 0).sort((a, b) => a - b);
  results.push(
    `| ${concurrency} | ${succeeded}/${concurrency} | ${(percentile(sortedFirst, 50) / 1000).toFixed(2)} s | ${(sortedFirst.at(-1)! / 1000).toFixed(2)} s | ${wall.toFixed(1)} s | ${percentile(rss, 50).toFixed(0)} MB | ${(rss.reduce((a, b) => a + b, 0) / 1024).toFixed(2)} GB |`,
  );
  console.log(results.at(-1));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

const where = db.where;
await db.close();
await rm(home, { recursive: true, force: true });

const report = `
## Concurrent agents (\`npm run bench:agent\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${where}. Each agent is a real Claude Code
process (bundled 2.1.332) running a 3-turn script (Read, Bash, reply) against the fake model server, all
started at once through baton's agent runner with full recording. RSS is the peak VmRSS of each Claude
Code process.

| agents | succeeded | first event p50 | first event max | wall time | RSS per agent (p50) | RSS all agents |
|---|---|---|---|---|---|---|
${results.join('\n')}

Starting many agents at once on 2 cores mostly queues for CPU (about 1.5 CPU-seconds to start each
process): first-event latency grows with the number started together, which is why ADW workers admit a
bounded number of agents at a time.
`;
console.log(report);
await writeSection('agent', report);
