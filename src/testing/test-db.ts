import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, type Pool } from '../db/pool.ts';

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A URL for `database` on the same server as `url`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A fresh, migrated database cloned from the suite's template (set up once by test/global-setup.ts),
 * so each test file has its own ledger and files can run in parallel.
 */
export async function createTestDatabase(adminUrl: string, template: string): Promise<TestDatabase> {
  const name = `baton_test_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name} template ${template}`);
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, { max: 8, applicationName: 'baton-test' });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end().catch(() => {});
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
