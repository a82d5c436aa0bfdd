/** What an agent's card says it is doing, from its listing (the ledger's status and its queue). */
export type DisplayStatus = 'idle' | 'executing' | 'waiting' | 'queued' | 'blocked' | 'complete';

/**
 * The ledger keeps an agent's own status; a command waiting for a worker leaves it idle, so the queue
 * says queued (as `check_agent_status` does). Executing and waiting for a slot win over the queue.
 */
export function displayStatus(agent: {
  status: string;
  blocked_reason?: string | null;
  queued_commands?: number;
}): DisplayStatus {
  if (agent.status === 'executing' || agent.status === 'waiting' || agent.status === 'complete')
    return agent.status;
  if ((agent.queued_commands ?? 0) > 0) return 'queued';
  if (agent.status === 'blocked' || agent.blocked_reason) return 'blocked';
  return 'idle';
}
