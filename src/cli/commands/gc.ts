import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import { dataPaths, loadConfig } from '../../config/index.ts';
import { collectGarbage, type GcItem } from '../../services/admin/garbage-collect.ts';
import { withExamples } from '../help-text.ts';
import { baton } from '../invocation.ts';
import { printJson } from '../json-output.ts';
import { duration } from '../parse-options.ts';
import { paint, printable } from '../terminal.ts';
import { withDatabase } from '../with-database.ts';

interface GcFlags {
  olderThan: number;
  dryRun?: boolean;
  branches?: boolean;
  force?: boolean;
  json?: boolean;
}

const labels: Record<GcItem['kind'], string> = {
  worktree: 'worktree',
  branch: 'branch',
  snapshot: 'snapshot',
  benchmark: 'benchmark',
};

/** `baton gc`: what ended ADWs, file tracking and the benchmarks leave on disk, removed once nothing needs it. */
export function registerGc(program: Command): void {
  const command = program
    .command('gc')
    .description(
      'remove the worktrees of ended ADWs (and their merged branches), unused file-tracking snapshots and benchmark leftovers',
    )
    .option(
      '--older-than <duration>',
      'only what ended or was last used longer ago (7d, 12h, 30m, 0)',
      duration,
      duration('7d'),
    )
    .option('--dry-run', 'print what would be removed, and remove nothing')
    .option('--branches', 'delete ADW branches even when they hold commits no other branch has')
    .option('--force', 'remove worktrees that have uncommitted changes too')
    .option('--json', 'print one JSON object: removed, kept, freedBytes')
    .action(async (flags: GcFlags) => {
      const config = loadConfig();
      const paths = dataPaths(config.home);
      const report = await withDatabase(
        (db) =>
          collectGarbage(db.pool, {
            snapshotsRoot: paths.snapshots,
            tempRoot: tmpdir(),
            olderThanMs: flags.olderThan,
            dryRun: flags.dryRun === true,
            branches: flags.branches === true,
            force: flags.force === true,
          }),
        config,
      );
      if (flags.json) return printJson(report);
      const verb = report.dryRun ? 'would remove' : 'removed';
      if (report.removed.length === 0) console.log('Nothing to remove.');
      for (const item of report.removed) console.log(line(paint('green', verb), item));
      for (const item of report.kept) console.log(line(paint('yellow', 'kept'), item));
      if (report.removed.length > 0) {
        console.log(
          report.dryRun
            ? `${size(report.freedBytes)} would be freed: run \`${baton()} gc\` without --dry-run to remove it.`
            : `${size(report.freedBytes)} freed.`,
        );
      }
    });
  withExamples(command, [
    'baton gc --dry-run',
    'baton gc',
    'baton gc --older-than 0 --branches --force --json',
  ]);
}

function line(verb: string, item: GcItem): string {
  const bytes = item.kind === 'branch' ? '' : ` ${size(item.bytes)}`;
  return `  ${verb} ${labels[item.kind]} ${printable(item.path)}${bytes}: ${printable(item.reason)}`;
}

/** Bytes as people read them: 0 B, 12.3 KB, 4.5 MB, 1.2 GB. */
export function size(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
