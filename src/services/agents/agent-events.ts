import type { EventDraft } from '../../core/events.ts';
import { newId } from '../../core/ids.ts';

/** A lifecycle event of a command agent or one of its commands, written with the change it records. */
export function agentEvent(
  type: string,
  scope: { agentId: string; orchestratorId?: string | null; runId?: string },
  payload: Record<string, unknown>,
  summary: string,
): EventDraft {
  return {
    id: newId(),
    category: 'system',
    type,
    agentId: scope.agentId,
    orchestratorId: scope.orchestratorId ?? undefined,
    runId: scope.runId,
    payload,
    summary,
    occurredAt: new Date(),
  };
}

/** The first line of a prompt, short enough for a summary. */
export function excerpt(text: string, length = 80): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
