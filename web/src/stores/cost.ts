import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type { CostReport } from '../api/schemas.ts';
import type { StoreMessage } from './messages.ts';

/** The workspace's spend as /api/cost reports it (the usage ledger): fetched again after runs end. */
export const useCostStore = defineStore('cost', () => {
  const report = shallowRef<CostReport | undefined>();
  const totalUsd = computed(() => report.value?.total_usd ?? 0);
  const contextWindowTokens = computed(() => report.value?.context_window_tokens ?? 200_000);

  function apply(message: StoreMessage): void {
    if (message.type === 'local.cost.loaded') report.value = message.cost;
  }

  return { report, totalUsd, contextWindowTokens, apply };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useCostStore, import.meta.hot));
