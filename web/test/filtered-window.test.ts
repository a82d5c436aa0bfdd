import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import type { WireEvent } from '@protocol';
import { textMatcher } from '../src/lib/search.ts';
import { useEventsStore } from '../src/stores/events.ts';
import { useFilteredWindow } from '../src/stores/filtered-window.ts';
import { appended, syntheticEvent } from './replay.ts';

describe('a filtered view of the window follows each change without a full pass', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('equals the window filtered afresh after appends, trims, older pages, summary updates and a new filter', async () => {
    const events = useEventsStore();
    events.capacity = 40;
    const onlyTools = (event: WireEvent) => event.type === 'ToolUseBlock';
    const predicate = ref<(event: WireEvent) => boolean>(onlyTools);
    const scope = effectScope();
    const visible = scope.run(() => useFilteredWindow(events, predicate))!;
    const make = (seq: number) =>
      syntheticEvent(seq, seq % 3 === 0 ? { type: 'ToolUseBlock', payload: { tool_name: 'Write' } } : {});
    const fresh = () => events.rows.filter((event) => predicate.value(event)).map((event) => event.seq);
    const shown = () => visible.value.map((event) => event.seq);

    events.apply({ type: 'local.events.latest', page: { events: [], nextSeq: 0, more: true } });
    const array = visible.value;
    for (let seq = 101; seq <= 200; seq += 1) events.apply(appended(make(seq)));
    expect(shown()).toEqual(fresh());
    expect(visible.value).toBe(array); // kept in place: no rebuild per event
    events.apply({
      type: 'local.events.older',
      page: { events: Array.from({ length: 20 }, (_, i) => make(140 + i)), nextSeq: 0, more: true },
    });
    expect(shown()).toEqual(fresh());
    const target = events.rows.find((event) => event.type === 'ToolUseBlock')!;
    events.apply(
      appended(
        syntheticEvent(500, {
          category: 'summary',
          type: 'SummaryUpdated',
          payload: { event_id: target.id, summary: 'wrote it' },
        }),
      ),
    );
    expect(visible.value.find((event) => event.id === target.id)?.summary).toBe('wrote it');

    const matcher = textMatcher('event 1[5-6]');
    predicate.value = (event) => matcher.test(event.summary ?? '');
    await nextTick();
    expect(shown()).toEqual(fresh());
    expect(shown().length).toBeGreaterThan(0);
    scope.stop();
  });

  it('search: a regular expression when it is one, else the plain text', () => {
    expect(textMatcher('wr.te').test('Write hello.md')).toBe(true);
    expect(textMatcher('fix(').mode).toBe('text');
    expect(textMatcher('fix(').test('please fix(it)')).toBe(true);
    expect(textMatcher('fix(').test('please fix it')).toBe(false);
    expect(textMatcher('  ').mode).toBe('all');
  });
});
