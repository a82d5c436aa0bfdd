import { z } from 'zod';

const uuid = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/**
 * What a WebSocket client follows: everything, the workspace's orchestrator (its chat and tool calls),
 * one agent, or one ADW (every step's agent included).
 */
export const topicSchema = z
  .string()
  .regex(
    new RegExp(`^(all|orchestrator|agent:${uuid}|adw:${uuid})$`),
    'must be all, orchestrator, agent:<uuid> or adw:<uuid>',
  );
export type Topic = z.infer<typeof topicSchema>;

export type ParsedTopic =
  { kind: 'all' } | { kind: 'orchestrator' } | { kind: 'agent'; id: string } | { kind: 'adw'; id: string };

/** Splits a topic that passed topicSchema. */
export function parseTopic(topic: Topic): ParsedTopic {
  if (topic === 'all' || topic === 'orchestrator') return { kind: topic };
  const [kind, id] = topic.split(':') as ['agent' | 'adw', string];
  return { kind, id: id.toLowerCase() };
}
