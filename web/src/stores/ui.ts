import { acceptHMRUpdate, defineStore } from 'pinia';
import { reactive, ref, watch } from 'vue';
import { viewCategories, type ViewCategory } from '../lib/event-view.ts';

export const chatWidths = ['sm', 'md', 'lg'] as const;
export type ChatWidth = (typeof chatWidths)[number];
export type CentreView = 'events' | 'adws';

const storageKeys = { chatWidth: 'baton.chatWidth', agentsCollapsed: 'baton.agentsCollapsed' };

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const value = globalThis.localStorage?.getItem(key);
    return allowed.includes(value as T) ? (value as T) : fallback;
  } catch {
    return fallback; // storage refused (a private window): defaults
  }
}

function store(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // not remembered, still applied
  }
}

/** What the person chose to see: layout, the centre's view, the stream's filters. Not server state. */
export const useUiStore = defineStore('ui', () => {
  const chatWidth = ref<ChatWidth>(stored(storageKeys.chatWidth, chatWidths, 'md'));
  const agentsCollapsed = ref(stored(storageKeys.agentsCollapsed, ['yes', 'no'], 'no') === 'yes');
  const centre = ref<CentreView>('events');
  /** Shown categories; all by default. */
  const categories = reactive(new Set<ViewCategory>(viewCategories));
  /** Agent chips: when any, only these agents' rows. */
  const agentFilter = reactive(new Set<string>());
  const search = ref('');
  /** The ADW filter: when set, only that ADW's rows. */
  const adwFilter = ref<string | undefined>();
  const selectedAgentId = ref<string | undefined>();

  watch(chatWidth, (width) => store(storageKeys.chatWidth, width));
  watch(agentsCollapsed, (collapsed) => store(storageKeys.agentsCollapsed, collapsed ? 'yes' : 'no'));

  function cycleChatWidth(): void {
    chatWidth.value = chatWidths[(chatWidths.indexOf(chatWidth.value) + 1) % chatWidths.length]!;
  }
  function toggleCentre(): void {
    centre.value = centre.value === 'events' ? 'adws' : 'events';
  }
  function toggleCategory(category: ViewCategory): void {
    if (categories.has(category)) categories.delete(category);
    else categories.add(category);
  }
  /** Selecting an agent filters the stream to it; selecting it again clears that. */
  function selectAgent(id: string): void {
    if (selectedAgentId.value === id) {
      selectedAgentId.value = undefined;
      agentFilter.delete(id);
    } else {
      if (selectedAgentId.value) agentFilter.delete(selectedAgentId.value);
      selectedAgentId.value = id;
      agentFilter.add(id);
    }
  }
  function removeAgentFilter(id: string): void {
    agentFilter.delete(id);
    if (selectedAgentId.value === id) selectedAgentId.value = undefined;
  }

  return {
    chatWidth,
    agentsCollapsed,
    centre,
    categories,
    agentFilter,
    search,
    adwFilter,
    selectedAgentId,
    cycleChatWidth,
    toggleCentre,
    toggleCategory,
    selectAgent,
    removeAgentFilter,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useUiStore, import.meta.hot));
