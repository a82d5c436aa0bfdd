/**
 * npm run bench:cli — how long `baton` takes to answer, against `node -e 0` (starting Node itself) as the
 * floor, in one run: `baton --version`, `baton --help`, and `baton adw ls` against a running database
 * (DATABASE_URL's server when it is set, else an embedded PostgreSQL this script starts) holding 20 ADWs.
 *
 * The compiled build is what `baton` runs after `npm ci`, so the script builds it first (`npm run build`)
 * and measures `node bin/baton.js …` as a user's shell runs it. `--version` from the sources through tsx
 * (the development path, BATON_FROM_SOURCE=1) is measured beside it for comparison. The cases take turns,
 * one run of each per round, so a change in the shared machine's load touches them all alike. Wall time is
 * from spawn to exit; CPU is the child's user + system time (10 ms ticks).
 *
 * Targets (issue 11): --version and --help within 150 ms of the floor, adw ls within 400 ms.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { insertAdw } from '../src/db/adws.ts';
import { cpuSeconds } from './process-stats.ts';
import { benchDatabase, load, machine, writeSection } from './support.ts';

const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.slice(9) ?? 15);
if (!Number.isInteger(rounds) || rounds < 3)
  throw new Error('--rounds=<n> takes a whole number of 3 or more');

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'baton.js');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
const versionLine = new RegExp(`^${version.replaceAll('.', '\\.')}\n$`);

console.log('building dist/ (npm run build)…');
execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

const db = await benchDatabase({ poolSize: 2 });
const home = await mkdtemp(join(tmpdir(), 'baton-bench-cli-'));
for (let index = 0; index < 20; index++) {
  await insertAdw(db.pool, {
    id: randomUUID(),
    name: `bench-${index}`,
    workflow: 'plan_build',
    workingDir: home,
    inputs: {
      prompt: `Add a health route, number ${index}`,
      model: 'claude-haiku-5-5',
      reviewModel: 'claude-haiku-5-5',
      inPlace: true,
      cwd: home,
      stepRetries: 1,
      stepTimeoutSeconds: 600,
    },
    state: { status: 'succeeded', steps: [], costUsd: 0.01 * index },
  });
}

const environment = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/root',
  NO_COLOR: '1',
  BATON_HOME: home,
  ...extra,
});

interface Case {
  label: string;
  args: string[];
  env: Record<string, string>;
  /** What its output must show, so a failing command is not timed as a fast one. */
  expect: RegExp;
  /** The allowed distance from the floor's median, when the case has a target. */
  targetMs?: number;
}

const cases: Case[] = [
  { label: '`node -e 0` (floor)', args: ['-e', '0'], env: environment(), expect: /^$/ },
  {
    label: '`baton --version`',
    args: [bin, '--version'],
    env: environment(),
    expect: versionLine,
    targetMs: 150,
  },
  { label: '`baton --help`', args: [bin, '--help'], env: environment(), expect: /Commands:/, targetMs: 150 },
  {
    label: '`baton adw ls` (20 ADWs)',
    args: [bin, 'adw', 'ls'],
    env: environment({ DATABASE_URL: db.url }),
    expect: /bench-19|Add a health route, number 19/,
    targetMs: 400,
  },
  {
    label: '`baton --version` from the sources (tsx)',
    args: [bin, '--version'],
    env: environment({ BATON_FROM_SOURCE: '1' }),
    expect: versionLine,
  },
];

/** One run: wall milliseconds and CPU milliseconds of the child. */
function runOnce(entry: Case): Promise<{ wallMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const cpuBefore = cpuSeconds().children;
    const started = performance.now();
    const child = spawn(process.execPath, entry.args, { env: entry.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const cpuMs = (cpuSeconds().children - cpuBefore) * 1000;
      if (code !== 0 || !entry.expect.test(output)) {
        reject(new Error(`${entry.label} exited ${code} with:\n${output}`));
      } else resolve({ wallMs, cpuMs });
    });
  });
}

const loadBefore = load();
const started = performance.now();
for (const entry of cases) await runOnce(entry); // warm-up: the file cache, not counted
const samples = new Map(cases.map((entry) => [entry, { wall: [] as number[], cpu: [] as number[] }]));
for (let round = 0; round < rounds; round++) {
  for (const entry of cases) {
    const { wallMs, cpuMs } = await runOnce(entry);
    samples.get(entry)!.wall.push(wallMs);
    samples.get(entry)!.cpu.push(cpuMs);
  }
}
const loadAfter = load();
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const where = db.where;
await db.close();
await rm(home, { recursive: true, force: true });

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => {
  const ordered = sorted(values);
  const middle = Math.floor(ordered.length / 2);
  return ordered.length % 2 ? ordered[middle]! : (ordered[middle - 1]! + ordered[middle]!) / 2;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;
const floor = samples.get(cases[0]!)!;
const floorMedian = median(floor.wall);

const rows = cases.map((entry) => {
  const { wall, cpu } = samples.get(entry)!;
  const ordered = sorted(wall);
  const delta = median(wall) - floorMedian;
  const verdict =
    entry.targetMs === undefined
      ? ''
      : `${delta <= entry.targetMs ? 'met' : '**missed**'} (≤ ${entry.targetMs} ms)`;
  const isFloor = entry === cases[0];
  const plus = (value: number) => (isFloor ? '—' : `${value >= 0 ? '+' : ''}${ms(value)}`);
  return `| ${entry.label} | ${ms(ordered[0]!)} | ${ms(median(wall))} | ${ms(ordered.at(-1)!)} | ${plus(delta)} | ${plus(ordered[0]! - sorted(floor.wall)[0]!)} | ${ms(median(cpu))} | ${plus(median(cpu) - median(floor.cpu))} | ${verdict} |`;
});

const report = `## CLI start-up (\`npm run bench:cli\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${where}, in ${minutes} minutes:
${rounds} rounds, each running every case once in turn (after one warm-up round, not counted). The machine
is shared (${loadBefore} at the start, ${loadAfter} at the end), so single runs vary; the deltas, measured
in one window, are the result. Wall time from spawn to exit of \`node bin/baton.js …\` (the compiled build in
\`dist/\`); CPU is the child's user + system time, which the machine's load barely moves. The target is met
when the median's distance from the floor's median is within it; the minimum's distance from the floor's
minimum (the least disturbed runs) is beside it.

| command | min | median | max | median − floor | min − floor | CPU (median) | CPU − floor | target (median − floor) |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;

console.log(`\n${report}`);
await writeSection('cli', report);
console.log('written to docs/benchmarks.md');
