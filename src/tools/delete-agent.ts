import { z } from 'zod';
import { defineTool } from './tool.ts';

export const deleteAgent = defineTool({
  name: 'delete_agent',
  description:
    'Delete an agent: its running command is stopped, its queued commands are cancelled, and its name is ' +
    'free to use again. Its history (runs, events, file changes, cost) is kept.',
  input: z.object({ name: z.string().trim().min(1) }),
  async run(input, context) {
    const agents = await context.services.agents();
    const { agent, cancelled, stopped, stillStopping } = await agents.remove(context.cwd, input.name);
    const parts = [
      `Deleted ${agent.name}.`,
      stopped &&
        (stillStopping
          ? 'Its running command is still stopping.'
          : `Its running command ended ${stopped.status}.`),
      cancelled && `${cancelled} queued command${cancelled > 1 ? 's' : ''} cancelled.`,
      agent.worktree_path && `Its worktree stays at ${agent.worktree_path} (branch ${agent.branch}).`,
    ];
    return {
      text: parts.filter(Boolean).join(' '),
      structured: {
        agent_id: agent.id,
        cancelled,
        stopped_prompt_id: stopped?.id ?? null,
        still_stopping: stillStopping,
      },
    };
  },
});
