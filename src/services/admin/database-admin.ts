import type { Config } from '../../config/index.ts';
import { migrate, migrationStatus, type MigrationStatus } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open-database.ts';

export interface MigrationReport {
  database: string;
  applied: string[];
  migrations: MigrationStatus[];
}

/** `baton db migrate` and `baton db status`: the same migration code the server runs on boot. */
export async function runMigrations(
  config: Readonly<Config>,
  options: { apply: boolean },
): Promise<MigrationReport> {
  const db = await openDatabase(config, { migrate: false });
  try {
    const applied = options.apply ? await migrate(db.pool) : [];
    return {
      database: db.description,
      applied: applied.map((migration) => `${migration.version}_${migration.name}`),
      migrations: await migrationStatus(db.pool),
    };
  } finally {
    await db.close();
  }
}
