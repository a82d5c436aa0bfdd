import { afterAll, beforeAll, inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/test-db.ts';

/** A migrated database of this test file's own, dropped after the file's tests. */
export function useTestDatabase(): { readonly current: TestDatabase } {
  const holder: { current?: TestDatabase } = {};
  beforeAll(async () => {
    holder.current = await createTestDatabase(inject('adminUrl'), inject('templateDatabase'));
  });
  afterAll(async () => {
    await holder.current?.drop();
  });
  return {
    get current() {
      if (!holder.current) throw new Error('the test database is created in beforeAll');
      return holder.current;
    },
  };
}
