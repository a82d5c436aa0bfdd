import { z } from 'zod';
import { expertDomainPattern } from '../core/expert-domain.ts';
import { adwData, adwLine } from './adw-summary.ts';
import { defineTool } from './tool.ts';

export const startAdw = defineTool({
  name: 'start_adw',
  description:
    'Start an AI Developer Workflow (plan → build → review → fix and others) on a prompt, in its own git ' +
    'worktree. It runs on the job queue; follow it with check_adw. Budgets pause it when reached.',
  input: z.object({
    workflow: z.string().trim().min(1).describe('e.g. plan_build, plan_build_review_fix'),
    prompt: z.string().trim().min(1, 'the prompt is empty: say what the workflow should build').max(100_000),
    name: z.string().trim().min(1).max(200).optional(),
    expert: z
      .string()
      .regex(expertDomainPattern, 'a domain is lowercase letters, digits, - or _ (e.g. database)')
      .optional()
      .describe('the agent expert, for workflows that take one (expert_plan_build_improve)'),
    budgets: z
      .object({
        max_cost_usd: z.number().positive().optional(),
        max_turns: z.number().int().positive().optional(),
        step_max_cost_usd: z.number().positive().optional(),
        step_max_turns: z.number().int().positive().optional(),
      })
      .optional(),
  }),
  async run(input, context) {
    const adws = await context.services.adws();
    const row = await adws.start({
      workflow: input.workflow,
      prompt: input.prompt,
      cwd: context.cwd,
      name: input.name,
      expert: input.expert,
      maxCostUsd: input.budgets?.max_cost_usd,
      maxTurns: input.budgets?.max_turns,
      stepMaxCostUsd: input.budgets?.step_max_cost_usd,
      stepMaxTurns: input.budgets?.step_max_turns,
      orchestratorId: context.orchestratorId,
    });
    return {
      text: `Started ADW ${adwLine(row)}. Follow it with check_adw("${row.id}").`,
      structured: { adw: adwData(row) },
    };
  },
});
