import { z } from 'zod';

/**
 * The orchestrator's chat as the server sends it: rows of `orchestrator_chat` (snake_case, as stored),
 * over REST (history) and in `chat.appended` frames. Only the fields the chat shows; the rest pass through.
 */
export const chatItemSchema = z.object({
  id: z.string(),
  /** Insertion order (a bigint; JSON gives it as a number or a string): the order items happened in, and the history cursor. */
  position: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,18}$/)]).transform(String),
  sender_type: z.enum(['user', 'orchestrator', 'agent']),
  kind: z.enum(['text', 'thinking', 'tool_use', 'error']),
  status: z.enum(['queued', 'running', 'done', 'interrupted', 'failed']),
  message: z.string(),
  run_id: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  created_at: z.string(),
});
export type ChatItem = z.infer<typeof chatItemSchema>;

export const chatHistorySchema = z.object({ items: z.array(chatItemSchema) });

export const orchestratorStateSchema = z.object({
  orchestrator: z.object({
    id: z.string(),
    /** The agent row its turns run as: its token fragments carry this id. */
    agent_id: z.string(),
    status: z.string(),
    model: z.string().nullable(),
  }),
  queued: z.array(chatItemSchema),
});
export type OrchestratorState = z.infer<typeof orchestratorStateSchema>['orchestrator'];

export const sentMessageSchema = z.object({ message: chatItemSchema, adwId: z.string().optional() });

export const slashCommandSchema = z.object({
  name: z.string(),
  description: z.string().default(''),
  argumentHint: z.string().optional(),
});
export type SlashCommandListing = z.infer<typeof slashCommandSchema>;
export const slashCommandListSchema = z.object({ commands: z.array(slashCommandSchema) });

export const workflowSchema = z.object({
  name: z.string(),
  description: z.string().default(''),
  steps: z.array(z.string()).default([]),
});
export type WorkflowListing = z.infer<typeof workflowSchema>;
export const workflowListSchema = z.object({ workflows: z.array(workflowSchema) });

export const templateSchema = z.object({ name: z.string(), description: z.string().default('') });
export type TemplateListing = z.infer<typeof templateSchema>;
export const templateListSchema = z.object({ templates: z.array(templateSchema) });
