import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { WireDelta } from '@protocol';
import {
  chatItemSchema,
  type ChatItem,
  type OrchestratorState,
  type SlashCommandListing,
  type TemplateListing,
  type WorkflowListing,
} from '../api/chat-schemas.ts';
import type { StoreMessage } from './messages.ts';

/** A reply still being written: the token fragments of one content block, until its chat item lands. */
export interface StreamingBubble {
  key: string;
  runId?: string;
  kind: WireDelta['kind'];
  /** The block's index in its model message: a new index (or kind) is a new bubble. */
  index: number;
  text: string;
}

/** What the input completes: the project's slash commands, the ADW workflows, the agent templates. */
export interface ChatCatalog {
  commands: SlashCommandListing[];
  workflows: WorkflowListing[];
  templates: TemplateListing[];
}

/** How far a message got: an item seen again with an earlier status (a stale page) does not go back. */
const statusRank: Record<ChatItem['status'], number> = {
  queued: 0,
  running: 1,
  done: 2,
  interrupted: 2,
  failed: 2,
};

/** Which fragments a stored item of each kind replaces. */
const streamedAs: Record<ChatItem['kind'], WireDelta['kind'] | undefined> = {
  text: 'text',
  thinking: 'thinking',
  tool_use: 'tool_input',
  error: undefined,
};

const comparePositions = (a: ChatItem, b: ChatItem) => {
  const left = BigInt(a.position);
  const right = BigInt(b.position);
  return left < right ? -1 : left > right ? 1 : 0;
};

/**
 * The orchestrator's chat: its items by id in position order (a person's messages with their status,
 * the orchestrator's replies, thoughts, tool calls, errors), the replies still streaming token by token,
 * and what it costs. Fed only through `apply`: `chat.appended` frames (an item, again at each status
 * change), `event.delta` fragments of the orchestrator's agent, and the REST answers (history pages, the
 * orchestrator's state, a sent message). Applying is idempotent by item id.
 */
export const useChatStore = defineStore('chat', () => {
  /** Position order; mutated in place and triggered, never copied per item. */
  const items = shallowRef<ChatItem[]>([]);
  const byId = new Map<string, ChatItem>();
  const streaming = shallowRef<StreamingBubble[]>([]);
  const orchestrator = ref<OrchestratorState | undefined>();
  /** False when the server runs no orchestrator (the reason says what to do); undefined until known. */
  const available = ref<boolean | undefined>();
  const unavailableReason = ref<string | undefined>();
  const hasOlder = ref(false);
  /** Chat frames in a shape this UI cannot read: counted, never applied. */
  const ignored = ref(0);
  const catalog = shallowRef<ChatCatalog>({ commands: [], workflows: [], templates: [] });
  let streamed = 0;
  /**
   * Fragments travel apart from items (NOTIFY, coalesced) and may arrive after the item they built:
   * stored items that replaced no bubble, so that their late fragments are dropped, not shown again.
   */
  const unmatched: ChatItem[] = [];
  let lastBlock: string | undefined;
  let droppingBlock = false;

  const userMessages = computed(() => items.value.filter((item) => item.sender_type === 'user'));
  const queued = computed(() => userMessages.value.filter((item) => item.status === 'queued'));
  /** A turn runs: the typing state and the interrupt button. */
  const busy = computed(() => userMessages.value.some((item) => item.status === 'running'));
  const oldestPosition = computed(() => items.value[0]?.position);

  /** `live`: it came on the socket as it happened (a page of history has no fragments to settle). */
  function upsert(item: ChatItem, live = false): void {
    const known = byId.get(item.id);
    if (known) {
      if (statusRank[item.status] < statusRank[known.status]) return;
      const index = items.value.indexOf(known);
      byId.set(item.id, item);
      if (index !== -1) items.value[index] = item;
    } else {
      byId.set(item.id, item);
      const list = items.value;
      const last = list.at(-1);
      if (!last || comparePositions(last, item) < 0) list.push(item);
      else {
        // An older page, or items from two processes crossing: rare, so a sort is fine.
        list.push(item);
        list.sort(comparePositions);
      }
    }
    if (live && known?.status !== item.status) settleStreaming(item);
    triggerRef(items);
  }

  /** A stored item replaces the bubble its fragments built; a settled turn leaves no bubble behind. */
  function settleStreaming(item: ChatItem): void {
    const bubbles = streaming.value;
    let next = bubbles;
    if (item.sender_type === 'orchestrator') {
      const kind = streamedAs[item.kind];
      const index = bubbles.findIndex(
        (bubble) => bubble.kind === kind && (!item.run_id || !bubble.runId || bubble.runId === item.run_id),
      );
      if (index !== -1) next = bubbles.filter((_, i) => i !== index);
      else if (kind && unmatched.push(item) > 20) unmatched.shift(); // late fragments come soon or never
    } else if (item.sender_type === 'user' && statusRank[item.status] === 2 && item.run_id) {
      next = bubbles.filter((bubble) => bubble.runId !== item.run_id);
    }
    if (next !== bubbles) streaming.value = next;
  }

  function addDelta(delta: WireDelta): void {
    const agentId = orchestrator.value?.agent_id;
    if (!agentId || delta.agentId !== agentId) return;
    const block = `${delta.runId}:${delta.kind}:${delta.index}`;
    if (block === lastBlock && droppingBlock) return;
    if (block !== lastBlock) {
      lastBlock = block;
      const late = unmatched.findIndex(
        (item) =>
          streamedAs[item.kind] === delta.kind &&
          (!item.run_id || item.run_id === delta.runId) &&
          (delta.kind === 'tool_input' || item.message.startsWith(delta.text)),
      );
      droppingBlock = late !== -1;
      if (droppingBlock) {
        unmatched.splice(late, 1);
        return;
      }
    }
    const bubbles = streaming.value;
    const last = bubbles.at(-1);
    if (last && last.runId === delta.runId && last.kind === delta.kind && last.index === delta.index) {
      last.text += delta.text;
      triggerRef(streaming);
      return;
    }
    streamed += 1;
    streaming.value = [
      ...bubbles,
      {
        key: `stream-${streamed}`,
        runId: delta.runId,
        kind: delta.kind,
        index: delta.index,
        text: delta.text,
      },
    ];
  }

  function receiveItem(raw: unknown): void {
    const parsed = chatItemSchema.safeParse(raw);
    if (parsed.success) upsert(parsed.data, true);
    else ignored.value += 1;
  }

  function apply(message: StoreMessage): void {
    switch (message.type) {
      case 'chat.appended':
        return receiveItem(message.item);
      case 'event.delta':
        return addDelta(message.delta);
      case 'event.appended': {
        // The orchestrator's run ended: whatever it was still streaming is over.
        const event = message.event;
        if (event.type === 'RunEnded' && event.agentId && event.agentId === orchestrator.value?.agent_id) {
          streaming.value = streaming.value.filter((bubble) => bubble.runId !== event.runId);
          const stale = unmatched.filter((item) => item.run_id === event.runId);
          for (const item of stale) unmatched.splice(unmatched.indexOf(item), 1);
        }
        return;
      }
      case 'local.chat.state':
        orchestrator.value = message.orchestrator;
        available.value = true;
        unavailableReason.value = undefined;
        for (const item of message.queued) upsert(item);
        return;
      case 'local.chat.unavailable':
        available.value = false;
        unavailableReason.value = message.reason;
        return;
      case 'local.chat.page':
        for (const item of message.items) upsert(item);
        // A page shorter than asked is the start of the chat; an older page decides for everything before it.
        if (message.older || items.value.length === message.items.length) hasOlder.value = message.more;
        return;
      case 'local.chat.sent':
        return upsert(message.item);
      case 'local.chat.catalog':
        catalog.value = message.catalog;
        return;
    }
  }

  return {
    items,
    streaming,
    orchestrator,
    available,
    unavailableReason,
    hasOlder,
    ignored,
    catalog,
    queued,
    busy,
    oldestPosition,
    apply,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useChatStore, import.meta.hot));
