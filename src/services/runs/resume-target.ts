import { NotFoundError } from '../../core/errors.ts';
import { findIdPrefix, isIdPrefix } from '../../db/id-prefix.ts';
import type { Queryable } from '../../db/pool.ts';
import { findRunBySession, getRun } from '../../db/runs.ts';

/**
 * The agent and Claude session to continue, from a run id (or a unique prefix of one) or a session id.
 * Resuming keeps the same agent, so its runs, spend and files stay together.
 */
export async function findResumeTarget(
  db: Queryable,
  runOrSessionId: string,
): Promise<{ agentId: string; sessionId: string }> {
  const runId = isIdPrefix(runOrSessionId)
    ? await findIdPrefix(db, 'run', runOrSessionId.toLowerCase(), '--resume')
    : undefined;
  const run = (runId ? await getRun(db, runId) : undefined) ?? (await findRunBySession(db, runOrSessionId));
  if (!run) {
    throw new NotFoundError(
      `No run or session "${runOrSessionId}" in the ledger: pass a run id (or a unique prefix of one) or a session id to --resume.`,
    );
  }
  if (!run.session_id) {
    throw new NotFoundError(
      `Run ${run.id} never started a Claude session, so there is nothing to resume: start a new run.`,
    );
  }
  return { agentId: run.agent_id, sessionId: run.session_id };
}
