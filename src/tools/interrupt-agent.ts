import { z } from 'zod';
import { defineTool } from './tool.ts';

export const interruptAgent = defineTool({
  name: 'interrupt_agent',
  description:
    'Stop the command an agent is running now (it ends as interrupted; the agent keeps its session). ' +
    'Commands queued after it still run.',
  input: z.object({ name: z.string().trim().min(1) }),
  async run(input, context) {
    const agents = await context.services.agents();
    const { agent, command } = await agents.interrupt(context.cwd, input.name);
    return command
      ? {
          text: `Interrupting ${agent.name}'s command (prompt id ${command.id}).`,
          structured: { agent_id: agent.id, interrupted_prompt_id: command.id },
        }
      : {
          text: `${agent.name} is not running a command.`,
          structured: { agent_id: agent.id, interrupted_prompt_id: null },
        };
  },
});
