import { EventType } from '../../core/events.ts';
import { getCommand, type CommandRow } from '../../db/agent-commands.ts';
import type { EventBus } from '../../db/event-bus.ts';
import { latestSeq } from '../../db/events.ts';
import type { Queryable } from '../../db/pool.ts';

const isEnded = (row: CommandRow | undefined) => row && !['queued', 'running'].includes(row.status);
const isTaken = (row: CommandRow | undefined) => row && row.status !== 'queued';

/**
 * Resolves with the command's row once it has ended (`until` 'ended'), or once a worker has taken it or
 * it has ended ('taken'); or with its row as it is when `timeoutMs` passes. Event-driven: it listens for
 * the command's CommandEnded (and CommandStarted), written in the transactions that change the row, from
 * a position taken before the row is read, so a change that lands in between is not missed.
 */
export async function waitForCommand(
  db: Queryable,
  bus: EventBus,
  command: { id: string; agentId: string },
  timeoutMs: number,
  until: 'ended' | 'taken' = 'ended',
): Promise<{ row: CommandRow; timedOut: boolean }> {
  const ended = until === 'ended' ? isEnded : isTaken;
  const wakers: string[] =
    until === 'ended' ? [EventType.CommandEnded] : [EventType.CommandEnded, EventType.CommandStarted];
  const fromSeq = await latestSeq(db, { agentId: command.agentId });
  let finish!: () => void;
  const signalled = new Promise<void>((resolve) => (finish = resolve));
  const subscription = await bus.subscribe(
    { fromSeq, filter: { agentId: command.agentId, categories: ['system'] } },
    (event) => {
      if (wakers.includes(event.type) && event.payload.command_id === command.id) finish();
    },
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    const row = await getCommand(db, command.id);
    if (!row) throw new Error(`command ${command.id} is not in the ledger`);
    if (ended(row)) return { row, timedOut: false };
    const outcome = await Promise.race([
      signalled.then(() => 'ended' as const),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    const latest = (await getCommand(db, command.id))!;
    return { row: latest, timedOut: outcome === 'timeout' && !ended(latest) };
  } finally {
    clearTimeout(timer);
    subscription.close();
  }
}
