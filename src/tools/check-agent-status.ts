import { z } from 'zod';
import { spendOfAgent } from '../db/cost-report.ts';
import { tailEvents } from '../db/event-tail.ts';
import { agentData, agentLine } from './agent-summary.ts';
import { defineTool } from './tool.ts';

export const checkAgentStatus = defineTool({
  name: 'check_agent_status',
  description:
    "An agent's status (idle, executing, waiting for a slot, queued, blocked with the reason), its queue, " +
    'tokens and cost, and the last `tail` events of its latest command (skip the newest `offset`; `verbose` ' +
    'adds each event’s payload). To wait for a command to end, use wait_for_agent.',
  input: z.object({
    name: z.string().trim().min(1),
    tail: z.number().int().min(1).max(500).default(10),
    offset: z.number().int().min(0).default(0),
    verbose: z.boolean().default(false),
  }),
  async run(input, context) {
    const agents = await context.services.agents();
    const agent = await agents.find(context.cwd, input.name);
    const open = await agents.openCommands(agent.id);
    const latest =
      open.find((command) => command.status === 'running') ?? (await agents.lastCommand(agent.id));
    const spend = await spendOfAgent(context.services.db.pool, agent.id);
    const events = latest?.run_id
      ? await tailEvents(context.services.db.pool, { runId: latest.run_id }, input.tail, input.offset)
      : [];
    const lines = events.map((event) => {
      const line = `• [${event.type}] ${event.summary ?? ''}`;
      return input.verbose ? `${line}\n  ${JSON.stringify(event.payload)}` : line;
    });
    const text = [
      agentLine(agent, open),
      `tokens in ${spend.input_tokens} · out ${spend.output_tokens} · cache read ${spend.cache_read_tokens} · cache write ${spend.cache_creation_tokens} · $${spend.cost_usd.toFixed(4)}`,
      latest ? `latest command (${latest.status}): ${latest.prompt_text.split('\n')[0]}` : 'no commands yet',
      ...(latest?.result_text && latest.status !== 'running' ? [`result: ${latest.result_text}`] : []),
      ...lines,
    ].join('\n');
    return {
      text,
      structured: {
        agent: agentData(agent, open),
        spend,
        latest_command: latest
          ? { prompt_id: latest.id, status: latest.status, result: latest.result_text }
          : null,
        events: events.map((event) => ({
          seq: event.seq,
          type: event.type,
          summary: event.summary ?? null,
          ...(input.verbose ? { payload: event.payload } : {}),
        })),
      },
    };
  },
});
