import { dataPaths, ensureBatonHome, type Config } from '../config/index.ts';
import { DatabaseUnavailableError, describeError } from '../core/errors.ts';
import type { EmbeddedDatabase } from './embedded-postgres.ts';
import { migrate } from './migrate.ts';
import { createPool, type Pool } from './pool.ts';

export interface Database {
  pool: Pool;
  url: string;
  /** Where the database lives, for people: "DATABASE_URL (host:port/db)" or "embedded (dir)". */
  description: string;
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Refuse to join an embedded database another process runs (for `baton up`). */
  exclusive?: boolean;
  /** A process that runs until stopped (`baton up`, `baton worker`): it may adopt an embedded database left running. */
  longLived?: boolean;
  /** Apply pending migrations (the default: every process migrates on boot). */
  migrate?: boolean;
  poolSize?: number;
  log?: (line: string) => void;
}

/**
 * Connects to DATABASE_URL, or starts (or joins) the embedded PostgreSQL in BATON_HOME, checks that it
 * answers and brings its schema up to date.
 */
export async function openDatabase(config: Config, options: OpenDatabaseOptions = {}): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    await ensureBatonHome(config.home);
    // Imported here: with DATABASE_URL set, a short command does not load the embedded server's code.
    const { startEmbeddedPostgres } = await import('./embedded-postgres.ts');
    embedded = await startEmbeddedPostgres(dataPaths(config.home).postgres, {
      exclusive: options.exclusive,
      longLived: options.longLived,
      log: options.log,
    });
  }
  const url = config.databaseUrl ?? embedded!.url;
  const description = config.databaseUrl
    ? `DATABASE_URL (${redactUrl(config.databaseUrl)})`
    : `embedded PostgreSQL (${embedded!.dataDir})`;
  const pool = createPool(url, { max: options.poolSize });
  const close = async () => {
    await pool.end().catch(() => {});
    await embedded?.stop();
  };
  try {
    await pool.query('select 1');
    if (options.migrate !== false) await migrate(pool);
  } catch (error) {
    await close();
    if (config.databaseUrl) {
      throw new DatabaseUnavailableError(
        `Cannot use the database at DATABASE_URL (${redactUrl(config.databaseUrl)}): ${describeError(error)}. ` +
          'Check that PostgreSQL is running there and the URL is right, or unset DATABASE_URL to use the embedded database.',
        { cause: error },
      );
    }
    throw error;
  }
  return { pool, url, description, embedded, close };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}
