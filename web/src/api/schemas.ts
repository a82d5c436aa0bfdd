import { z } from 'zod';
import { healthBody, wireEventSchema } from '@protocol';

/**
 * The shapes of the REST answers the UI reads, checked when they arrive so a field that changed on the
 * server fails in one place with its name, not somewhere in a component. Only the fields the UI uses;
 * the rest pass through unread. (Request bodies and queries are src/protocol's.)
 */

export const eventPageSchema = z.object({
  events: z.array(wireEventSchema),
  nextSeq: z.number().int(),
  more: z.boolean(),
});
export type EventPage = z.infer<typeof eventPageSchema>;

const nullableString = z.string().nullable();

export const agentListingSchema = z.object({
  id: z.string(),
  name: z.string(),
  model: z.string(),
  status: z.string(),
  kind: z.string(),
  template: nullableString.optional(),
  blocked_reason: nullableString.optional(),
  adw_id: nullableString.optional(),
  adw_step: nullableString.optional(),
  archived: z.boolean().optional(),
  run_count: z.number().int().optional(),
  queued_commands: z.number().int().optional(),
  cost_usd: z.coerce.number().optional(),
  updated_at: z.string().optional(),
});
export type AgentListing = z.infer<typeof agentListingSchema>;

export const agentListSchema = z.object({ agents: z.array(agentListingSchema) });
export const agentDetailSchema = z.object({ agent: agentListingSchema });

export const spendRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number(),
  cache_creation_tokens: z.number(),
  cost_usd: z.number(),
  context_tokens: z.number(),
});
export type SpendRow = z.infer<typeof spendRowSchema>;

export const costReportSchema = z.object({
  total_usd: z.number(),
  context_window_tokens: z.number(),
  orchestrator: z.array(spendRowSchema),
  agents: z.array(spendRowSchema),
  adws: z.array(spendRowSchema),
});
export type CostReport = z.infer<typeof costReportSchema>;

export const adwListingSchema = z.object({
  id: z.string(),
  name: z.string(),
  workflow: z.string(),
  status: z.string(),
  current_step: nullableString.optional(),
  completed_steps: z.number().int().optional(),
  total_steps: z.number().int().optional(),
  cost_usd: z.coerce.number().optional(),
});
export type AdwListing = z.infer<typeof adwListingSchema>;
export const adwListSchema = z.object({ adws: z.array(adwListingSchema) });

export const fileChangeSchema = z.object({
  id: z.string(),
  run_id: z.string(),
  path: z.string(),
  status: z.enum(['created', 'modified', 'deleted']),
  lines_added: z.number().int(),
  lines_removed: z.number().int(),
  is_binary: z.boolean(),
  diff: nullableString,
  diff_truncated: z.boolean(),
});
export type FileChange = z.infer<typeof fileChangeSchema>;
export const fileChangeListSchema = z.object({ fileChanges: z.array(fileChangeSchema) });

export const healthSchema = healthBody;
