import { readFileSync } from 'node:fs';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessage, WireEvent } from '@protocol';
import type { AdwDetail, AdwStep } from '../src/api/adw-schemas.ts';
import { buildLanes } from '../src/lib/adw-lanes.ts';
import { useAdwsStore } from '../src/stores/adws.ts';
import { useLiveStore } from '../src/stores/live.ts';
import { eventsOf, frameText } from './replay.ts';

/**
 * A recorded session: every frame a real server sent on `all` (subscribed from seq 0) while a real
 * ADW ran plan_build_review_fix with two fix rounds against the scripted model (review FAIL twice, so
 * the loop ran `review #2` and `fix #2`), and the ADW's detail (row and step runs) at the end. Kept
 * small: long payload strings are cut and only the first token fragments (`event.delta`) are kept.
 */
interface AdwRecording {
  detail: { adw: AdwDetail; steps: AdwStep[] };
  frames: ServerMessage[];
}
const recording = JSON.parse(
  readFileSync(new URL('fixtures/adw-fix-loop.json', import.meta.url), 'utf8'),
) as AdwRecording;
const { adw, steps } = recording.detail;
const adwEvents = eventsOf(recording.frames).filter((event) => event.adwId === adw.id);
const ids = (events: readonly WireEvent[]) => events.map((event) => event.id);

/** Where each event belongs, from the recording itself: its step's position (by the step's agent or index). */
function expectedLane(event: WireEvent): string {
  if (typeof event.payload.index === 'number' && event.category === 'adw_step')
    return `step-${event.payload.index}`;
  const step = steps.find((row) => row.agent_id !== null && row.agent_id === event.agentId);
  return step ? `step-${step.position}` : 'workflow';
}

function laneMap(lanes: { key: string; events: WireEvent[] }[]): Record<string, string[]> {
  return Object.fromEntries(lanes.map((lane) => [lane.key, ids(lane.events)]));
}

const expectedLanes = (() => {
  const map: Record<string, string[]> = {};
  for (const event of adwEvents) (map[expectedLane(event)] ??= []).push(event.id);
  return map;
})();

describe('the adws store: swimlanes from a recorded ADW, through the one apply path', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('replayed live, frame by frame, it fills a lane per step run in order, loop passes labelled, with the FAIL verdict', () => {
    const live = useLiveStore();
    const adws = useAdwsStore();
    live.apply({ type: 'local.snapshot', agents: [], adws: [] });
    const labelsSeen: string[][] = [[]];
    for (const frame of recording.frames) {
      live.receive(frameText(frame));
      const labels = adws.lanesOf(adw.id).lanes.map((lane) => lane.label);
      if (labelsSeen.at(-1)?.join() !== labels.join()) labelsSeen.push(labels);
    }
    // Lanes appeared one step at a time, as each started.
    expect(labelsSeen.slice(1).map((labels) => labels.at(-1))).toEqual([
      'Workflow',
      'plan',
      'build',
      'review',
      'fix',
      'review #2',
      'fix #2',
    ]);
    const { lanes, verdict } = adws.lanesOf(adw.id);
    expect(laneMap(lanes)).toEqual(expectedLanes);
    expect(lanes.filter((lane) => lane.step).map((lane) => lane.step!.status)).toEqual(
      steps.map((row) => row.status),
    );
    expect(lanes.find((lane) => lane.label === 'review #2')!.step).toMatchObject({
      verdict: 'FAIL',
      tiers: { BLOCKER: 1, HIGH: 0, MEDIUM: 0, LOW: 0 },
      artifactPath: steps[4]!.artifact_path,
    });
    expect(verdict).toEqual({
      verdict: 'FAIL',
      tiers: { BLOCKER: 1, HIGH: 0, MEDIUM: 0, LOW: 0 },
      step: 'review #2',
    });
    // The card's summary followed adw.updated.
    expect(adws.byId.get(adw.id)).toMatchObject({ status: 'succeeded', completed_steps: 6, total_steps: 6 });
    expect(live.ignoredCount).toBe(0);
  });

  it('the step rows and the events alone put every event in the same lane', () => {
    const withRows = buildLanes(steps, adwEvents);
    const eventsOnly = buildLanes([], adwEvents);
    expect(laneMap(withRows.lanes)).toEqual(laneMap(eventsOnly.lanes));
    expect(withRows.lanes.map((lane) => lane.label)).toEqual(eventsOnly.lanes.map((lane) => lane.label));
    // Before any event, the rows alone give a waiting lane per step.
    const before = buildLanes(
      steps.map((row) => ({ ...row, status: 'pending', started_at: null, agent_id: null, output: {} })),
      [],
    );
    expect(before.lanes.map((lane) => [lane.label, lane.step!.status, lane.events.length])).toEqual(
      steps.map((row) => [row.iteration > 1 ? `${row.name} #${row.iteration}` : row.name, 'pending', 0]),
    );
    expect(before.verdict).toBeUndefined();
  });

  it('a pause puts the running step back to pending (the engine says so only with AdwPaused), resume starts it again', () => {
    const plan = adwEvents.filter((event) => event.adwStep === 'plan' || event.type === 'AdwStarted');
    const started = plan.findIndex((event) => event.type === 'StepStart');
    const midway = plan.slice(0, started + 4);
    const last = midway.at(-1)!;
    const paused: WireEvent = {
      ...last,
      seq: last.seq + 1,
      id: '00000000-0000-4000-8000-00000000aaaa',
      category: 'system',
      type: 'AdwPaused',
      payload: { reason: 'The run reached its cost budget (--max-cost).' },
      agentId: undefined,
      adwStep: undefined,
    };
    const lanes = (events: WireEvent[]) =>
      buildLanes([], events).lanes.find((lane) => lane.label === 'plan')!;
    expect(lanes(midway).step!.status).toBe('running');
    expect(lanes([...midway, paused]).step!.status).toBe('pending');
    const restart = { ...plan[started]!, seq: paused.seq + 1, id: '00000000-0000-4000-8000-00000000aaab' };
    expect(lanes([...midway, paused, restart]).step!.status).toBe('running');
  });

  it('a stored page that overlaps the live feed leaves each event once, in seq order', () => {
    const live = useLiveStore();
    const adws = useAdwsStore();
    const half = Math.floor(recording.frames.length / 2);
    for (const frame of recording.frames.slice(0, half)) live.receive(frameText(frame));
    const liveSoFar = adws.timeline(adw.id).events.length;
    expect(liveSoFar).toBeGreaterThan(0);
    expect(adws.timeline(adw.id).loaded).toBe(false);
    // The card loads the ADW: its row, steps and every stored event (those already held among them).
    live.apply({ type: 'local.adw.loaded', adw, steps, events: adwEvents, more: false });
    for (const frame of recording.frames.slice(half)) live.receive(frameText(frame));
    const held = adws.timeline(adw.id);
    expect(held.loaded).toBe(true);
    expect(ids(held.events)).toEqual(ids(adwEvents));
    expect(adws.duplicates()).toBe(adwEvents.length);
    expect(laneMap(adws.lanesOf(adw.id).lanes)).toEqual(expectedLanes);
    expect(adws.details.get(adw.id)).toMatchObject({ name: 'farewell', status: 'succeeded' });
  });

  it('holds at most its limit of events per ADW, the newest, and says older ones exist', () => {
    const live = useLiveStore();
    const adws = useAdwsStore();
    adws.limit.events = 40;
    for (const frame of recording.frames) live.receive(frameText(frame));
    const held = adws.timeline(adw.id);
    expect(held.events.length).toBeLessThanOrEqual(40);
    expect(ids(held.events)).toEqual(ids(adwEvents.slice(-held.events.length)));
    expect(held.more).toBe(true);
  });

  it('a later model summary replaces the square’s summary; events of no ADW stay out', () => {
    const live = useLiveStore();
    const adws = useAdwsStore();
    for (const frame of recording.frames) live.receive(frameText(frame));
    const text = adwEvents.find((event) => event.type === 'TextBlock')!;
    const last = adwEvents.at(-1)!;
    live.apply({
      type: 'event.appended',
      topic: 'all',
      event: {
        ...last,
        seq: last.seq + 1,
        id: '00000000-0000-4000-8000-00000000abcd',
        category: 'summary',
        type: 'SummaryUpdated',
        payload: { event_id: text.id, summary: 'The spec is written.' },
      },
    });
    const found = adws
      .lanesOf(adw.id)
      .lanes.flatMap((lane) => lane.events)
      .find((e) => e.id === text.id);
    expect(found?.summary).toBe('The spec is written.');
    const { adwId: _adw, adwStep: _step, ...noAdw } = last;
    live.apply({
      type: 'event.appended',
      topic: 'all',
      event: { ...noAdw, seq: last.seq + 2, id: '00000000-0000-4000-8000-00000000abce' },
    });
    expect(adws.timelines.size).toBe(1);
    expect(adws.timeline(adw.id).events.length).toBe(adwEvents.length);
  });
});
