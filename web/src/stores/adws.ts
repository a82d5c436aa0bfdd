import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, markRaw, reactive, shallowReactive } from 'vue';
import type { WireEvent } from '@protocol';
import type { AdwDetail, AdwStep } from '../api/adw-schemas.ts';
import type { AdwListing } from '../api/schemas.ts';
import { buildLanes } from '../lib/adw-lanes.ts';
import type { StoreMessage } from './messages.ts';

/** Events one ADW's lanes hold at most; past it the oldest tenth goes (and `more` says so). */
export const defaultAdwEventLimit = 3_000;

/**
 * One ADW's events in seq order, each once. The array is mutated in place (never copied per event) and
 * `version` is bumped, which is what the lanes computed from it follow.
 */
export interface AdwTimeline {
  events: WireEvent[];
  version: number;
  /** Its row, steps and stored events were fetched (live events are kept before that too). */
  loaded: boolean;
  /** Older events exist that are not held (not loaded, or let go past the limit). */
  more: boolean;
}

const listingOf = (adw: AdwDetail): AdwListing => ({
  id: adw.id,
  name: adw.name,
  workflow: adw.workflow,
  status: adw.status,
  current_step: adw.current_step,
  completed_steps: adw.completed_steps,
  total_steps: adw.total_steps,
  cost_usd: adw.cost_usd,
});

/**
 * ADWs by id: listed after each (re)connect, kept current by `adw.updated`; and for the swimlanes each
 * ADW's row, step runs and events (live ones from `event.appended` as they come, stored ones when its
 * card loads them: `local.adw.loaded`), merged by event id so a page and the live feed overlap freely.
 */
export const useAdwsStore = defineStore('adws', () => {
  const byId = reactive(new Map<string, AdwListing>());
  const details = reactive(new Map<string, AdwDetail>());
  const steps = reactive(new Map<string, AdwStep[]>());
  const timelines = reactive(new Map<string, AdwTimeline>());
  /** Which ADW holds an event, for the summaries that arrive later. */
  const adwOfEvent = new Map<string, string>();
  const limit = { events: defaultAdwEventLimit };
  let duplicates = 0;

  /** Newest first; one not loaded yet (just started) before the rest. */
  const list = computed(() =>
    [...byId.values()].sort((a, b) => (createdAt(b) ?? '\uffff').localeCompare(createdAt(a) ?? '\uffff')),
  );
  const runningCount = computed(() => list.value.filter((adw) => adw.status === 'running').length);

  function createdAt(adw: AdwListing): string | undefined {
    return details.get(adw.id)?.created_at;
  }

  function timeline(id: string): AdwTimeline {
    let held = timelines.get(id);
    if (!held) {
      timelines.set(id, shallowReactive({ events: markRaw([]), version: 0, loaded: false, more: false }));
      held = timelines.get(id)!;
    }
    return held;
  }

  function trim(held: AdwTimeline): void {
    if (held.events.length <= limit.events) return;
    const over = Math.max(held.events.length - limit.events, Math.ceil(limit.events / 10));
    for (const event of held.events.splice(0, over)) adwOfEvent.delete(event.id);
    held.more = true;
  }

  function add(event: WireEvent): void {
    if (event.type === 'SummaryUpdated') {
      applySummary(event);
      return;
    }
    if (!event.adwId) return;
    if (adwOfEvent.has(event.id)) {
      duplicates += 1;
      return;
    }
    const held = timeline(event.adwId);
    const events = held.events;
    const frozen = markRaw(event);
    // Live events come in seq order; one older than the newest held (a page overlapping) goes in place.
    if (events.length === 0 || events[events.length - 1]!.seq < event.seq) events.push(frozen);
    else {
      let at = events.length;
      while (at > 0 && events[at - 1]!.seq > event.seq) at -= 1;
      events.splice(at, 0, frozen);
    }
    adwOfEvent.set(event.id, event.adwId);
    trim(held);
    held.version += 1;
  }

  function applySummary(event: WireEvent): void {
    const targetId = event.payload.event_id;
    const summary = event.payload.summary;
    if (typeof targetId !== 'string' || typeof summary !== 'string') return;
    const adwId = adwOfEvent.get(targetId);
    const held = adwId ? timelines.get(adwId) : undefined;
    if (!held) return;
    const index = held.events.findIndex((candidate) => candidate.id === targetId);
    if (index === -1) return;
    held.events[index] = markRaw({ ...held.events[index]!, summary });
    held.version += 1;
  }

  function remember(adw: AdwDetail): void {
    details.set(adw.id, adw);
    byId.set(adw.id, { ...byId.get(adw.id), ...listingOf(adw) });
  }

  function apply(message: StoreMessage): void {
    switch (message.type) {
      case 'local.snapshot':
      case 'local.adws.loaded':
        byId.clear();
        for (const adw of message.adws) byId.set(adw.id, adw);
        break;
      case 'adw.updated': {
        const { adw } = message;
        byId.set(adw.id, {
          ...byId.get(adw.id),
          id: adw.id,
          name: adw.name,
          workflow: adw.workflow,
          status: adw.status,
          current_step: adw.currentStep,
          completed_steps: adw.completedSteps,
          total_steps: adw.totalSteps,
          cost_usd: adw.costUsd,
        });
        const detail = details.get(adw.id);
        if (detail)
          details.set(adw.id, {
            ...detail,
            status: adw.status,
            paused_reason: adw.pausedReason,
            error_message: adw.errorMessage,
            cost_usd: adw.costUsd,
          });
        break;
      }
      case 'event.appended':
        add(message.event);
        break;
      case 'local.adw.loaded': {
        remember(message.adw);
        steps.set(message.adw.id, message.steps);
        const held = timeline(message.adw.id);
        for (const event of message.events) add(event);
        held.loaded = true;
        held.more = held.more || message.more;
        held.version += 1;
        break;
      }
      case 'local.adw.changed':
        remember(message.adw);
        break;
    }
  }

  /** The lanes and verdict of one ADW, from its steps and events (call it in a computed). */
  function lanesOf(id: string) {
    const held = timelines.get(id);
    void held?.version; // followed: the events array itself changes in place
    return buildLanes(steps.get(id) ?? [], held?.events ?? []);
  }

  /** ADWs in the listing whose row, steps and events have not been fetched yet. */
  const unloaded = computed(() => list.value.filter((adw) => !timelines.get(adw.id)?.loaded));

  return {
    byId,
    details,
    steps,
    timelines,
    list,
    runningCount,
    unloaded,
    limit,
    duplicates: () => duplicates,
    timeline,
    lanesOf,
    apply,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAdwsStore, import.meta.hot));
