import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, reactive, shallowRef, triggerRef } from 'vue';
import type { WireEvent } from '@protocol';
import type { AgentListing, CostReport } from '../api/schemas.ts';
import type { StoreMessage } from './messages.ts';

/** An agent as its card shows it: the server's listing, plus what its live events say. */
export interface AgentCard extends AgentListing {
  /** Tokens spent (in + out + cache) and the context window's use after the last call (usage ledger). */
  tokens: number;
  contextTokens: number;
  latestSummary?: string;
  latestEventId?: string;
  latestEventAt?: string;
  /** Bumped when it acts (a tool, a hook, a thought): the card pulses. */
  pulses: number;
}

const pulseTypes = new Set(['ToolUseBlock', 'ToolResultBlock', 'ThinkingBlock']);

/** Statuses the lifecycle events imply, until the listing (fetched again on them) says otherwise. */
function statusAfter(event: WireEvent): { status: string; blockedReason?: string | null } | undefined {
  switch (event.type) {
    case 'RunQueued':
      return { status: 'waiting' };
    case 'RunStarted':
    case 'CommandStarted':
      return { status: 'executing', blockedReason: null };
    case 'CommandEnded':
      return event.payload.status === 'failed'
        ? { status: 'blocked', blockedReason: String(event.payload.error ?? 'the command failed') }
        : { status: 'idle', blockedReason: null };
    default:
      return undefined;
  }
}

/**
 * Every live agent but the orchestrator (its chat is its own column), by id. Listings come from the REST
 * API after each (re)connect and again after lifecycle events; live events update the rest in between.
 */
export const useAgentsStore = defineStore('agents', () => {
  const byId = reactive(new Map<string, AgentCard>());
  const spend = new Map<string, { tokens: number; contextTokens: number }>();

  /**
   * The cards' order (by name, then id), as ids: sorted again only when an agent comes or goes, not when
   * a card changes, so an event costs one card's update even with thousands of agents.
   */
  const order = shallowRef<string[]>([]);
  let orderStale = false;
  const byName = (a: AgentCard, b: AgentCard) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

  function reorder(): void {
    if (!orderStale) return;
    orderStale = false;
    order.value = [...byId.values()].sort(byName).map((agent) => agent.id);
  }
  function remove(id: string): void {
    if (!byId.delete(id)) return;
    const index = order.value.indexOf(id);
    if (index !== -1) {
      order.value.splice(index, 1);
      triggerRef(order);
    }
  }

  const list = computed(() => order.value.map((id) => byId.get(id)!).filter(Boolean));
  const activeCount = computed(() => {
    let count = 0;
    for (const agent of byId.values()) if (agent.status !== 'complete') count += 1;
    return count;
  });
  const runningCount = computed(() => {
    let count = 0;
    for (const agent of byId.values()) if (agent.status === 'executing') count += 1;
    return count;
  });

  function card(listing: AgentListing, previous?: AgentCard): AgentCard {
    const spent = spend.get(listing.id);
    return {
      ...previous,
      ...listing,
      tokens: spent?.tokens ?? previous?.tokens ?? 0,
      contextTokens: spent?.contextTokens ?? previous?.contextTokens ?? 0,
      pulses: previous?.pulses ?? 0,
    };
  }

  function upsert(listing: AgentListing): void {
    if (listing.archived || listing.kind === 'orchestrator') return remove(listing.id);
    const previous = byId.get(listing.id);
    if (!previous || previous.name !== listing.name) orderStale = true;
    byId.set(listing.id, card(listing, previous));
  }

  function apply(message: StoreMessage): void {
    switch (message.type) {
      case 'local.snapshot': {
        const live = new Set(message.agents.map((agent) => agent.id));
        for (const id of [...byId.keys()])
          if (!live.has(id)) {
            byId.delete(id);
            orderStale = true;
          }
        for (const agent of message.agents) upsert(agent);
        return reorder();
      }
      case 'local.agent.loaded':
        upsert(message.agent);
        return reorder();
      case 'local.cost.loaded':
        return applyCost(message.cost);
      case 'event.appended':
        return applyEvent(message.event);
    }
  }

  function applyCost(cost: CostReport): void {
    for (const row of [...cost.agents, ...cost.orchestrator]) {
      const totals = {
        tokens: row.input_tokens + row.output_tokens + row.cache_read_tokens + row.cache_creation_tokens,
        contextTokens: row.context_tokens,
      };
      spend.set(row.id, totals);
      const agent = byId.get(row.id);
      if (agent) byId.set(row.id, { ...agent, ...totals, cost_usd: row.cost_usd });
    }
  }

  function applyEvent(event: WireEvent): void {
    if (!event.agentId) return;
    const agent = byId.get(event.agentId);
    if (!agent) return; // a new agent: its listing is fetched (see sync.ts)
    if (event.type === 'AgentDeleted') return remove(event.agentId);
    const next: AgentCard = { ...agent };
    if (event.type === 'SummaryUpdated') {
      if (event.payload.event_id === agent.latestEventId) next.latestSummary = event.summary;
    } else if (event.category !== 'summary') {
      next.latestSummary = event.summary ?? event.type;
      next.latestEventId = event.id;
      next.latestEventAt = event.occurredAt;
    }
    if (pulseTypes.has(event.type) || event.category === 'hook') next.pulses += 1;
    const status = statusAfter(event);
    if (status) {
      next.status = status.status;
      if (status.blockedReason !== undefined) next.blocked_reason = status.blockedReason;
    }
    byId.set(event.agentId, next);
  }

  return { byId, order, list, activeCount, runningCount, apply };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAgentsStore, import.meta.hot));
