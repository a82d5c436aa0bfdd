import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, reactive } from 'vue';
import type { AdwListing } from '../api/schemas.ts';
import type { StoreMessage } from './messages.ts';

/**
 * ADWs by id: listed after each (re)connect, kept current by `adw.updated`. The swimlanes (a later
 * slice) build on this; the header reads how many run.
 */
export const useAdwsStore = defineStore('adws', () => {
  const byId = reactive(new Map<string, AdwListing>());
  const list = computed(() => [...byId.values()]);
  const runningCount = computed(() => list.value.filter((adw) => adw.status === 'running').length);

  function apply(message: StoreMessage): void {
    if (message.type === 'local.snapshot' || message.type === 'local.adws.loaded') {
      byId.clear();
      for (const adw of message.adws) byId.set(adw.id, adw);
    } else if (message.type === 'adw.updated') {
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
    }
  }

  return { byId, list, runningCount, apply };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAdwsStore, import.meta.hot));
