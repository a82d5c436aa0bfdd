import type { EventFilter } from '../../db/events.ts';
import type { StreamDelta } from '../../db/event-bus.ts';
import { parseTopic, type Topic } from '../../protocol/topics.ts';

/** The ledger filter a topic reads with; `orchestrator` needs the workspace's orchestrator id. */
export function topicFilter(topic: Topic, orchestratorId?: string): EventFilter | undefined {
  const parsed = parseTopic(topic);
  switch (parsed.kind) {
    case 'all':
      return {};
    case 'orchestrator':
      return orchestratorId ? { orchestratorId } : undefined;
    case 'agent':
      return { agentId: parsed.id };
    case 'adw':
      return { adwId: parsed.id };
  }
}

/**
 * Whether a live token fragment belongs to the topic. Fragments carry agent, run and ADW only, so the
 * orchestrator's are known by the agent row its turns run as.
 */
export function deltaMatches(filter: EventFilter, delta: StreamDelta, orchestratorAgentId?: string): boolean {
  if (filter.orchestratorId !== undefined)
    return delta.agentId !== undefined && delta.agentId === orchestratorAgentId;
  if (filter.agentId !== undefined && delta.agentId !== filter.agentId) return false;
  if (filter.adwId !== undefined && delta.adwId !== filter.adwId) return false;
  return true;
}
