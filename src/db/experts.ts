import type { ExpertOperation, ExpertRoundOutcome } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText, storableValue } from './storable.ts';

/** Represents records in the experts table. */
export interface ExpertRow {
  id: string;
  working_dir: string;
  domain: string;
  created_at: Date;
  updated_at: Date;
}

/** Represents records in the expertise_versions table. */
export interface ExpertiseVersionRow {
  id: string;
  expert_id: string;
  version: number;
  content: string;
  diff: string;
  line_count: number;
  max_lines: number;
  claim_count: number;
  stale_claim_count: number;
  stale_claims: { kind: string; text: string; at: string; reason: string }[];
  git_commit: string;
  run_id: string | null;
  adw_id: string | null;
  operation: ExpertOperation;
  created_at: Date;
}

/** Represents records in the expert_rounds table. */
export interface ExpertRoundRow {
  id: string;
  expert_id: string;
  operation: ExpertOperation;
  round: number;
  outcome: ExpertRoundOutcome;
  detail: string | null;
  run_id: string | null;
  adw_id: string | null;
  version: number | null;
  follow_ups: number;
  created_at: Date;
}

/** The expert of `domain` in `workingDir`, created on first use. */
export async function ensureExpert(db: Queryable, workingDir: string, domain: string): Promise<ExpertRow> {
  const { rows } = await db.query<ExpertRow>(
    `insert into experts (working_dir, domain) values ($1, $2)
     on conflict (working_dir, domain) do update set domain = excluded.domain
     returning *`,
    [workingDir, domain],
  );
  return rows[0]!;
}

export async function findExpert(
  db: Queryable,
  workingDir: string,
  domain: string,
): Promise<ExpertRow | undefined> {
  const { rows } = await db.query<ExpertRow>(`select * from experts where working_dir = $1 and domain = $2`, [
    workingDir,
    domain,
  ]);
  return rows[0];
}

export interface NewExpertiseVersion {
  expertId: string;
  content: string;
  diff: string;
  lineCount: number;
  maxLines: number;
  claimCount: number;
  staleClaims: { kind: string; text: string; at: string; reason: string }[];
  gitCommit: string;
  runId?: string;
  adwId?: string;
  operation: ExpertOperation;
}

/**
 * Stores the next version. The expert's row is locked first, so two processes improving one expert
 * number their versions one after the other instead of failing on the unique key.
 */
export async function insertExpertiseVersion(
  db: Queryable,
  version: NewExpertiseVersion,
): Promise<ExpertiseVersionRow> {
  await db.query(`select 1 from experts where id = $1 for update`, [version.expertId]);
  const { rows } = await db.query<ExpertiseVersionRow>(
    `insert into expertise_versions (expert_id, version, content, diff, line_count, max_lines, claim_count,
                                     stale_claim_count, stale_claims, git_commit, run_id, adw_id, operation)
     values ($1, coalesce((select max(version) from expertise_versions where expert_id = $1), 0) + 1,
             $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     returning *`,
    [
      version.expertId,
      storableText(version.content),
      storableText(version.diff),
      version.lineCount,
      version.maxLines,
      version.claimCount,
      version.staleClaims.length,
      JSON.stringify(storableValue(version.staleClaims)),
      version.gitCommit,
      version.runId ?? null,
      version.adwId ?? null,
      version.operation,
    ],
  );
  await db.query(`update experts set updated_at = now() where id = $1`, [version.expertId]);
  return rows[0]!;
}

export interface NewExpertRound {
  expertId: string;
  operation: ExpertOperation;
  round: number;
  outcome: ExpertRoundOutcome;
  detail?: string;
  runId?: string;
  adwId?: string;
  version?: number;
  followUps?: number;
}

export async function insertExpertRound(db: Queryable, round: NewExpertRound): Promise<ExpertRoundRow> {
  const { rows } = await db.query<ExpertRoundRow>(
    `insert into expert_rounds (expert_id, operation, round, outcome, detail, run_id, adw_id, version, follow_ups)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
    [
      round.expertId,
      round.operation,
      round.round,
      round.outcome,
      storableText(round.detail),
      round.runId ?? null,
      round.adwId ?? null,
      round.version ?? null,
      round.followUps ?? 0,
    ],
  );
  return rows[0]!;
}

/** An expert's versions, oldest first. */
export async function listExpertiseVersions(db: Queryable, expertId: string): Promise<ExpertiseVersionRow[]> {
  const { rows } = await db.query<ExpertiseVersionRow>(
    `select * from expertise_versions where expert_id = $1 order by version`,
    [expertId],
  );
  return rows;
}

export async function latestExpertiseVersion(
  db: Queryable,
  expertId: string,
): Promise<ExpertiseVersionRow | undefined> {
  const { rows } = await db.query<ExpertiseVersionRow>(
    `select * from expertise_versions where expert_id = $1 order by version desc limit 1`,
    [expertId],
  );
  return rows[0];
}

export async function listExpertRounds(db: Queryable, expertId: string): Promise<ExpertRoundRow[]> {
  const { rows } = await db.query<ExpertRoundRow>(
    `select * from expert_rounds where expert_id = $1 order by created_at, round`,
    [expertId],
  );
  return rows;
}
