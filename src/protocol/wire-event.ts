import { z } from 'zod';
import type { LedgerEvent } from '../core/events.ts';
import { EventCategory } from '../core/statuses.ts';

/** A ledger event as it travels: dates as ISO strings, absent scopes left out. */
export const wireEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  category: z.enum(Object.values(EventCategory) as [EventCategory, ...EventCategory[]]),
  type: z.string(),
  orchestratorId: z.string().optional(),
  agentId: z.string().optional(),
  runId: z.string().optional(),
  sessionId: z.string().optional(),
  adwId: z.string().optional(),
  adwStep: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
  summary: z.string().optional(),
  occurredAt: z.string(),
  recordedAt: z.string(),
});
export type WireEvent = z.infer<typeof wireEventSchema>;

export function toWireEvent(event: LedgerEvent): WireEvent {
  const { occurredAt, recordedAt, ...rest } = event;
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) wire[key] = value;
  return {
    ...(wire as Omit<WireEvent, 'occurredAt' | 'recordedAt'>),
    occurredAt: occurredAt.toISOString(),
    recordedAt: recordedAt.toISOString(),
  };
}

/** A token-level fragment of an agent's output (live only, never stored): see StreamDelta in src/db. */
export const wireDeltaSchema = z.object({
  agentId: z.string().optional(),
  runId: z.string().optional(),
  adwId: z.string().optional(),
  index: z.number().int(),
  kind: z.enum(['text', 'thinking', 'tool_input']),
  text: z.string(),
});
export type WireDelta = z.infer<typeof wireDeltaSchema>;
