import { loadConfig, type Config } from '../config/index.ts';
import { openDatabase, type Database } from '../db/open-database.ts';

/**
 * Runs `work` against the ledger (migrated, embedded unless DATABASE_URL is set) without starting the
 * services: no queue, no event writer, no agent runtime. For commands that only read, which should answer
 * at once.
 */
export async function withDatabase<T>(
  work: (db: Database) => Promise<T>,
  config: Readonly<Config> = loadConfig(),
): Promise<T> {
  const db = await openDatabase(config, { poolSize: 2 });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
