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
 * them and the next query reconnects. A query waits for a free client as long as it takes: a busy pool
 * is not an outage, and a run must not fail because others were writing. Opening a new connection has a
 * time limit, so an unreachable server still fails fast (and callers retry what is transient).
 */
export function createPool(
  url: string,
  options: {
    max?: number;
    applicationName?: string;
    /** How long a query may wait for a free client before failing; 0: as long as it takes. @default 0 */
    connectionTimeoutMillis?: number;
    /** How long opening a new connection may take. @default 5000 */
    connectTimeoutMillis?: number;
  } = {},
): Pool {
  const connectTimeoutMillis = options.connectTimeoutMillis ?? 5_000;
  // pg-pool applies one timeout both to waiting for a client and to connecting one; the connect limit
  // is given to each client instead, so waiting can be unbounded while connecting is not.
  class TimedClient extends pg.Client {
    constructor(config: pg.ClientConfig = {}) {
      super({ ...config, connectionTimeoutMillis: config.connectionTimeoutMillis || connectTimeoutMillis });
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'baton',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 0,
    idleTimeoutMillis: 30_000,
    Client: TimedClient,
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
