import { onScopeDispose, shallowRef, triggerRef, watch, type Ref } from 'vue';
import type { WireEvent } from '@protocol';
import { indexOfSeq, lowerBound } from '../lib/sorted-by-seq.ts';
import type { useEventsStore } from './events.ts';

/**
 * The rows of the window that pass `predicate`, kept current change by change: an appended event is
 * tested and pushed, a trim cuts the ends, an update replaces one row; only a new predicate (or a reset)
 * filters the whole window again. So a live event costs one test, not a pass over the list.
 */
export function useFilteredWindow(
  events: ReturnType<typeof useEventsStore>,
  predicate: Ref<(event: WireEvent) => boolean>,
) {
  const visible = shallowRef<WireEvent[]>([]);

  function rebuild(): void {
    const test = predicate.value;
    visible.value = events.rows.filter((event) => test(event));
  }

  const stop = events.onChange((change) => {
    const list = visible.value;
    const test = predicate.value;
    switch (change.kind) {
      case 'appended':
        for (const event of change.events) if (test(event)) list.push(event);
        break;
      case 'prepended':
        list.unshift(...change.events.filter((event) => test(event)));
        break;
      case 'trimmed': {
        const end = lowerBound(list, change.toSeq + 1);
        if (end < list.length) list.splice(end);
        const start = lowerBound(list, change.fromSeq);
        if (start > 0) list.splice(0, start);
        break;
      }
      case 'updated': {
        const index = indexOfSeq(list, change.event.seq);
        if (index !== -1) list[index] = change.event;
        else if (test(change.event)) return rebuild();
        break;
      }
      case 'reset':
        return rebuild();
    }
    triggerRef(visible);
  });
  watch(predicate, rebuild);
  rebuild();
  onScopeDispose(stop);
  return visible;
}
