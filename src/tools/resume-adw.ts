import { z } from 'zod';
import { adwData, adwLine, withAdwId } from './adw-summary.ts';
import { defineTool } from './tool.ts';

export const resumeAdw = defineTool({
  name: 'resume_adw',
  description:
    'Continue a paused, failed or cancelled ADW from its first unfinished step, optionally with more budget.',
  input: z.object({
    id: z.uuid(),
    add_cost_usd: z.number().positive().optional(),
    add_turns: z.number().int().positive().optional(),
  }),
  async run(input, context) {
    const row = await withAdwId(
      (await context.services.adws()).resume(input.id, {
        addCostUsd: input.add_cost_usd,
        addTurns: input.add_turns,
      }),
    );
    return { text: `Resumed ${adwLine(row)}.`, structured: { adw: adwData(row) } };
  },
});
