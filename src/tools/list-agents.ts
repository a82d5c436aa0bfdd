import { z } from 'zod';
import { agentData, agentLine } from './agent-summary.ts';
import { defineTool } from './tool.ts';

export const listAgents = defineTool({
  name: 'list_agents',
  description:
    "List this workspace's live agents with their status (idle, executing, waiting, queued, blocked) and queue.",
  input: z.object({}),
  async run(_input, context) {
    const agents = await context.services.agents();
    const rows = await agents.list(context.cwd);
    const withQueues = await Promise.all(
      rows.map(async (row) => ({ row, open: await agents.openCommands(row.id) })),
    );
    return {
      text: withQueues.length
        ? withQueues.map(({ row, open }) => `• ${agentLine(row, open)}`).join('\n')
        : 'No agents yet: create one with create_agent.',
      structured: { agents: withQueues.map(({ row, open }) => agentData(row, open)) },
    };
  },
});
