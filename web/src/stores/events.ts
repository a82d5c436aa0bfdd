import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref, shallowRef, triggerRef } from 'vue';
import type { WireEvent } from '@protocol';
import type { EventPage } from '../api/schemas.ts';
import { indexOfSeq, lowerBound } from '../lib/sorted-by-seq.ts';
import type { StoreMessage } from './messages.ts';

/** What changed in the window, so views built on it (filters) follow without rebuilding. */
export type WindowChange =
  | { kind: 'appended'; events: readonly WireEvent[] }
  | { kind: 'prepended'; events: readonly WireEvent[] }
  /** Rows outside [fromSeq, toSeq] were let go. */
  | { kind: 'trimmed'; fromSeq: number; toSeq: number }
  | { kind: 'updated'; event: WireEvent }
  | { kind: 'reset' };

/** Rows the window holds at most; it lets go of a tenth at a time, so trimming is not per event. */
export const defaultWindowRows = 5_000;

/**
 * The event window: a bounded slice of the ledger, in seq order, each event once (by id). Live events
 * are appended in place (no copy of the list per event); when it is full the oldest chunk goes, and
 * scrolling up pages older rows back in from the API (then the newest go, and the live tail is
 * fetched again on the way down: `hasNewer`). Views subscribe to its changes with `onChange`.
 */
export const useEventsStore = defineStore('events', () => {
  const capacity = ref(defaultWindowRows);
  /** The window, ascending seq; mutated in place and triggered, never copied per event. */
  const rows = shallowRef<WireEvent[]>([]);
  const byId = new Map<string, WireEvent>();
  /** There are stored events older than the window's first row. */
  const hasOlder = ref(false);
  /** Newer events were let go (or never kept) while the person read older ones. */
  const hasNewer = ref(false);
  /** The person paged back: live events must not push the rows being read out of the window. */
  const readingOlder = ref(false);
  const duplicates = ref(0);
  /** Live events that arrive while the newest page is being fetched (jump to latest): kept for it. */
  let pendingTail: WireEvent[] | undefined;
  const listeners = new Set<(change: WindowChange) => void>();

  function notify(change: WindowChange): void {
    for (const listener of listeners) listener(change);
  }

  function onChange(listener: (change: WindowChange) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  function get(id: string): WireEvent | undefined {
    return byId.get(id);
  }

  function apply(message: StoreMessage): void {
    if (message.type === 'event.appended') add(message.event);
    else if (message.type === 'local.events.latest') reset(message.page);
    else if (message.type === 'local.events.older') prepend(message.page);
  }

  /** A later one-line summary replaces the deterministic one of the event it names. */
  function applySummary(event: WireEvent): void {
    const targetId = event.payload.event_id;
    const summary = event.payload.summary;
    if (typeof targetId !== 'string' || typeof summary !== 'string') return;
    const target = byId.get(targetId);
    if (!target || target.summary === summary) return;
    const updated = { ...target, summary };
    byId.set(targetId, updated);
    const index = indexOfSeq(rows.value, target.seq);
    if (index !== -1) rows.value[index] = updated;
    notify({ kind: 'updated', event: updated });
  }

  function add(event: WireEvent): void {
    if (byId.has(event.id)) {
      duplicates.value += 1;
      return;
    }
    if (event.type === 'SummaryUpdated') applySummary(event);
    const list = rows.value;
    if (pendingTail) {
      pendingTail.push(event);
      return;
    }
    if (hasNewer.value || (readingOlder.value && list.length >= capacity.value)) {
      hasNewer.value = true; // fetched again when the person comes back down
      return;
    }
    byId.set(event.id, event);
    const last = list.at(-1);
    if (!last || last.seq < event.seq) {
      list.push(event);
      notify({ kind: 'appended', events: [event] });
    } else {
      // Out of order (a page that overlapped the live feed): rare, so the views rebuild.
      list.splice(lowerBound(list, event.seq), 0, event);
      notify({ kind: 'reset' });
    }
    if (list.length > capacity.value + Math.ceil(capacity.value / 10)) {
      const gone = list.splice(0, list.length - capacity.value);
      for (const row of gone) byId.delete(row.id);
      hasOlder.value = true;
      notify({ kind: 'trimmed', fromSeq: list[0]!.seq, toSeq: list.at(-1)!.seq });
    }
    triggerRef(rows);
  }

  function reset(page: EventPage): void {
    byId.clear();
    const list: WireEvent[] = [];
    for (const event of page.events) {
      if (byId.has(event.id)) continue;
      byId.set(event.id, event);
      list.push(event);
    }
    list.sort((a, b) => a.seq - b.seq);
    for (const event of list) if (event.type === 'SummaryUpdated') applySummaryInPlace(list, event);
    rows.value = list;
    hasOlder.value = page.more;
    hasNewer.value = false;
    readingOlder.value = false;
    notify({ kind: 'reset' });
    const arrived = pendingTail ?? [];
    pendingTail = undefined;
    for (const event of arrived) add(event);
  }

  /** The newest page is on its way: live events arriving meanwhile are kept for after it. */
  function awaitLatest(): void {
    pendingTail ??= [];
  }

  function applySummaryInPlace(list: WireEvent[], event: WireEvent): void {
    const targetId = event.payload.event_id;
    const summary = event.payload.summary;
    const target = typeof targetId === 'string' ? byId.get(targetId) : undefined;
    if (!target || typeof summary !== 'string') return;
    const updated = { ...target, summary };
    byId.set(target.id, updated);
    const index = indexOfSeq(list, target.seq);
    if (index !== -1) list[index] = updated;
  }

  function prepend(page: EventPage): void {
    const list = rows.value;
    const first = list[0]?.seq ?? Number.MAX_SAFE_INTEGER;
    const older = page.events.filter((event) => event.seq < first && !byId.has(event.id));
    for (const event of older) byId.set(event.id, event);
    list.unshift(...older);
    hasOlder.value = page.more;
    readingOlder.value = true;
    notify({ kind: 'prepended', events: older });
    if (list.length > capacity.value) {
      const gone = list.splice(capacity.value);
      for (const row of gone) byId.delete(row.id);
      hasNewer.value = true;
      notify({ kind: 'trimmed', fromSeq: list[0]!.seq, toSeq: list.at(-1)!.seq });
    }
    triggerRef(rows);
  }

  /** The person is at the bottom again: live rows may push old ones out (unless newer must be fetched). */
  function follow(): void {
    if (!hasNewer.value) readingOlder.value = false;
  }

  /** The newest page did not come: what was kept for it goes (hasNewer says it is still to fetch). */
  function abandonLatest(): void {
    pendingTail = undefined;
    hasNewer.value = true;
  }

  return {
    capacity,
    rows,
    hasOlder,
    hasNewer,
    readingOlder,
    duplicates,
    apply,
    get,
    onChange,
    follow,
    awaitLatest,
    abandonLatest,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useEventsStore, import.meta.hot));
