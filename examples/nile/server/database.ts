import { join } from 'node:path';
import { packageRoot } from '../../../src/config/package-root.ts';
import { applyMigrations, type MigrationSet } from '../../../src/db/migrate.ts';
import type { Pool } from '../../../src/db/pool.ts';
import { seedCatalog } from './seed.ts';

/**
 * Nile's own migrations: the `nile` schema of baton's database, versioned in `nile.migrations` under a
 * lock of its own, so they never touch (or wait for) baton's.
 */
export const nileMigrations: MigrationSet = {
  dir: join(packageRoot(), 'examples', 'nile', 'migrations'),
  schema: 'nile',
  table: 'nile.migrations',
  lockKey: 0x6e696c65, // "nile"
};

/** Brings the `nile` schema up to date and seeds the catalogue the first time. */
export async function prepareNileDatabase(pool: Pool): Promise<void> {
  await applyMigrations(pool, nileMigrations);
  await seedCatalog(pool);
}
