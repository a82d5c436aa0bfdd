import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import type { ExpertiseResponse, LivePromptResponse, Product } from '@nile-protocol';
import { errorText, isSignedOut } from '../api/errors.ts';
import { useNileApi } from '../api/nile-api.ts';
import { useShopperStore } from './shopper.ts';

/** The product expert's loop: the shopper acts, the server learns, the agent reuses what it learnt. */
export type CyclePhase = 'act' | 'learn' | 'reuse';

export interface CycleEntry {
  /** Increasing, for list keys. */
  id: number;
  phase: CyclePhase;
  text: string;
  at: Date;
}

/** What the expertise holds about one product, as the panel lists it (newest first). */
export interface RecentAction {
  kind: 'viewed' | 'added to cart' | 'bought';
  productId: number;
  name: string;
  count: number;
  lastAt: string;
}

/** The panel keeps the last this many steps of the loop. */
export const cycleLogLength = 20;

/**
 * The shopper's expertise as the server keeps it (LEARN happens there only, in the action's own
 * transaction: this store never writes it, it reads it back) and the loop as this page saw it:
 * each action (ACT), the expertise's new total (LEARN), each home page built from it (REUSE).
 */
export const useExpertiseStore = defineStore('nile-expertise', () => {
  const api = useNileApi();
  const expertise = ref<ExpertiseResponse | undefined>();
  const livePrompt = ref<LivePromptResponse | undefined>();
  const log = ref<CycleEntry[]>([]);
  const phase = ref<CyclePhase | undefined>();
  const panelOpen = ref(false);
  const busy = ref(false);
  const error = ref<string | undefined>();
  /** Product names seen anywhere on the page, so the recent actions can name what the ids are. */
  const names = reactive(new Map<number, string>());
  let nextId = 0;

  function failed(caught: unknown): void {
    if (isSignedOut(caught)) useShopperStore().sessionEnded();
    else error.value = errorText(caught);
  }

  function record(entryPhase: CyclePhase, text: string): void {
    phase.value = entryPhase;
    nextId += 1;
    log.value = [{ id: nextId, phase: entryPhase, text, at: new Date() }, ...log.value].slice(
      0,
      cycleLogLength,
    );
  }

  function know(products: readonly Pick<Product, 'id' | 'name'>[]): void {
    for (const product of products) names.set(product.id, product.name);
  }

  function nameOf(productId: number): string {
    return names.get(productId) ?? `Product #${productId}`;
  }

  const stats = computed(() => {
    const data = expertise.value?.data;
    const sum = (entries: readonly { count: number }[] | undefined) =>
      (entries ?? []).reduce((total, entry) => total + entry.count, 0);
    return {
      improvements: expertise.value?.totalImprovements ?? 0,
      views: sum(data?.viewed),
      inCart: data?.addedToCart.length ?? 0,
      bought: sum(data?.checkedOut),
    };
  });

  const recentActions = computed<RecentAction[]>(() => {
    const data = expertise.value?.data;
    if (!data) return [];
    const rows: RecentAction[] = [
      ...data.viewed.map((entry) => ({ ...entry, kind: 'viewed' as const })),
      ...data.addedToCart.map((entry) => ({ ...entry, kind: 'added to cart' as const })),
      ...data.checkedOut.map((entry) => ({ ...entry, kind: 'bought' as const })),
    ].map((entry) => ({
      kind: entry.kind,
      productId: entry.productId,
      name: nameOf(entry.productId),
      count: entry.count,
      lastAt: entry.lastAt,
    }));
    return rows.sort((a, b) => b.lastAt.localeCompare(a.lastAt)).slice(0, 10);
  });

  /** Reads the expertise back; when its total moved, that is the server having learnt (LEARN). */
  async function refresh(): Promise<void> {
    try {
      const before = expertise.value?.totalImprovements;
      const next = await api.expertise();
      expertise.value = next;
      error.value = undefined;
      if (before !== undefined && next.totalImprovements !== before) {
        record('learn', `Expertise updated: ${improvements(next.totalImprovements)}`);
      }
      if (panelOpen.value) await loadLivePrompt();
    } catch (caught) {
      failed(caught);
    }
  }

  async function loadLivePrompt(): Promise<void> {
    try {
      const next = await api.livePrompt();
      livePrompt.value = next;
      const { checkedOut, addedToCart, viewed } = next.prefetchedProducts;
      know([...checkedOut, ...addedToCart, ...viewed]);
    } catch (caught) {
      failed(caught);
    }
  }

  /** The shopper did something the server learns from (ACT); then read what it learnt. */
  async function acted(text: string): Promise<void> {
    record('act', text);
    await refresh();
  }

  /** The home page was built (REUSE). */
  function reused(text: string): void {
    record('reuse', text);
  }

  async function clear(): Promise<void> {
    busy.value = true;
    try {
      expertise.value = await api.clearExpertise();
      record('learn', 'Expertise cleared: the next home page is the generic one');
      error.value = undefined;
      await loadLivePrompt();
    } catch (caught) {
      failed(caught);
    } finally {
      busy.value = false;
    }
  }

  async function openPanel(): Promise<void> {
    panelOpen.value = true;
    await Promise.all([refresh(), loadLivePrompt()]);
  }

  function closePanel(): void {
    panelOpen.value = false;
  }

  /** Someone else signs in on this page: nothing of the previous shopper's stays. */
  function reset(): void {
    expertise.value = undefined;
    livePrompt.value = undefined;
    log.value = [];
    phase.value = undefined;
    error.value = undefined;
  }

  return {
    expertise,
    livePrompt,
    log,
    phase,
    panelOpen,
    busy,
    error,
    stats,
    recentActions,
    know,
    nameOf,
    refresh,
    loadLivePrompt,
    acted,
    reused,
    clear,
    openPanel,
    closePanel,
    reset,
  };
});

export function improvements(count: number): string {
  return `${count} improvement${count === 1 ? '' : 's'}`;
}

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useExpertiseStore, import.meta.hot));
