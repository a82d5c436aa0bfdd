import { computed, ref, watch, type Ref } from 'vue';
import type { AgentCommand, AgentRun } from '../api/agent-schemas.ts';
import type { ApiClient } from '../api/client.ts';
import { shownError, type ShownError } from '../lib/api-error.ts';
import { useAgentsStore } from '../stores/agents.ts';

/**
 * The selected agent's runs and command queue, fetched from the REST API when it is selected and again
 * whenever its card's listing changes (the live sync fetches the listing after each lifecycle event: a
 * command queued, started or ended, a run's end), so the detail follows the agent without polling.
 */
export function useAgentDetail(api: ApiClient, agentId: Ref<string>) {
  const agents = useAgentsStore();
  const runs = ref<AgentRun[] | undefined>();
  const commands = ref<AgentCommand[]>([]);
  const error = ref<ShownError | undefined>();
  const loading = ref(false);
  let asked = 0;

  /** What, in the card, means the runs or the queue changed. */
  const version = computed(() => {
    const card = agents.byId.get(agentId.value);
    return card
      ? [card.status, card.run_count, card.queued_commands, card.cost_usd, card.updated_at].join('|')
      : 'gone';
  });

  async function load(): Promise<void> {
    const id = agentId.value;
    const mine = (asked += 1);
    loading.value = true;
    try {
      const [nextRuns, nextCommands] = await Promise.all([api.agentRuns(id), api.agentCommands(id)]);
      if (mine !== asked) return; // a newer load (or another agent) answers instead
      runs.value = nextRuns;
      commands.value = nextCommands;
      error.value = undefined;
    } catch (failure) {
      if (mine === asked) error.value = shownError(failure, 'loading the agent’s runs');
    } finally {
      if (mine === asked) loading.value = false;
    }
  }

  watch(agentId, () => {
    runs.value = undefined;
    commands.value = [];
  });
  watch([agentId, version], () => void load(), { immediate: true });
  return { runs, commands, error, loading, reload: load };
}
