import { z } from 'zod';
import { wireEventSchema } from '@protocol';

/**
 * The shapes of the ADW answers the swimlanes read (GET /api/adws/:id, its events and its steps'
 * artifacts, /api/workflows, /api/server-info), checked on arrival like the rest of schemas.ts.
 */

const nullableString = z.string().nullable();
const usd = z.coerce.number();

export const adwDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  workflow: z.string(),
  status: z.string(),
  description: nullableString.optional(),
  current_step: nullableString.optional(),
  total_steps: z.number().int().optional(),
  completed_steps: z.number().int().optional(),
  working_dir: z.string().optional(),
  worktree_path: nullableString.optional(),
  branch: nullableString.optional(),
  paused_reason: nullableString.optional(),
  error_message: nullableString.optional(),
  cost_usd: usd.optional(),
  max_cost_usd: usd.nullable().optional(),
  started_at: nullableString.optional(),
  ended_at: nullableString.optional(),
  created_at: z.string().optional(),
});
export type AdwDetail = z.infer<typeof adwDetailSchema>;

export const adwStepSchema = z.object({
  position: z.number().int(),
  name: z.string(),
  iteration: z.number().int(),
  status: z.string(),
  agent_id: nullableString,
  artifact_path: nullableString,
  output: z.record(z.string(), z.unknown()),
  error_message: nullableString,
  skipped_reason: nullableString.optional(),
  cost_usd: usd,
  started_at: nullableString,
  ended_at: nullableString,
});
export type AdwStep = z.infer<typeof adwStepSchema>;

export const adwWithStepsSchema = z.object({ adw: adwDetailSchema, steps: z.array(adwStepSchema) });
export const adwAnswerSchema = z.object({ adw: adwDetailSchema });

export const adwEventPageSchema = z.object({
  events: z.array(wireEventSchema),
  nextSeq: z.number().int(),
  more: z.boolean(),
});

export const artifactSchema = z.object({
  artifact: z.object({
    path: z.string(),
    content: z.string(),
    bytes: z.number().int(),
    truncated: z.boolean(),
  }),
});
export type Artifact = z.infer<typeof artifactSchema>['artifact'];

export const workflowListSchema = z.object({
  workflows: z.array(
    z.object({
      name: z.string(),
      description: z.string().optional(),
      source: z.string(),
      steps: z.array(z.string()),
    }),
  ),
  errors: z.array(z.string()),
});
export type WorkflowInfo = z.infer<typeof workflowListSchema>['workflows'][number];

export const serverInfoSchema = z.object({ workspace: z.string(), banner: nullableString });
export type ServerInfo = z.infer<typeof serverInfoSchema>;
