import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../config/package-root.ts';
import { AppError } from '../core/errors.ts';
import { withClient, type Pool } from './pool.ts';

export const migrationsDir = join(packageRoot(), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  appliedAt: Date | null;
}

/**
 * A family of numbered migrations with its own version table and lock: baton's own (`migrations/`,
 * `baton_migrations`), or an example's (Nile's `examples/nile/migrations`, `nile.migrations`), so one
 * family's versions never collide with another's and applying one never waits for the other.
 */
export interface MigrationSet {
  dir: string;
  /** The version table, schema-qualified when `schema` is given (a constant, never from input). */
  table: string;
  /** The advisory lock concurrent callers take turns on. Any constant, the same in every process. */
  lockKey: number;
  /** Created (if missing) before the version table, which lives in it. */
  schema?: string;
}

export const batonMigrations: MigrationSet = {
  dir: migrationsDir,
  table: 'baton_migrations',
  lockKey: 0x6261746f6e, // "baton"
};

/** Migration files named `NNNN_name.sql`, in order. */
export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const match = /^(\d+)_(.+)\.sql$/.exec(file);
      if (!match) throw new AppError('internal', `Migration file ${file} must be named NNNN_name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: await readFile(`${dir}/${file}`, 'utf8') };
    }),
  );
}

/**
 * Applies every pending migration, each in its own transaction. A session advisory lock makes concurrent
 * callers (two processes booting at once) take turns; the second finds nothing left to do.
 */
export async function migrate(pool: Pool, dir = migrationsDir): Promise<Migration[]> {
  return applyMigrations(pool, { ...batonMigrations, dir });
}

/** Applies every pending migration of one set (see migrate). */
export async function applyMigrations(pool: Pool, set: MigrationSet): Promise<Migration[]> {
  const migrations = await readMigrations(set.dir);
  return withClient(pool, async (client) => {
    try {
      await client.query('select pg_advisory_lock($1)', [set.lockKey]);
      if (set.schema) await client.query(`create schema if not exists ${set.schema}`);
      await client.query(`create table if not exists ${set.table} (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
      const applied = new Set(
        (await client.query<{ version: number }>(`select version from ${set.table}`)).rows.map(
          (row) => row.version,
        ),
      );
      const pending = migrations.filter((migration) => !applied.has(migration.version));
      for (const migration of pending) {
        try {
          await client.query('begin');
          await client.query(`insert into ${set.table} (version, name) values ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
          await client.query(migration.sql);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw new AppError(
            'internal',
            `Migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
      return pending;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [set.lockKey]).catch(() => {});
    }
  });
}

/** Every known migration with when it was applied (null: pending). */
export async function migrationStatus(pool: Pool, dir = migrationsDir): Promise<MigrationStatus[]> {
  const migrations = await readMigrations(dir);
  const exists = await pool.query(`select to_regclass('baton_migrations') is not null as present`);
  const applied = new Map<number, Date>();
  if (exists.rows[0].present) {
    const rows = await pool.query<{ version: number; applied_at: Date }>(
      'select version, applied_at from baton_migrations',
    );
    for (const row of rows.rows) applied.set(row.version, row.applied_at);
  }
  return migrations.map((migration) => ({
    version: migration.version,
    name: migration.name,
    appliedAt: applied.get(migration.version) ?? null,
  }));
}
