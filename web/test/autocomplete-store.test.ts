import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AutocompleteAnswer, AutocompleteFeedbackBody } from '@protocol';
import { appendCompletion, suggestionIndexForKey } from '../src/lib/completion.ts';
import type { Timers } from '../src/live/socket-link.ts';
import { useAutocompleteStore, type AutocompleteApi } from '../src/stores/autocomplete.ts';

/** Timers the test advances by hand. */
function manualTimers() {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    setTimeout(callback, ms) {
      next += 1;
      due.set(next, { at: now + ms, callback });
      return next;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
  };
  return {
    timers,
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...due]) {
        if (timer.at <= now) {
          due.delete(id);
          timer.callback();
        }
      }
    },
    pending: () => due.size,
  };
}

/** The server's side of the two calls: each request waits until the test answers it. */
function scriptedApi() {
  const requests: { text: string; signal?: AbortSignal; answer(value: AutocompleteAnswer): void }[] = [];
  const feedback: AutocompleteFeedbackBody[] = [];
  const api: AutocompleteApi = {
    autocomplete(text, signal) {
      return new Promise((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new Error('aborted')));
        requests.push({ text, signal, answer: resolve });
      });
    },
    async autocompleteFeedback(body) {
      feedback.push(body);
      return {};
    },
  };
  return { api, requests, feedback };
}

const answer = (...completions: string[]): AutocompleteAnswer => ({
  suggestions: completions.map((completion) => ({ completion, reason: `why ${completion}` })),
  model: 'haiku',
  cancelled: false,
});
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the autocomplete store', () => {
  let clock: ReturnType<typeof manualTimers>;
  let server: ReturnType<typeof scriptedApi>;
  let store: ReturnType<typeof useAutocompleteStore>;

  beforeEach(() => {
    setActivePinia(createPinia());
    clock = manualTimers();
    server = scriptedApi();
    store = useAutocompleteStore();
    store.connect(server.api, { timers: clock.timers, debounceMs: 400 });
  });

  it('asks once typing pauses, and only for the latest text', async () => {
    store.typed('a');
    clock.advance(200);
    store.typed('as');
    clock.advance(200);
    store.typed('ask');
    clock.advance(399);
    expect(server.requests).toEqual([]);
    clock.advance(1);
    expect(server.requests.map((request) => request.text)).toEqual(['ask']);
    expect(store.loading).toBe(true);
    server.requests[0]!.answer(answer('the builder now', 'for a review'));
    await settled();
    expect(store.loading).toBe(false);
    expect(store.suggestions.map((s) => s.completion)).toEqual(['the builder now', 'for a review']);
  });

  it('cancels a request still running when the person types on, and drops its late answer', async () => {
    store.typed('ask');
    clock.advance(400);
    const first = server.requests[0]!;
    store.typed('ask the');
    expect(first.signal?.aborted).toBe(true);
    expect(store.suggestions).toEqual([]);
    first.answer(answer('stale one here', 'stale two here'));
    clock.advance(400);
    server.requests[1]!.answer(answer('builder to test', 'reviewer to look'));
    await settled();
    expect(server.requests.map((request) => request.text)).toEqual(['ask', 'ask the']);
    expect(store.suggestions.map((s) => s.completion)).toEqual(['builder to test', 'reviewer to look']);
  });

  it('accepting gives the new input text and tells the server what was taken', async () => {
    store.typed('ask the');
    clock.advance(400);
    server.requests[0]!.answer(answer('builder to test', 'reviewer to look'));
    await settled();
    expect(store.accept(1)).toBe('ask the reviewer to look');
    expect(server.feedback).toEqual([
      { kind: 'accepted', input: 'ask the', completion: 'reviewer to look', reason: 'why reviewer to look' },
    ]);
    expect(store.suggestions).toEqual([]);
    expect(store.accept(0)).toBeUndefined();
  });

  it('sending without taking a suggestion reports what was offered; with none on offer for that text, nothing', async () => {
    store.typed('deploy');
    clock.advance(400);
    server.requests[0]!.answer(answer('to staging now', 'the web app'));
    await settled();
    store.sent('deploy');
    expect(server.feedback).toEqual([
      { kind: 'rejected', input: 'deploy', offered: ['to staging now', 'the web app'] },
    ]);
    store.typed('hello');
    store.sent('hello');
    // Suggestions for another text were not on offer for this one.
    store.typed('status');
    clock.advance(400);
    server.requests[1]!.answer(answer('of the builder', 'of all agents'));
    await settled();
    store.sent('status of everything');
    expect(server.feedback).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('shows why there are no suggestions, and learns the server’s counts from autocomplete.updated', async () => {
    store.typed('xyz');
    clock.advance(400);
    server.requests[0]!.answer({
      suggestions: [],
      model: 'haiku',
      reason: 'the answer is not JSON',
      cancelled: false,
    });
    await settled();
    expect(store.reason).toBe('the answer is not JSON');
    store.apply({
      type: 'autocomplete.updated',
      topic: 'all',
      state: { cwd: '/w', model: 'haiku', generating: 0, learned: { accepted: 4, rejected: 2 } },
    });
    expect(store.learned).toEqual({ accepted: 4, rejected: 2 });
  });

  it('asks nothing for blank input', () => {
    store.typed('   ');
    clock.advance(1_000);
    expect(server.requests).toEqual([]);
  });
});

describe('completion helpers', () => {
  it('appends with one space, none after a space or before punctuation', () => {
    expect(appendCompletion('ask the', 'builder now')).toBe('ask the builder now');
    expect(appendCompletion('ask the ', 'builder now')).toBe('ask the builder now');
    expect(appendCompletion('done', ', then stop')).toBe('done, then stop');
    expect(appendCompletion('', 'start an adw')).toBe('start an adw');
  });

  it('maps Ctrl+1..3 to the suggestions there are, and nothing else', () => {
    const key = (key: string, mods: Partial<KeyboardEvent> = {}) => ({
      key,
      ctrlKey: true,
      altKey: false,
      metaKey: false,
      shiftKey: false,
      ...mods,
    });
    expect(suggestionIndexForKey(key('1'), 3)).toBe(0);
    expect(suggestionIndexForKey(key('3'), 3)).toBe(2);
    expect(suggestionIndexForKey(key('3'), 2)).toBeUndefined();
    expect(suggestionIndexForKey(key('4'), 3)).toBeUndefined();
    expect(suggestionIndexForKey(key('1', { ctrlKey: false }), 3)).toBeUndefined();
    expect(suggestionIndexForKey(key('1', { shiftKey: true }), 3)).toBeUndefined();
  });
});
