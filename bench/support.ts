import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { adminQuery, withDatabase } from '../src/testing/test-db.ts';

/** A fresh, migrated database for one benchmark: on DATABASE_URL's server, else on an embedded PostgreSQL. */
export async function benchDatabase(options: { poolSize?: number } = {}): Promise<{
  url: string;
  pool: Pool;
  where: string;
  close(): Promise<void>;
}> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let home: string | undefined;
  if (!adminUrl) {
    home = await mkdtemp(join(tmpdir(), 'baton-bench-'));
    const embedded = await startEmbeddedPostgres(join(home, 'postgres'));
    adminUrl = embedded.url;
    stopEmbedded = () => embedded.stop({ force: true });
  }
  const name = `baton_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, { max: options.poolSize ?? 10 });
  await migrate(pool);
  const server = (await pool.query<{ server_version: string }>('show server_version')).rows[0]!
    .server_version;
  return {
    url,
    pool,
    where: `PostgreSQL ${server} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'})`,
    async close() {
      await pool.end();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
      await stopEmbedded?.();
      if (home) await rm(home, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.versions.node}`;
}

const benchmarksFile = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

/** Replaces the section between `<!-- bench:NAME -->` markers in docs/benchmarks.md (appends it if absent). */
export async function writeSection(name: string, markdown: string): Promise<void> {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const current = await readFile(benchmarksFile, 'utf8').catch(() => '# Benchmarks\n');
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? current.slice(0, start) + block + current.slice(stop + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(benchmarksFile, next);
}

/** This process's memory: PSS (its share of pages it shares with others, from smaps_rollup) and RSS, in bytes. */
export function processMemory(): { pss: number; rss: number } {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  return { pss: kib('Pss') * 1024, rss: kib('Rss') * 1024 };
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** The 1-minute load average and the number of cores: how busy the shared machine was. */
export function load(): string {
  return `load ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`;
}

let clockTicks: number | undefined; // /proc/<pid>/stat counts CPU time in these

function ticksPerSecond(): number {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    clockTicks = 100; // Linux's USER_HZ nearly everywhere
  }
  return clockTicks;
}

/** CPU seconds (user + system) of a local process so far, or undefined if it is not a PostgreSQL process here. */
export function postgresCpuSeconds(pid: number): number | undefined {
  try {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return undefined;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond(); // utime, stime
  } catch {
    return undefined;
  }
}

/** Server CPU seconds spent during a measurement, by the application_name of the connections. */
export interface ServerCpuMeter {
  stop(): Promise<Map<string, number>>;
}

/**
 * Measures the CPU time of the client backends of `pool`'s database (not the monitor's own) by reading
 * /proc/<pid>/stat of each, so it works only where PostgreSQL runs on this machine; returns undefined
 * elsewhere. Backends are sampled every 200 ms so one that closes meanwhile still counts up to then.
 */
export async function serverCpu(pool: Pool): Promise<(() => ServerCpuMeter) | undefined> {
  const monitor = await pool.connect();
  const self = (await monitor.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  monitor.release();
  if (postgresCpuSeconds(self) === undefined) return undefined;
  const backends = async () => {
    const result = await pool.query<{ pid: number; application_name: string }>(
      `select pid, application_name from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`,
    );
    const seen = new Map<number, { app: string; seconds: number }>();
    for (const row of result.rows) {
      const seconds = postgresCpuSeconds(row.pid);
      if (seconds !== undefined) seen.set(row.pid, { app: row.application_name, seconds });
    }
    return seen;
  };
  return () => {
    const first = backends();
    const last = new Map<number, { app: string; seconds: number }>();
    const sample = async () => {
      for (const [pid, backend] of await backends()) last.set(pid, backend);
    };
    let sampling = first.then((seen) => seen.forEach((backend, pid) => last.set(pid, backend)));
    const timer = setInterval(() => (sampling = sampling.then(sample)), 200);
    return {
      async stop() {
        clearInterval(timer);
        await sampling;
        await sample();
        const before = await first;
        const byApp = new Map<string, number>();
        for (const [pid, { app, seconds }] of last) {
          byApp.set(app, (byApp.get(app) ?? 0) + seconds - (before.get(pid)?.seconds ?? 0));
        }
        return byApp;
      },
    };
  };
}
