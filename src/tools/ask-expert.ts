import { z } from 'zod';
import { domainPattern } from '../experts/domain.ts';
import { defineTool } from './tool.ts';

export const askExpert = defineTool({
  name: 'ask_expert',
  description:
    'Ask a codebase expert (.claude/commands/experts/<domain>/) a question. It answers from its expertise, checked against the code, citing files and lines; it is read-only (it cannot write files). Blocks until it answers.',
  input: z.object({
    domain: z.string().regex(domainPattern, 'a domain is lowercase letters, digits, - or _ (e.g. database)'),
    question: z.string().trim().min(1, 'the question is empty').max(20_000),
  }),
  async run(input, context) {
    const result = await context.services.experts().question({
      cwd: context.cwd,
      domain: input.domain,
      question: input.question,
      orchestratorId: context.orchestratorId,
    });
    const failed = result.run.status !== 'succeeded';
    return {
      text: failed
        ? `The ${input.domain} expert's run ${result.run.status}: ${result.run.error_message ?? 'no answer'}`
        : result.answer,
      structured: {
        expert_id: result.expert.id,
        run_id: result.run.id,
        status: result.run.status,
        answer: result.answer,
        cost_usd: result.run.cost_usd,
      },
      ...(failed ? { isError: true } : {}),
    };
  },
});
