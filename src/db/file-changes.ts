import type { FileChangeStatus } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText } from './storable.ts';

/** Represents records in the file_changes table. */
export interface FileChangeRow {
  id: string;
  run_id: string;
  agent_id: string;
  path: string;
  status: FileChangeStatus;
  lines_added: number;
  lines_removed: number;
  is_binary: boolean;
  diff: string | null;
  diff_truncated: boolean;
  created_at: Date;
}

export interface FileChangeEntry {
  path: string;
  status: FileChangeStatus;
  linesAdded: number;
  linesRemoved: number;
  binary: boolean;
  diff: string | null;
  diffTruncated: boolean;
}

export async function insertFileChanges(
  db: Queryable,
  runId: string,
  agentId: string,
  changes: readonly FileChangeEntry[],
): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `insert into file_changes (run_id, agent_id, path, status, lines_added, lines_removed, is_binary, diff, diff_truncated)
     select $1, $2, * from unnest($3::text[], $4::text[], $5::int[], $6::int[], $7::boolean[], $8::text[], $9::boolean[])
     on conflict (run_id, path) do nothing`,
    [
      runId,
      agentId,
      changes.map((change) => change.path),
      changes.map((change) => change.status),
      changes.map((change) => change.linesAdded),
      changes.map((change) => change.linesRemoved),
      changes.map((change) => change.binary),
      changes.map((change) => storableText(change.diff?.replace(/\u0000/g, ''))),
      changes.map((change) => change.diffTruncated),
    ],
  );
}

export async function listFileChanges(db: Queryable, runId: string): Promise<FileChangeRow[]> {
  const result = await db.query<FileChangeRow>('select * from file_changes where run_id = $1 order by path', [
    runId,
  ]);
  return result.rows;
}
