/**
 * npx tsx bench/file-tracking.ts — what file tracking costs one agent run, as an ADW step pays it.
 *
 * Each case builds a directory, then runs `startFileTracking` → (modify one file, create one) →
 * `finish()` several times. "first" runs each use a new snapshots root (a shadow repository that
 * hashes everything); "later" runs share one (the usual case: the stat cache is warm). Times are
 * wall-clock medians and maxima; CPU is this process plus the git processes it waited for (from
 * /proc/self/stat, 10 ms ticks), averaged over the runs. Prints the table and writes it to
 * docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFileTracking } from '../src/agent/file-tracker.ts';
import { machine, percentile, writeSection } from './support.ts';

const firstRuns = 5;
const laterRuns = 20;
let runCount = 0; // Names each run's edit and new file, so every run changes both.

interface Case {
  name: string;
  /** Files to create, relative to the directory, and which of its subdirectories are git repositories. */
  files: string[];
  repos: string[];
  /** The directory (relative) where each run edits and creates a file. */
  editIn: string;
}

const cases: Case[] = [
  { name: '10 files', files: numbered('', 10), repos: [], editIn: '' },
  { name: '5,000 files (~0.5 KB each)', files: numbered('', 5_000), repos: [], editIn: '' },
  {
    name: '5,000 files, 2,500 of them in one nested repository',
    files: [...numbered('', 2_500), ...numbered('vendor/lib/', 2_500)],
    repos: ['vendor/lib'],
    editIn: 'vendor/lib/',
  },
];

function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, n) => `${prefix}src/d${n % 50}/f${n}.ts`);
}

const root = await mkdtemp(join(tmpdir(), 'baton-bench-files-'));
const rows: string[] = [];
try {
  for (const [index, benchCase] of cases.entries()) {
    const dir = join(root, `case-${index}`);
    await build(dir, benchCase);
    const first = await measure(dir, benchCase, firstRuns, (n) => join(root, `snapshots-first-${n}`));
    const shared = () => join(root, 'snapshots-shared');
    await measure(dir, benchCase, 1, shared); // Untimed: creates the shared shadow, as some earlier run did.
    const later = await measure(dir, benchCase, laterRuns, shared);
    rows.push(row(benchCase.name, 'first', first), row(benchCase.name, 'later', later));
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

const gitVersion = execFileSync('git', ['--version'], { encoding: 'utf8' }).trim();
const section = `## File tracking (\`npm run bench:file-tracking\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, ${gitVersion}.

Each run is \`startFileTracking\`, then one file modified and one created (inside the nested repository
when there is one), then \`finish()\`. "first": ${firstRuns} runs, each with a new shadow repository, so
everything is hashed; "later": ${laterRuns} runs sharing one (the usual case). Times are medians (maxima);
CPU is baton's process plus its git processes, per run.

| directory | run | start (snapshot) | finish (snapshot + diff) | total | CPU per run |
|---|---|---|---|---|---|
${rows.join('\n')}`;
console.log(section);
await writeSection('file-tracking', section);

interface Timings {
  start: number[];
  finish: number[];
  total: number[];
  cpuMsPerRun: number;
  /** Most changes a run's summary left out (0 when tracking sees everything). */
  missed: number;
}

async function measure(
  dir: string,
  benchCase: Case,
  runs: number,
  snapshotsRootFor: (n: number) => string,
): Promise<Timings> {
  const timings: Timings = { start: [], finish: [], total: [], cpuMsPerRun: 0, missed: 0 };
  const cpuBefore = await cpuMs();
  for (let n = 0; n < runs; n++) {
    const id = runCount++;
    const t0 = performance.now();
    const tracking = await startFileTracking({ cwd: dir, snapshotsRoot: snapshotsRootFor(n) });
    const t1 = performance.now();
    await writeFile(join(dir, benchCase.editIn, 'src/d0/f0.ts'), `export const edit = ${id};\n`);
    await writeFile(join(dir, benchCase.editIn, `new-${id}.ts`), `export const created = ${id};\n`);
    const t2 = performance.now();
    const summary = await tracking.finish();
    const t3 = performance.now();
    if (summary.error) throw new Error(summary.error);
    timings.missed = Math.max(timings.missed, 2 - summary.files.length);
    timings.start.push(t1 - t0);
    timings.finish.push(t3 - t2);
    timings.total.push(t1 - t0 + (t3 - t2));
  }
  timings.cpuMsPerRun = ((await cpuMs()) - cpuBefore) / runs;
  return timings;
}

async function build(dir: string, benchCase: Case): Promise<void> {
  const body = `${'// filler line of a source file\n'.repeat(15)}export const value = 1;\n`;
  for (const path of benchCase.files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  for (const repo of benchCase.repos) {
    const cwd = join(dir, repo);
    execFileSync('git', ['init', '--quiet'], { cwd });
    execFileSync('git', ['add', '--all'], { cwd });
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '--quiet', '-m', 'i'], {
      cwd,
    });
  }
}

/** CPU time of this process and its waited-for children, from /proc/self/stat (Linux only). */
async function cpuMs(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 of proc(5) (utime, stime, cutime, cstime), counted from field 3 here.
  const ticks = fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0);
  return ticks * 10;
}

function row(name: string, run: string, timings: Timings): string {
  const cell = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${percentile(sorted, 50).toFixed(0)} ms (max ${sorted.at(-1)!.toFixed(0)})`;
  };
  const missed = timings.missed ? ` (missed ${timings.missed} of 2 changes)` : '';
  return `| ${name}${missed} | ${run} | ${cell(timings.start)} | ${cell(timings.finish)} | ${cell(timings.total)} | ${timings.cpuMsPerRun.toFixed(0)} ms |`;
}
