import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { nileServerMessage, type HomeSection, type NileServerMessage } from '@nile-protocol';
import { useExpertiseStore } from './expertise.ts';

/**
 * - idle: nothing asked for yet
 * - connecting: the page's socket is being opened
 * - generating: the agent is making sections; they arrive one by one
 * - complete: the page is whole (personalised, generic, or the generic fallback)
 */
export type HomeStatus = 'idle' | 'connecting' | 'generating' | 'complete';

/**
 * The home page as the agent streams it (REUSE): one generation at a time, its sections in their
 * order. Every frame names its generation; a frame of any other (one the server interrupted because
 * the shopper acted again) is dropped, so an old page never mixes into the new one.
 */
export const useHomeStore = defineStore('nile-home', () => {
  const expertise = useExpertiseStore();

  const status = ref<HomeStatus>('idle');
  const generation = ref<number | undefined>();
  const sections = ref<HomeSection[]>([]);
  const personalized = ref(false);
  /** The server says its model is the scripted one (no API key): the page says so. */
  const scripted = ref(false);
  /** Generation failed (or the socket could not be had): these are the generic page's sections. */
  const fallback = ref(false);
  const error = ref<string | undefined>();
  /** Frames not applied: of another generation, or not understood. */
  const dropped = reactive({ staleGeneration: 0, notUnderstood: 0 });

  const generating = computed(() => status.value === 'connecting' || status.value === 'generating');

  function apply(message: NileServerMessage): void {
    switch (message.type) {
      case 'started':
        generation.value = message.generation;
        sections.value = [];
        personalized.value = message.data.personalized;
        scripted.value = message.data.scripted;
        fallback.value = false;
        error.value = undefined;
        status.value = 'generating';
        return;
      case 'section': {
        if (message.generation !== generation.value) {
          dropped.staleGeneration += 1;
          return;
        }
        const others = sections.value.filter((section) => section.index !== message.data.index);
        sections.value = [...others, message.data].sort((a, b) => a.index - b.index);
        return;
      }
      case 'complete':
        if (message.generation !== generation.value) {
          dropped.staleGeneration += 1;
          return;
        }
        status.value = 'complete';
        personalized.value = message.data.personalized;
        fallback.value = message.data.fallback;
        expertise.reused(
          message.data.fallback
            ? `Generation failed: showing the generic page (${sections.value.length} sections)`
            : `Home page built: ${sections.value.length} ${message.data.personalized ? 'personalised' : 'generic'} sections`,
        );
        return;
      case 'error':
        if (message.generation !== undefined && message.generation !== generation.value) {
          dropped.staleGeneration += 1;
          return;
        }
        error.value = message.data.message;
        return;
      case 'pong':
        return;
    }
  }

  /** A frame off the socket: parsed against the protocol, applied, or counted as not understood. */
  function receive(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      dropped.notUnderstood += 1;
      return;
    }
    const parsed = nileServerMessage.safeParse(json);
    if (!parsed.success) {
      dropped.notUnderstood += 1;
      return;
    }
    apply(parsed.data);
  }

  function connecting(): void {
    if (status.value !== 'generating') status.value = 'connecting';
  }

  /**
   * The socket could not be had (or went away mid-page): the generic page over REST, unless a page
   * was already complete (it stays). `why` is what the shopper is told.
   */
  function showGeneric(generic: HomeSection[], why: string): void {
    if (status.value === 'complete' && !fallback.value) return;
    generation.value = undefined;
    sections.value = [...generic].sort((a, b) => a.index - b.index);
    personalized.value = false;
    fallback.value = true;
    error.value = why;
    status.value = 'complete';
  }

  function reset(): void {
    status.value = 'idle';
    generation.value = undefined;
    sections.value = [];
    personalized.value = false;
    scripted.value = false;
    fallback.value = false;
    error.value = undefined;
  }

  return {
    status,
    generation,
    sections,
    personalized,
    scripted,
    fallback,
    error,
    dropped,
    generating,
    apply,
    receive,
    connecting,
    showGeneric,
    reset,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useHomeStore, import.meta.hot));
