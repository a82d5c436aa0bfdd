import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AutocompleteAnswer, AutocompleteFeedbackBody } from '@protocol';
import type { Timers } from '../live/socket-link.ts';
import { appendCompletion } from '../lib/completion.ts';
import type { StoreMessage } from './messages.ts';

export type Suggestion = AutocompleteAnswer['suggestions'][number];

/** The REST calls the suggestions need (the ApiClient has them). */
export interface AutocompleteApi {
  autocomplete(text: string, signal?: AbortSignal): Promise<AutocompleteAnswer>;
  autocompleteFeedback(body: AutocompleteFeedbackBody): Promise<unknown>;
}

/** How long typing must pause before suggestions are asked for. */
export const suggestDebounceMs = 400;

const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The chat input's suggestions (the autocomplete expert). `typed(text)` after each change asks for
 * suggestions once typing pauses, cancelling a request still running (its model call stops too);
 * `accept(i)` gives the input's new text and tells the server; `sent(text)` before a message goes tells
 * it the suggestions on offer were not taken. An answer for an input that is no longer there is dropped.
 */
export const useAutocompleteStore = defineStore('autocomplete', () => {
  const suggestions = shallowRef<Suggestion[]>([]);
  /** The input the suggestions complete. */
  const forText = ref('');
  const loading = ref(false);
  /** Why there are no suggestions (the model gave none, no model access, the request failed). */
  const reason = ref<string | undefined>();
  /** What the server's autocomplete learned from, as its `autocomplete.updated` says. */
  const learned = ref({ accepted: 0, rejected: 0 });

  let api: AutocompleteApi | undefined;
  let timers = realTimers;
  let debounceMs = suggestDebounceMs;
  let pending: unknown;
  let running: AbortController | undefined;

  /** Where the calls go (the page's ApiClient; a test's own), and optionally its clock. */
  function connect(client: AutocompleteApi, options: { timers?: Timers; debounceMs?: number } = {}): void {
    api = client;
    timers = options.timers ?? realTimers;
    debounceMs = options.debounceMs ?? suggestDebounceMs;
  }

  function cancel(): void {
    if (pending !== undefined) timers.clearTimeout(pending);
    pending = undefined;
    running?.abort();
    running = undefined;
    loading.value = false;
  }

  function clear(): void {
    cancel();
    suggestions.value = [];
    reason.value = undefined;
  }

  /** The input changed: what was offered for the old text goes, and new suggestions come after a pause. */
  function typed(text: string): void {
    if (text === forText.value && (suggestions.value.length > 0 || loading.value)) return;
    clear();
    forText.value = text;
    if (text.trim() === '' || !api) return;
    pending = timers.setTimeout(() => {
      pending = undefined;
      void ask(text);
    }, debounceMs);
  }

  async function ask(text: string): Promise<void> {
    const controller = new AbortController();
    running = controller;
    loading.value = true;
    try {
      const answer = await api!.autocomplete(text, controller.signal);
      if (controller.signal.aborted || forText.value !== text) return;
      suggestions.value = answer.suggestions;
      reason.value = answer.suggestions.length === 0 ? answer.reason : undefined;
    } catch (error) {
      if (controller.signal.aborted) return;
      reason.value = error instanceof Error ? error.message : String(error);
    } finally {
      if (running === controller) {
        running = undefined;
        loading.value = false;
      }
    }
  }

  /** Takes suggestion `index`: the input's new text (undefined if there is none), and the server learns it. */
  function accept(index: number): string | undefined {
    const suggestion = suggestions.value[index];
    if (!suggestion) return undefined;
    const input = forText.value;
    clear();
    void api
      ?.autocompleteFeedback({
        kind: 'accepted',
        input,
        completion: suggestion.completion,
        reason: suggestion.reason,
      })
      .catch(() => {}); // learning is best effort: the message itself is what matters
    return appendCompletion(input, suggestion.completion);
  }

  /**
   * The input's `text` was sent: the suggestions on offer for it (none taken) are what the person
   * rejected. Suggestions for another text (still being asked for, or another input's) were not seen.
   */
  function sent(text: string): void {
    const offered =
      forText.value === text ? suggestions.value.map((suggestion) => suggestion.completion) : [];
    clear();
    forText.value = '';
    if (offered.length === 0 || text.trim() === '') return;
    void api?.autocompleteFeedback({ kind: 'rejected', input: text, offered }).catch(() => {});
  }

  function apply(message: StoreMessage): void {
    if (message.type === 'autocomplete.updated') learned.value = message.state.learned;
  }

  return { suggestions, forText, loading, reason, learned, connect, typed, accept, sent, clear, apply };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAutocompleteStore, import.meta.hot));
