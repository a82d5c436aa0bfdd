import { z } from 'zod';

/** The answers the agent detail view reads (GET /api/agents/:id/runs and /commands); only the fields it uses. */

const nullableString = z.string().nullable();

export const agentRunSchema = z.object({
  id: z.string(),
  status: z.string(),
  model: z.string(),
  prompt_text: nullableString,
  result_text: nullableString,
  error_message: nullableString,
  stop_reason: nullableString,
  cost_usd: z.coerce.number(),
  input_tokens: z.coerce.number(),
  output_tokens: z.coerce.number(),
  num_turns: z.number().int(),
  files_changed: z.number().int(),
  started_at: z.string(),
  ended_at: nullableString,
  duration_ms: z.number().nullable(),
});
export type AgentRun = z.infer<typeof agentRunSchema>;
export const agentRunListSchema = z.object({ runs: z.array(agentRunSchema) });

export const agentCommandSchema = z.object({
  prompt_id: z.string(),
  status: z.string(),
  command: z.string(),
  run_id: nullableString,
  queued_at: z.string(),
});
export type AgentCommand = z.infer<typeof agentCommandSchema>;
export const agentCommandListSchema = z.object({ commands: z.array(agentCommandSchema) });

/** POST /api/tools/:name answers `{text, structured}`: the text is what the tool says it did. */
export const toolResultSchema = z.object({ text: z.string(), structured: z.unknown().optional() });

/** What a tool said it did, from its answer. */
export function toolText(answer: unknown): string {
  const parsed = toolResultSchema.safeParse(answer);
  return parsed.success ? parsed.data.text : 'Done.';
}
