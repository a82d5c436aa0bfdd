import { plural } from '../../core/plural.ts';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpertOperation } from '../../core/statuses.ts';
import {
  insertExpertiseVersion,
  insertExpertRound,
  type ExpertiseVersionRow,
  type ExpertRow,
} from '../../db/experts.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import type { RunRow } from '../../db/runs.ts';
import {
  checkExpertiseFile,
  checkExpertiseText,
  followUpFor,
  headCommit,
  unifiedDiff,
  type ExpertFiles,
  type ExpertiseCheck,
} from '../../experts/index.ts';
import type { RecordedRun } from '../runs/agent-runner.ts';

/** Why a series of self-improve rounds ended. */
export type RoundsEnded =
  /** A round changed nothing (normalised YAML): `--until-stable` is satisfied. */
  | 'stable'
  /** The round limit was reached while the expertise still changed. */
  | 'max_rounds'
  /** One round was asked for, and it ran. */
  | 'one_round'
  /** The file stayed invalid or over its limit after the follow-ups: the last good version was restored. */
  | 'rejected'
  /** An agent run failed or was stopped. */
  | 'failed';

export interface RoundReport {
  round: number;
  outcome: 'accepted' | 'unchanged' | 'rejected' | 'failed';
  followUps: number;
  runId: string;
  version?: number;
  staleClaims: number;
  detail?: string;
}

export interface ImproveRoundsInput {
  pool: Pool;
  /** Where the expert's files are (an ADW's worktree, or the project itself). */
  cwd: string;
  expert: ExpertRow;
  files: ExpertFiles;
  operation: ExpertOperation;
  adwId?: string;
  /** The first round's prompt (the expert's self-improve command, rendered). */
  prompt: string;
  untilStable: boolean;
  maxRounds: number;
  /** Follow-ups in one round for a file baton refuses or stale claims. @default 2 */
  maxFollowUps?: number;
  /** Starts one recorded run: a fresh session, or `resumeSessionId`'s. */
  start(prompt: string, resumeSessionId?: string): Promise<RecordedRun>;
}

export interface ImproveRoundsResult {
  ended: RoundsEnded;
  rounds: RoundReport[];
  versions: ExpertiseVersionRow[];
  /** The last check of the file as it stands at the end. */
  check?: ExpertiseCheck;
  sessionId?: string;
  /** The last run's row. */
  lastRun?: RunRow;
}

/**
 * Self-improve rounds with baton's check after each: ACT (the agent edits the expertise) → baton checks
 * the file → follow-ups in the same session for what is wrong → accept (a new version, with provenance)
 * or restore the last good text. An invalid file is never left in place; the last good text is never lost.
 */
export async function runImproveRounds(input: ImproveRoundsInput): Promise<ImproveRoundsResult> {
  const { files, cwd } = input;
  const path = files.paths.expertise;
  try {
    return await roundsOf(input);
  } catch (error) {
    // A run that could not be recorded: the file still ends as one baton accepts (or as it was).
    const left = await checkExpertiseFile(cwd, path, files.maxLines).catch(() => undefined);
    if (left && !left.ok && files.expertise !== undefined) await writeFile(join(cwd, path), files.expertise);
    throw error;
  }
}

async function roundsOf(input: ImproveRoundsInput): Promise<ImproveRoundsResult> {
  const { files, cwd } = input;
  const path = files.paths.expertise;
  const maxFollowUps = input.maxFollowUps ?? 2;
  const rounds: RoundReport[] = [];
  const versions: ExpertiseVersionRow[] = [];

  // The last good text: what the file held before, if baton would accept it.
  let lastGood: { text: string; normalized: string } | undefined;
  if (files.expertise !== undefined) {
    const before = await checkExpertiseText(cwd, path, files.expertise, files.maxLines);
    if (before.ok) lastGood = { text: before.text, normalized: before.normalized };
  }
  const restore = async () => {
    if (lastGood) await writeFile(join(cwd, path), lastGood.text);
    else await rm(join(cwd, path), { force: true });
  };

  let sessionId: string | undefined;
  let lastRun: RunRow | undefined;
  let check: ExpertiseCheck | undefined;
  const run = async (prompt: string) => {
    const started = await input.start(prompt, sessionId);
    const { run: row } = await started.done;
    lastRun = row;
    sessionId = row.session_id ?? sessionId;
    return row;
  };
  const record = (report: RoundReport) =>
    insertExpertRound(input.pool, {
      expertId: input.expert.id,
      operation: input.operation,
      round: report.round,
      outcome: report.outcome,
      detail: report.detail,
      runId: report.runId,
      adwId: input.adwId,
      version: report.version,
      followUps: report.followUps,
    }).then(() => rounds.push(report));

  for (let round = 1; round <= input.maxRounds; round += 1) {
    const prompt =
      round === 1
        ? input.prompt
        : `Round ${round} of self-improve: check ${path} against the code again, from the top, and fix what is ` +
          'still wrong or missing. If nothing needs to change, leave the file exactly as it is and say so.';
    let row = await run(prompt);
    let followUps = 0;
    let failed = row.status !== 'succeeded';
    while (!failed) {
      check = await checkExpertiseFile(cwd, path, files.maxLines);
      let restored = false;
      if (!check.ok && check.problem === 'invalid_yaml') {
        await restore(); // never keep an invalid file, not even while the agent fixes it
        restored = lastGood !== undefined;
      }
      if (check.ok && check.stale.length === 0) break;
      if (followUps >= maxFollowUps) break;
      followUps += 1;
      row = await run(followUpFor(path, check, files.maxLines, restored)!);
      failed = row.status !== 'succeeded';
    }

    if (failed) {
      // Whatever the stopped agent left, the file ends as a file baton accepts.
      const left = await checkExpertiseFile(cwd, path, files.maxLines);
      if (!left.ok) await restore();
      await record({
        round,
        outcome: 'failed',
        followUps,
        runId: row.id,
        staleClaims: 0,
        detail: row.error_message ?? `the agent's run ended ${row.status}`,
      });
      return { ended: 'failed', rounds, versions, check: left, sessionId, lastRun };
    }
    if (!check!.ok) {
      await restore();
      await record({
        round,
        outcome: 'rejected',
        followUps,
        runId: row.id,
        staleClaims: 0,
        detail: `${check!.message} Still so after ${plural(followUps, 'follow-up')}; ${lastGood ? 'the last good version was restored' : 'the file was removed'}.`,
      });
      return { ended: 'rejected', rounds, versions, check, sessionId, lastRun };
    }
    const accepted = check!;
    if (lastGood && accepted.normalized === lastGood.normalized) {
      await record({
        round,
        outcome: 'unchanged',
        followUps,
        runId: row.id,
        staleClaims: accepted.stale.length,
      });
      if (input.untilStable) return { ended: 'stable', rounds, versions, check, sessionId, lastRun };
    } else {
      const commit = await headCommit(cwd);
      const diff = await unifiedDiff(path, lastGood?.text ?? '', accepted.text);
      const version = await inTransaction(input.pool, (client) =>
        insertExpertiseVersion(client, {
          expertId: input.expert.id,
          content: accepted.text,
          diff,
          lineCount: accepted.expertise.lines,
          maxLines: files.maxLines,
          claimCount: accepted.claims,
          staleClaims: accepted.stale.map(({ kind, text, at, reason }) => ({ kind, text, at, reason })),
          gitCommit: commit,
          runId: row.id,
          adwId: input.adwId,
          operation: input.operation,
        }),
      );
      versions.push(version);
      lastGood = { text: accepted.text, normalized: accepted.normalized };
      await record({
        round,
        outcome: 'accepted',
        followUps,
        runId: row.id,
        version: version.version,
        staleClaims: accepted.stale.length,
        ...(accepted.stale.length
          ? { detail: `kept with ${accepted.stale.length} stale claim(s) after ${followUps} follow-up(s)` }
          : {}),
      });
    }
    if (!input.untilStable) return { ended: 'one_round', rounds, versions, check, sessionId, lastRun };
  }
  return { ended: 'max_rounds', rounds, versions, check, sessionId, lastRun };
}
