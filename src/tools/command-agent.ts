import { z } from 'zod';
import { defineTool } from './tool.ts';

export const commandAgent = defineTool({
  name: 'command_agent',
  description:
    'Give an agent a command. Returns at once with the prompt id; the command runs in the background, ' +
    "resuming the agent's session, after the commands queued before it (one at a time per agent; different " +
    'agents work in parallel). Use wait_for_agent to get its result instead of polling.',
  input: z.object({
    name: z.string().trim().min(1).describe('the agent'),
    command: z.string().trim().min(1, 'the command is empty: say what the agent should do').max(100_000),
  }),
  async run(input, context) {
    const agents = await context.services.agents();
    const { agent, commandId, ahead } = await agents.command({
      workspace: context.cwd,
      name: input.name,
      command: input.command,
      orchestratorId: context.orchestratorId,
    });
    return {
      text:
        `Command queued for ${agent.name} (prompt id ${commandId})` +
        `${ahead ? `, behind ${ahead} earlier command${ahead > 1 ? 's' : ''}` : ''}. ` +
        `Call wait_for_agent("${agent.name}") for its result.`,
      structured: { agent_id: agent.id, prompt_id: commandId, ahead },
    };
  },
});
