import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentListing } from '../src/api/schemas.ts';
import { ApiError } from '../src/api/http.ts';
import { displayStatus } from '../src/lib/agent-status.ts';
import { shownError } from '../src/lib/api-error.ts';
import { formatDuration, runDuration } from '../src/lib/run-view.ts';
import { streamPredicate } from '../src/lib/stream-filter.ts';
import { truncateText } from '../src/lib/truncate.ts';
import { viewCategories } from '../src/lib/event-view.ts';
import { useAgentsStore } from '../src/stores/agents.ts';
import { useLiveStore } from '../src/stores/live.ts';
import { appended, syntheticEvent } from './replay.ts';

const uuid = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
const listing = (n: number, overrides: Partial<AgentListing> = {}): AgentListing => ({
  id: uuid(n),
  name: `agent-${String(n).padStart(5, '0')}`,
  model: 'claude-sonnet-5-5',
  status: 'idle',
  kind: 'command',
  ...overrides,
});

describe('the agents column and detail view: store logic', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('keeps thousands of cards in name order, sorting when agents come or go, not on every event', () => {
    const live = useLiveStore();
    const agents = useAgentsStore();
    const count = 3_000;
    // Listed most recently active first, as the server does: the column still reads by name.
    const listings = Array.from({ length: count }, (_, n) => listing(count - n));
    live.apply({ type: 'local.snapshot', agents: listings, adws: [] });
    expect(agents.order).toHaveLength(count);
    expect(agents.order[0]).toBe(uuid(1));
    expect(agents.order.at(-1)).toBe(uuid(count));

    const orderBefore = agents.order;
    for (let seq = 1; seq <= 200; seq += 1)
      live.apply(appended(syntheticEvent(seq, { agentId: uuid(1 + (seq % count)), type: 'ToolUseBlock' })));
    expect(agents.order).toBe(orderBefore); // the same array: no re-sort, no copy per event
    expect(agents.byId.get(uuid(2))!.pulses).toBeGreaterThan(0);

    // A new agent takes its place by name; a deleted one leaves it; counts follow.
    live.apply({ type: 'local.agent.loaded', agent: listing(0, { name: 'aaa-first' }) });
    expect(agents.order[0]).toBe(uuid(0));
    live.apply(appended(syntheticEvent(201, { agentId: uuid(5), type: 'AgentDeleted', category: 'system' })));
    expect(agents.order).not.toContain(uuid(5));
    expect(agents.byId.has(uuid(5))).toBe(false);
    expect(agents.order).toHaveLength(count);
    expect(agents.activeCount).toBe(count);
    live.apply({ type: 'local.agent.loaded', agent: listing(7, { archived: true }) });
    expect(agents.order).not.toContain(uuid(7));
    expect(agents.list.map((agent) => agent.id)).toEqual(agents.order);
  });

  it('the model’s summary replaces the latest one on the card when it names the card’s latest event', () => {
    const live = useLiveStore();
    const agents = useAgentsStore();
    live.apply({ type: 'local.snapshot', agents: [listing(1)], adws: [] });
    const tool = syntheticEvent(1, {
      agentId: uuid(1),
      type: 'ToolUseBlock',
      summary: 'Write hello.md (3 lines)',
    });
    live.apply(appended(tool));
    expect(agents.byId.get(uuid(1))!.latestSummary).toBe('Write hello.md (3 lines)');
    const summary = (seq: number, eventId: string, text: string) =>
      syntheticEvent(seq, {
        agentId: uuid(1),
        type: 'SummaryUpdated',
        category: 'summary',
        summary: text,
        payload: { event_id: eventId, summary: text },
      });
    live.apply(appended(summary(2, uuid(12345), 'about another event')));
    expect(agents.byId.get(uuid(1))!.latestSummary).toBe('Write hello.md (3 lines)');
    live.apply(appended(summary(3, tool.id, 'Wrote the greeting file')));
    expect(agents.byId.get(uuid(1))!.latestSummary).toBe('Wrote the greeting file');
  });

  it('a card says queued while commands wait, executing or waiting while one runs, blocked with its reason', () => {
    expect(displayStatus({ status: 'idle' })).toBe('idle');
    expect(displayStatus({ status: 'idle', queued_commands: 2 })).toBe('queued');
    expect(displayStatus({ status: 'executing', queued_commands: 2 })).toBe('executing');
    expect(displayStatus({ status: 'waiting', queued_commands: 1 })).toBe('waiting');
    expect(displayStatus({ status: 'blocked', blocked_reason: 'out of budget' })).toBe('blocked');
    expect(displayStatus({ status: 'idle', blocked_reason: 'the command failed' })).toBe('blocked');
    expect(displayStatus({ status: 'blocked', queued_commands: 1 })).toBe('queued');
  });

  it('a huge text is cut to its preview, at a line end when one is near, and says how much is left', () => {
    expect(truncateText('short', 100)).toEqual({ shown: 'short', hidden: 0 });
    const lines = Array.from({ length: 1_000 }, (_, n) => `line ${n}`).join('\n');
    const cut = truncateText(lines, 100);
    expect(cut.shown.length).toBeLessThanOrEqual(100);
    expect(cut.shown.endsWith('\n')).toBe(false);
    expect(lines.startsWith(cut.shown)).toBe(true);
    expect(lines[cut.shown.length]).toBe('\n'); // cut at a line end
    expect(cut.shown.length + cut.hidden).toBe(lines.length);
    const oneLine = 'x'.repeat(10_000);
    expect(truncateText(oneLine, 4_000)).toEqual({ shown: 'x'.repeat(4_000), hidden: 6_000 });
  });

  it('an API failure is shown with what to do: the field to change, the server to check, the URL to open', () => {
    const refused = shownError(
      new ApiError(400, 'tool_error', 'Too big: expected string to have <=100000 characters', 'body.command'),
      'sending the command',
    );
    expect(refused).toEqual({
      message: 'Too big: expected string to have <=100000 characters',
      field: 'body.command',
      todo: 'Change command and try again.',
    });
    expect(shownError(new ApiError(0, 'offline', 'no answer'), 'the interrupt').todo).toContain('baton up');
    expect(shownError(new ApiError(401, 'unauthorized', 'no'), 'x').todo).toContain('URL `baton up` printed');
    expect(shownError(new ApiError(404, 'not_found', 'No agent x.'), 'x').todo).toContain('deleted');
    expect(shownError(new ApiError(500, 'internal', 'boom'), 'deleting the agent').todo).toContain(
      'deleting the agent again',
    );
    expect(shownError(new Error('odd'), 'x').message).toBe('odd');
  });

  it('a run reads its duration, counting up while it runs', () => {
    const started = '2026-01-01T00:00:00.000Z';
    expect(runDuration({ duration_ms: 1_234, started_at: started, ended_at: null }, 0)).toBe(1_234);
    const running = { duration_ms: null, started_at: started, ended_at: null };
    expect(runDuration(running, Date.parse(started) + 65_000)).toBe(65_000);
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(65_000)).toBe('1 m 05 s');
    expect(formatDuration(null)).toBe('—');
  });

  it('the stream filters by ADW along with category, agent chips and search', () => {
    const adw = uuid(900);
    const rows = [
      syntheticEvent(1, { adwId: adw, agentId: uuid(1), summary: 'plan step' }),
      syntheticEvent(2, { adwId: uuid(901), agentId: uuid(2), summary: 'other adw' }),
      syntheticEvent(3, { agentId: uuid(1), summary: 'no adw' }),
      syntheticEvent(4, { adwId: adw, type: 'ThinkingBlock', summary: 'thought' }),
    ];
    const pass = (filters: Partial<Parameters<typeof streamPredicate>[0]>) =>
      rows
        .filter(
          streamPredicate(
            { categories: new Set(viewCategories), agents: new Set(), search: '', ...filters },
            () => undefined,
          ),
        )
        .map((event) => event.seq);
    expect(pass({})).toEqual([1, 2, 3, 4]);
    expect(pass({ adw })).toEqual([1, 4]);
    expect(pass({ adw, categories: new Set(['response'] as const) })).toEqual([1]);
    expect(pass({ adw, agents: new Set([uuid(1)]) })).toEqual([1]);
    expect(pass({ adw, search: 'thou' })).toEqual([4]);
  });
});
