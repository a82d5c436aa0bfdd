import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'vitest';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { adminQuery, withDatabase } from '../src/testing/test-db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL on the suite's PostgreSQL server. */
    adminUrl: string;
    /** A migrated database that each test file clones. */
    templateDatabase: string;
  }
}

/**
 * The suite's PostgreSQL: DATABASE_URL when it is set (CI sets it when a server answers on 5432),
 * otherwise an embedded PostgreSQL in a temporary directory, so `npm test` works on a bare machine.
 */
export default async function setup(project: TestProject) {
  let home: string | undefined;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    home = await mkdtemp(join(tmpdir(), 'baton-test-pg-'));
    const embedded = await startEmbeddedPostgres(join(home, 'postgres'));
    adminUrl = embedded.url;
    stopEmbedded = () => embedded.stop({ force: true });
  }
  const templateDatabase = `baton_template_${process.pid}`;
  await adminQuery(adminUrl, `drop database if exists ${templateDatabase} with (force)`);
  await adminQuery(adminUrl, `create database ${templateDatabase}`);
  const pool = createPool(withDatabase(adminUrl, templateDatabase));
  await migrate(pool);
  await pool.end();

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    await adminQuery(adminUrl, `drop database if exists ${templateDatabase} with (force)`).catch(() => {});
    await stopEmbedded?.();
    if (home) await rm(home, { recursive: true, force: true });
  };
}
