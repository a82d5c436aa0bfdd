import { describe, expect, inject, it } from 'vitest';
import { checkedVocabularies } from '../src/core/statuses.ts';
import { migrate, migrationStatus, readMigrations } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { adminQuery, withDatabase } from '../src/testing/test-db.ts';
import { useTestDatabase } from './helpers/database.ts';

describe('migrations', () => {
  it('apply to an empty database concurrently, then again, without error', async () => {
    const adminUrl = inject('adminUrl');
    const name = `baton_migrate_${process.pid}_${Date.now()}`;
    await adminQuery(adminUrl, `create database ${name}`);
    const pools = [1, 2, 3].map(() => createPool(withDatabase(adminUrl, name)));
    try {
      const applied = await Promise.all(pools.map((pool) => migrate(pool)));
      const total = (await readMigrations()).length;
      // Exactly one of the concurrent callers applied each migration.
      expect(applied.map((list) => list.length).reduce((a, b) => a + b, 0)).toBe(total);
      expect(await migrate(pools[0]!)).toEqual([]);
      const status = await migrationStatus(pools[0]!);
      expect(status.every((migration) => migration.appliedAt !== null)).toBe(true);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    }
  });

  describe('schema', () => {
    const db = useTestDatabase();

    it('has CHECK constraints that match the status vocabularies in src/core', async () => {
      for (const { table, column, values } of checkedVocabularies) {
        const result = await db.current.pool.query<{ definition: string }>(
          `select pg_get_constraintdef(c.oid) as definition
             from pg_constraint c join pg_class t on t.oid = c.conrelid
            where t.relname = $1 and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%' || $2 || '%ANY%'`,
          [table, column],
        );
        expect(result.rows, `${table}.${column} has one CHECK`).toHaveLength(1);
        const allowed = [...result.rows[0]!.definition.matchAll(/'([^']+)'::text/g)].map((match) => match[1]);
        expect(new Set(allowed), `${table}.${column}`).toEqual(new Set(Object.values(values)));
      }
    });

    it('lets a deleted agent name be used again, but not two live agents with one name', async () => {
      const pool = db.current.pool;
      const insert = (archived: boolean) =>
        pool.query(
          `insert into agents (name, model, working_dir, archived) values ('builder', 'm', '/tmp', $1)`,
          [archived],
        );
      await insert(true);
      await insert(false);
      await expect(insert(false)).rejects.toThrow(/agents_live_name/);
    });

    it('keeps updated_at current on update', async () => {
      const pool = db.current.pool;
      const { rows } = await pool.query(
        `insert into agents (name, model, working_dir, updated_at) values ('touch', 'm', '/tmp', now() - interval '1 day')
         returning id, updated_at`,
      );
      const after = await pool.query(
        `update agents set status = 'executing' where id = $1 returning updated_at`,
        [rows[0].id],
      );
      expect(after.rows[0].updated_at.getTime()).toBeGreaterThan(rows[0].updated_at.getTime());
    });
  });
});
