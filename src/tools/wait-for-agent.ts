import { z } from 'zod';
import { commandData } from './agent-summary.ts';
import { defineTool } from './tool.ts';

export const waitForAgent = defineTool({
  name: 'wait_for_agent',
  description:
    "Block until an agent's command ends and return its result: by default its last command (so every " +
    'command queued before it has ended too), or the one with `prompt_id`. Returns early, saying so, after ' +
    '`timeout_s` seconds (default 600). Use this instead of sleeping and polling.',
  input: z.object({
    name: z.string().trim().min(1),
    prompt_id: z.uuid().optional(),
    timeout_s: z.number().positive().max(86_400).default(600),
  }),
  async run(input, context) {
    const agents = await context.services.agents();
    const { agent, command, timedOut } = await agents.wait(context.cwd, input.name, {
      commandId: input.prompt_id,
      timeoutMs: input.timeout_s * 1000,
    });
    if (!command)
      return {
        text: `${agent.name} has no commands yet.`,
        structured: { agent_id: agent.id, command: null },
      };
    const text = timedOut
      ? `${agent.name}'s command is still ${command.status} after ${input.timeout_s} s; wait again or check_agent_status.`
      : `${agent.name}'s command ${command.status}.` +
        (command.result_text ? `\nResult: ${command.result_text}` : '') +
        (command.status !== 'succeeded' && (command.error_message ?? command.run_error)
          ? `\nError: ${command.error_message ?? command.run_error}`
          : '');
    return { text, structured: { agent_id: agent.id, timed_out: timedOut, command: commandData(command) } };
  },
});
