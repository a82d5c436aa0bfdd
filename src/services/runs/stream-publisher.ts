import { publishStreamDelta, type StreamDelta } from '../../db/event-bus.ts';
import type { Queryable } from '../../db/pool.ts';

type Fragment = Pick<StreamDelta, 'index' | 'kind' | 'text'>;

/**
 * Coalesces token fragments of one run and publishes them every `intervalMs`: one NOTIFY per burst
 * instead of one per token. Best effort by design: fragments are a live preview, the stored block is the
 * truth, so a failed publish is dropped.
 */
export function createStreamPublisher(
  db: Queryable,
  scope: Pick<StreamDelta, 'runId' | 'agentId' | 'adwId' | 'orchestratorId'>,
  intervalMs = 50,
) {
  let pending: Fragment[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    timer = undefined;
    const merged: Fragment[] = [];
    for (const fragment of pending) {
      const last = merged.at(-1);
      if (last && last.index === fragment.index && last.kind === fragment.kind) last.text += fragment.text;
      else merged.push({ ...fragment });
    }
    pending = [];
    for (const fragment of merged) void publishStreamDelta(db, { ...scope, ...fragment }).catch(() => {});
  }

  return {
    publish(fragment: Fragment): void {
      pending.push(fragment);
      timer ??= setTimeout(flush, intervalMs);
    },
    close(): void {
      if (timer) clearTimeout(timer);
      flush();
    },
  };
}
