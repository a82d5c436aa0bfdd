import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
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
