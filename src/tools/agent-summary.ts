import type { CommandRow } from '../db/agent-commands.ts';
import type { AgentRow } from '../db/agents.ts';

/** The status people and models see: the agent's row and its queue, in one word. */
export function displayStatus(agent: AgentRow, open: CommandRow[]): string {
  if (agent.archived) return 'archived';
  const running = open.some((command) => command.status === 'running');
  if (agent.status === 'waiting' && running) return 'waiting'; // for a Claude Code slot on its host
  if (running) return 'executing';
  if (open.length) return 'queued'; // commands wait for a worker
  if (agent.status === 'blocked' || agent.blocked_reason) return 'blocked';
  return 'idle';
}

/** An agent as tools return it (structured content). */
export function agentData(agent: AgentRow, open: CommandRow[]) {
  return {
    id: agent.id,
    name: agent.name,
    status: displayStatus(agent, open),
    blocked_reason: agent.blocked_reason,
    model: agent.model,
    template: agent.template,
    tools: agent.tools,
    working_dir: agent.working_dir,
    worktree_path: agent.worktree_path,
    branch: agent.branch,
    session_id: agent.session_id,
    queue: open.map(commandData),
  };
}

export function commandData(command: CommandRow) {
  return {
    prompt_id: command.id,
    status: command.status,
    command: command.prompt_text,
    run_id: command.run_id,
    result: command.result_text,
    error: command.error_message ?? command.run_error,
    queued_at: command.created_at.toISOString(),
    ended_at: command.ended_at?.toISOString() ?? null,
  };
}

/** One line for a model: `alice [executing] sonnet · 1 queued`. */
export function agentLine(agent: AgentRow, open: CommandRow[]): string {
  const status = displayStatus(agent, open);
  const queued = open.filter((command) => command.status === 'queued').length;
  return [
    `${agent.name} [${status}${status === 'blocked' && agent.blocked_reason ? `: ${agent.blocked_reason}` : ''}]`,
    agent.model,
    agent.template && `template ${agent.template}`,
    queued && `${queued} queued`,
    agent.branch && `branch ${agent.branch}`,
  ]
    .filter(Boolean)
    .join(' · ');
}
