import type { PromptAuthor } from '../core/statuses.ts';
import type { Queryable } from './pool.ts';
import { storableText } from './storable.ts';

export async function insertPrompt(
  db: Queryable,
  prompt: { agentId: string; runId: string; author: PromptAuthor; text: string; sessionId?: string },
): Promise<void> {
  await db.query(
    'insert into prompts (agent_id, run_id, author, prompt_text, session_id) values ($1, $2, $3, $4, $5)',
    [prompt.agentId, prompt.runId, prompt.author, storableText(prompt.text), prompt.sessionId ?? null],
  );
}
