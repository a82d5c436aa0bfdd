import { z } from 'zod';
import { agentData, agentLine } from './agent-summary.ts';
import { defineTool } from './tool.ts';

export const createAgent = defineTool({
  name: 'create_agent',
  description:
    'Create a persistent coding agent (a Claude Code agent that keeps its session between commands). ' +
    'It is ready at once: no model turn is spent. Give it a system_prompt, or a template from ' +
    '.claude/agents/*.md (the template sets its system prompt, allowed tools and model; an explicit model ' +
    'wins). worktree: true gives it its own git worktree and branch. Then send it work with command_agent.',
  input: z.object({
    name: z.string().trim().min(1).max(63).describe('unique among the live agents of this workspace'),
    system_prompt: z.string().max(100_000).optional(),
    model: z.string().trim().min(1).optional().describe('opus, sonnet, haiku or a model id'),
    template: z.string().trim().min(1).optional().describe('the name of a template in .claude/agents'),
    worktree: z.boolean().optional(),
  }),
  async run(input, context) {
    const agents = await context.services.agents();
    const agent = await agents.create({
      workspace: context.cwd,
      name: input.name,
      systemPrompt: input.system_prompt,
      model: input.model,
      template: input.template,
      worktree: input.worktree,
      orchestratorId: context.orchestratorId,
    });
    return {
      text: `Created agent ${agentLine(agent, [])} (id ${agent.id}). Give it work with command_agent.`,
      structured: { agent: agentData(agent, []) },
    };
  },
});
