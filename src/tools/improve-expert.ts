import { z } from 'zod';
import { domainPattern } from '../experts/domain.ts';
import { improveData, improveText } from './expert-summary.ts';
import { defineTool } from './tool.ts';

export const improveExpert = defineTool({
  name: 'improve_expert',
  description:
    "Run a codebase expert's self-improve: it checks its expertise against the code and updates it; baton then checks the file (valid YAML, line limit, every path and symbol it names exists) and sends problems back. With until_stable it repeats until a round changes nothing (or max_rounds). Use after a change in the expert's area. Blocks until done.",
  input: z.object({
    domain: z.string().regex(domainPattern, 'a domain is lowercase letters, digits, - or _ (e.g. database)'),
    until_stable: z.boolean().optional(),
    max_rounds: z.number().int().min(1).max(20).optional(),
    since: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('a git revision: start from what changed since'),
    focus: z.string().trim().min(1).max(2_000).optional(),
  }),
  async run(input, context) {
    const result = await context.services.experts().improve({
      cwd: context.cwd,
      domain: input.domain,
      untilStable: input.until_stable,
      maxRounds: input.max_rounds,
      since: input.since,
      focus: input.focus,
      orchestratorId: context.orchestratorId,
    });
    const failed = result.ended === 'failed' || result.ended === 'rejected';
    return {
      text: improveText(input.domain, result),
      structured: improveData(result),
      ...(failed ? { isError: true } : {}),
    };
  },
});
