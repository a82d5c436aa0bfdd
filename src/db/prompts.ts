import type { PromptAuthor } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText } from './storable.ts';

/** Records a prompt; a queued command's prompt has no run yet (see linkPromptToRun). Returns its id. */
export async function insertPrompt(
  db: Queryable,
  prompt: { agentId: string; runId?: string; author: PromptAuthor; text: string; sessionId?: string },
): Promise<string> {
  const result = await db.query<{ id: string }>(
    'insert into prompts (agent_id, run_id, author, prompt_text, session_id) values ($1, $2, $3, $4, $5) returning id',
    [
      prompt.agentId,
      prompt.runId ?? null,
      prompt.author,
      storableText(prompt.text),
      prompt.sessionId ?? null,
    ],
  );
  return result.rows[0]!.id;
}

/** Points a prompt recorded earlier (a queued command) at the run that carries it out now. */
export async function linkPromptToRun(
  db: Queryable,
  promptId: string,
  runId: string,
  sessionId?: string,
): Promise<void> {
  await db.query('update prompts set run_id = $2, session_id = coalesce($3, session_id) where id = $1', [
    promptId,
    runId,
    sessionId ?? null,
  ]);
}
