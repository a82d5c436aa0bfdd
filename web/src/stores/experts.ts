import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type { ExpertListing } from '../api/expert-schemas.ts';
import type { ShownError } from '../lib/api-error.ts';
import type { StoreMessage } from './messages.ts';

/**
 * How current an expert is, as its row is coloured:
 * - stale: its latest version names files or symbols the code no longer has (stale claims)
 * - drifted: no stale claim, but the project changed since it was checked (or its file was edited)
 * - fresh: checked, and nothing changed since
 * - unchecked: no version recorded yet (an expertise written by hand, or none)
 */
export type ExpertStanding = 'stale' | 'drifted' | 'fresh' | 'unchecked';

export interface ExpertRow extends ExpertListing {
  standing: ExpertStanding;
}

export function expertStanding(expert: ExpertListing): ExpertStanding {
  if (expert.version === undefined) return 'unchecked';
  if ((expert.staleClaims ?? 0) > 0) return 'stale';
  if ((expert.filesChanged ?? 0) > 0 || expert.modified) return 'drifted';
  return 'fresh';
}

/** The workspace's agent experts as GET /api/experts lists them: fetched on load and after runs end. */
export const useExpertsStore = defineStore('experts', () => {
  /** Undefined until the first listing arrives. */
  const listing = shallowRef<ExpertListing[] | undefined>();
  /** The last listing failed (cleared by the next one that arrives). */
  const error = shallowRef<ShownError | undefined>();

  const rows = computed<ExpertRow[]>(() =>
    (listing.value ?? []).map((expert) => ({ ...expert, standing: expertStanding(expert) })),
  );
  /** Experts with stale claims or changes since their check: what the section's heading counts. */
  const needingCheck = computed(
    () => rows.value.filter((row) => row.standing === 'stale' || row.standing === 'drifted').length,
  );

  function apply(message: StoreMessage): void {
    if (message.type === 'local.experts.loaded') {
      listing.value = message.experts;
      error.value = undefined;
    } else if (message.type === 'local.experts.failed') error.value = message.error;
  }

  return { listing, error, rows, needingCheck, apply };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useExpertsStore, import.meta.hot));
