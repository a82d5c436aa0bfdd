import type { Queryable } from '../db/pool.ts';

/**
 * Where any of `needles` is stored: every text-like column of every table of baton's schema and of the
 * queue's (pgboss), as `schema.table.column: needle`. For tests and fault runs that plant secrets.
 */
export async function findStoredSecrets(db: Queryable, needles: readonly string[]): Promise<string[]> {
  const columns = await db.query<{ schema: string; table: string; column: string }>(
    `select c.table_schema as schema, c.table_name as table, c.column_name as column
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema in ('public', 'pgboss') and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
  );
  const found: string[] = [];
  for (const { schema, table, column } of columns.rows) {
    for (const needle of needles) {
      const hit = await db.query(
        `select 1 from "${schema}"."${table}" where "${column}"::text like $1 limit 1`,
        [`%${needle}%`],
      );
      if (hit.rowCount) found.push(`${schema}.${table}.${column}: ${needle}`);
    }
  }
  return found;
}
