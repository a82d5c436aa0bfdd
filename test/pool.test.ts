import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPool } from '../src/db/pool.ts';
import { useTestDatabase } from './helpers/database.ts';

describe('the connection pool', () => {
  const db = useTestDatabase();
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a query wait for a busy pool as long as it takes instead of failing it', async () => {
    const pool = createPool(db.current.url, { max: 1 });
    const held = await pool.connect();
    let released = false;
    const release = () => {
      if (!released) held.release();
      released = true;
    };
    try {
      // Only timers are faked: an hour passes for the pool while the query waits for its one client.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const waiting = pool.query<{ answer: number }>('select 42 as answer');
      let failure: unknown;
      waiting.catch((error: unknown) => (failure = error));
      await vi.advanceTimersByTimeAsync(60 * 60 * 1000);
      expect(failure).toBeUndefined();
      expect(pool.waitingCount).toBe(1);
      vi.useRealTimers();
      release();
      expect((await waiting).rows[0]!.answer).toBe(42);
    } finally {
      release();
      await pool.end();
    }
  });
});
