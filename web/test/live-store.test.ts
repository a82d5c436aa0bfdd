import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAgentsStore } from '../src/stores/agents.ts';
import { useEventsStore } from '../src/stores/events.ts';
import { useLiveStore } from '../src/stores/live.ts';
import { appended, eventsOf, frameText, loadRecording, syntheticEvent } from './replay.ts';

const recording = loadRecording('agent-command');
const recordedEvents = eventsOf(recording.frames);
const seqsOf = (rows: readonly { seq: number }[]) => rows.map((row) => row.seq);
const alice = recording.agents.find((agent) => agent.name === 'alice')!;

describe('the live store: one apply path, replayed from a recorded session', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('replaying the session leaves every event once in seq order, the cursor at the last, and the agent card current', () => {
    const live = useLiveStore();
    const events = useEventsStore();
    const agents = useAgentsStore();
    live.apply({ type: 'local.connection', state: 'connecting' });
    expect(live.connection).toBe('connecting');
    // As the page loads: the listing (alice as created), then the frames.
    live.apply({ type: 'local.snapshot', agents: [{ ...alice, status: 'idle' }], adws: [] });
    live.apply({ type: 'local.events.latest', page: { events: [], nextSeq: 0, more: false } });
    const statuses: string[] = [];
    for (const frame of recording.frames) {
      live.receive(frameText(frame));
      const status = agents.byId.get(alice.id)?.status;
      if (status && statuses.at(-1) !== status) statuses.push(status);
    }
    expect(seqsOf(events.rows)).toEqual(seqsOf(recordedEvents));
    expect(live.cursor).toBe(recordedEvents.at(-1)!.seq);
    expect(live.connection).toBe('live');
    expect(statuses).toEqual(['idle', 'executing', 'idle']);
    const card = agents.byId.get(alice.id)!;
    expect(card.latestSummary).toBe(recordedEvents.at(-1)!.summary);
    expect(card.pulses).toBeGreaterThan(0);
    expect(live.ignoredCount).toBe(0);
  });

  it('is idempotent by event id: the same frames again change nothing and are counted as duplicates', () => {
    const live = useLiveStore();
    const events = useEventsStore();
    for (const frame of recording.frames) live.receive(frameText(frame));
    const rows = [...events.rows];
    for (const frame of recording.frames) live.receive(frameText(frame));
    expect(events.rows).toEqual(rows);
    expect(events.duplicates).toBe(recordedEvents.length);
  });

  it('a disconnect in the middle: offline, then resyncing from the cursor, then live, with no gap and no duplicate', () => {
    const live = useLiveStore();
    const events = useEventsStore();
    const opened = recording.frames.findIndex((frame) => frame.type === 'connection.opened');
    const cut = recording.frames.findIndex(
      (frame) => frame.type === 'event.appended' && frame.event.type === 'ToolUseBlock',
    );
    for (const frame of recording.frames.slice(0, cut)) live.receive(frameText(frame));
    expect(live.connection).toBe('live');
    const cursor = live.cursor!;
    live.apply({ type: 'local.connection', state: 'closed' });
    expect(live.connection).toBe('offline');

    // The server comes back: it says where the ledger is, the page subscribes from its cursor, and the
    // backfill arrives (the server may overlap what the page had: the window keeps one of each).
    live.receive(
      frameText({ type: 'connection.opened', latestSeq: recordedEvents.at(-1)!.seq, heartbeatMs: 15000 }),
    );
    expect(live.connection).toBe('resyncing');
    live.receive(frameText({ type: 'subscription.started', topic: 'all', fromSeq: cursor }));
    expect(live.connection).toBe('resyncing');
    const rest = recording.frames.slice(cut).filter((frame) => frame.type === 'event.appended');
    const overlap = recording.frames
      .slice(opened, cut)
      .filter((frame) => frame.type === 'event.appended')
      .slice(-2);
    for (const frame of [...overlap, ...rest]) live.receive(frameText(frame));
    expect(live.connection).toBe('live');
    expect(seqsOf(events.rows)).toEqual(seqsOf(recordedEvents));
    expect(new Set(events.rows.map((row) => row.id)).size).toBe(events.rows.length);
    expect(events.duplicates).toBe(overlap.length);
  });

  it('a server resync instruction: resyncing until subscribed again and caught up', () => {
    const live = useLiveStore();
    for (const frame of recording.frames) live.receive(frameText(frame));
    live.receive(frameText({ type: 'resync', topic: 'all', fromSeq: live.cursor, reason: 'slow' }));
    expect(live.connection).toBe('resyncing');
    live.receive(frameText({ type: 'subscription.started', topic: 'all', fromSeq: live.cursor }));
    expect(live.connection).toBe('live');
  });

  it('an unknown message type, a known one in a wrong shape, and a frame that is not JSON are counted and ignored', () => {
    const live = useLiveStore();
    const events = useEventsStore();
    for (const frame of recording.frames) live.receive(frameText(frame));
    const before = seqsOf(events.rows);
    expect(live.receive(frameText({ type: 'agent.teleported', agentId: alice.id }))).toBeUndefined();
    expect(
      live.receive(frameText({ type: 'event.appended', topic: 'all', event: { seq: 'nope' } })),
    ).toBeUndefined();
    expect(live.receive('{not json')).toBeUndefined();
    expect(live.receive(frameText(['an', 'array']))).toBeUndefined();
    expect(live.ignored).toEqual({ unknownType: 2, badShape: 1, notJson: 1 });
    expect(seqsOf(events.rows)).toEqual(before);
    expect(live.connection).toBe('live');
  });

  it('a later summary replaces the one of the event it names', () => {
    const live = useLiveStore();
    const events = useEventsStore();
    for (const frame of recording.frames) live.receive(frameText(frame));
    const text = recordedEvents.find((event) => event.type === 'TextBlock')!;
    const update = syntheticEvent(recordedEvents.at(-1)!.seq + 1, {
      category: 'summary',
      type: 'SummaryUpdated',
      agentId: text.agentId,
      payload: { event_id: text.id, summary: 'Alice reports the file written', model: 'haiku' },
      summary: 'Alice reports the file written',
    });
    live.apply(appended(update));
    expect(events.get(text.id)?.summary).toBe('Alice reports the file written');
    expect(events.rows.find((row) => row.id === text.id)?.summary).toBe('Alice reports the file written');
  });

  it('the first load subscribes from the newest page: its last seq is the cursor', () => {
    const live = useLiveStore();
    const page = { events: recordedEvents.slice(0, 5), nextSeq: recordedEvents[4]!.seq, more: true };
    live.apply({ type: 'local.events.latest', page });
    expect(live.cursor).toBe(recordedEvents[4]!.seq);
    expect(useEventsStore().hasOlder).toBe(true);
    // A later newest page (jumping back to the live end) does not move the subscription's cursor.
    live.apply({
      type: 'local.events.latest',
      page: { events: recordedEvents.slice(0, 8), nextSeq: 0, more: true },
    });
    expect(live.cursor).toBe(recordedEvents[4]!.seq);
  });
});

describe('the event window: bounded, appended in place, paged back and forward', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('keeps at most its capacity (plus a tenth before it trims), the newest, in the same array', () => {
    const events = useEventsStore();
    events.capacity = 100;
    const array = events.rows;
    for (let seq = 1; seq <= 1000; seq += 1) events.apply(appended(syntheticEvent(seq)));
    expect(events.rows).toBe(array); // mutated in place, never copied per event
    expect(events.rows.length).toBeGreaterThanOrEqual(100);
    expect(events.rows.length).toBeLessThanOrEqual(110);
    expect(events.rows.at(-1)!.seq).toBe(1000);
    expect(seqsOf(events.rows)).toEqual([...seqsOf(events.rows)].sort((a, b) => a - b));
    expect(events.hasOlder).toBe(true);
    // What left the window left its index too: it can come back from a page.
    expect(events.get(syntheticEvent(1).id)).toBeUndefined();
  });

  it('older pages go in front; past capacity the newest go and live events wait for a jump to the latest', () => {
    const events = useEventsStore();
    events.capacity = 50;
    events.apply({
      type: 'local.events.latest',
      page: {
        events: Array.from({ length: 40 }, (_, i) => syntheticEvent(161 + i)),
        nextSeq: 200,
        more: true,
      },
    });
    events.apply({
      type: 'local.events.older',
      page: {
        events: Array.from({ length: 40 }, (_, i) => syntheticEvent(121 + i)),
        nextSeq: 160,
        more: true,
      },
    });
    expect(events.rows.length).toBe(50);
    expect(events.rows[0]!.seq).toBe(121);
    expect(events.rows.at(-1)!.seq).toBe(170);
    expect(events.hasNewer).toBe(true);
    expect(events.readingOlder).toBe(true);
    // Live events meanwhile do not push the rows being read away.
    events.apply(appended(syntheticEvent(201)));
    expect(events.rows[0]!.seq).toBe(121);
    expect(events.rows.some((row) => row.seq === 201)).toBe(false);

    // Back down: the newest page is fetched; what arrives live meanwhile is kept for after it.
    events.awaitLatest();
    events.apply(appended(syntheticEvent(202)));
    events.apply({
      type: 'local.events.latest',
      page: {
        events: Array.from({ length: 41 }, (_, i) => syntheticEvent(161 + i)),
        nextSeq: 201,
        more: true,
      },
    });
    expect(events.rows.at(-1)!.seq).toBe(202);
    expect(seqsOf(events.rows)).toEqual(Array.from({ length: 42 }, (_, i) => 161 + i));
    expect(events.hasNewer).toBe(false);
    events.apply(appended(syntheticEvent(203)));
    expect(events.rows.at(-1)!.seq).toBe(203);
  });
});
