import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { runMigrations } from '../../services/admin/database-admin.ts';
import { paint } from '../terminal.ts';
import { withExamples } from '../help-text.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('the ledger database');
  db.command('migrate')
    .description('apply pending migrations (baton also does this on every start)')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const report = await runMigrations(loadConfig(), { apply: true });
      if (options.json) return console.log(JSON.stringify(report, null, 2));
      console.log(`database: ${report.database}`);
      console.log(report.applied.length ? `applied: ${report.applied.join(', ')}` : 'already up to date');
    });
  db.command('status')
    .description('list migrations and whether each is applied')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const report = await runMigrations(loadConfig(), { apply: false });
      if (options.json) return console.log(JSON.stringify(report, null, 2));
      console.log(`database: ${report.database}`);
      for (const migration of report.migrations) {
        const state = migration.appliedAt
          ? paint('green', `applied ${migration.appliedAt.toISOString()}`)
          : paint('yellow', 'pending');
        console.log(`  ${String(migration.version).padStart(4, '0')}_${migration.name}  ${state}`);
      }
    });
  withExamples(db, ['baton db status', 'baton db migrate']);
  const examples: Record<string, string[]> = {
    migrate: ['baton db migrate', 'DATABASE_URL=postgres://localhost/baton baton db migrate --json'],
    status: ['baton db status', 'baton db status --json'],
  };
  for (const command of db.commands) withExamples(command, examples[command.name()] ?? []);
}
