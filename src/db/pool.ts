import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything queries can run on: the pool itself or one checked-out client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

// bigint columns (seq, token counts) come back as numbers: they stay far below 2^53 in practice.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

/**
 * A pool whose idle clients may die (a PostgreSQL restart) without crashing the process: the pool drops
 * them and the next query reconnects.
 */
export function createPool(
  url: string,
  options: {
    max?: number;
    applicationName?: string;
    /** How long a query waits for a connection (a free client, or a new one). @default 5000 */
    connectionTimeoutMillis?: number;
  } = {},
): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'baton',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => {
    // An idle client lost its connection; pg removes it from the pool. Callers see errors on their own queries.
  });
  return pool;
}

/**
 * Checks out a client for `work`. A checked-out pg client emits 'error' when its connection dies, and
 * nobody else listens then, so we do; a client that failed is destroyed instead of going back to the pool.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Runs `work` in one transaction on one client; rolls back on any error. */
export function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  });
}
