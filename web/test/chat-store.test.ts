import { readFileSync } from 'node:fs';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@protocol';
import { chatItemSchema, orchestratorStateSchema, type ChatItem } from '../src/api/chat-schemas.ts';
import { useChatStore } from '../src/stores/chat.ts';
import { useLiveStore } from '../src/stores/live.ts';
import { frameText } from './replay.ts';

/**
 * A recorded session (test/web-chat.test.ts's page, saved as test-results/web-ui/chat-frames.json): the
 * orchestrator's state as GET /api/orchestrator gave it, then every chat frame, token fragment and
 * orchestrator run end the socket sent while a person created an agent from the chat, asked for a long
 * story (the model stalled mid-reply), sent a second message meanwhile, and interrupted.
 */
const recording = JSON.parse(readFileSync(new URL('fixtures/chat-turns.json', import.meta.url), 'utf8')) as {
  orchestrator: unknown;
  frames: ServerMessage[];
};
const state = orchestratorStateSchema.parse(recording.orchestrator);

function loadState(): void {
  useLiveStore().apply({ type: 'local.chat.state', orchestrator: state.orchestrator, queued: state.queued });
}

const itemsOf = (frames: readonly ServerMessage[]) =>
  frames.flatMap((frame) => (frame.type === 'chat.appended' ? [chatItemSchema.parse(frame.item)] : []));
const view = (items: readonly ChatItem[]) =>
  items.map((item) => [item.sender_type, item.kind, item.status, item.message]);

describe('the chat store, replayed from a recorded session', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('ends with every item once in position order, each message in its last status, nothing streaming', () => {
    const live = useLiveStore();
    const chat = useChatStore();
    loadState();
    for (const frame of recording.frames) live.receive(frameText(frame));
    expect(view(chat.items)).toEqual([
      ['user', 'text', 'done', 'Please create an agent named bob'],
      ['orchestrator', 'tool_use', 'done', 'mcp__baton__create_agent'],
      ['orchestrator', 'text', 'done', expect.stringContaining('Created **bob**')],
      ['user', 'text', 'interrupted', 'Please tell a long story'],
      ['user', 'text', 'done', 'And now say done'],
      ['orchestrator', 'text', 'done', expect.stringMatching(/^Once upon a time/)],
      ['orchestrator', 'text', 'done', 'Done, as asked.'],
    ]);
    expect(chat.items.find((item) => item.kind === 'tool_use')!.metadata.input).toEqual({
      name: 'bob',
      template: 'builder',
    });
    expect(chat.streaming).toEqual([]);
    expect(chat.busy).toBe(false);
    expect(chat.queued).toEqual([]);
    expect(chat.ignored).toBe(0);
    expect(live.ignoredCount).toBe(0);
  });

  it('shows the long reply streaming and the second message queued while the turn runs, until the interrupt', () => {
    const live = useLiveStore();
    const chat = useChatStore();
    loadState();
    const seen: { streamed: string; busy: boolean; queued: string[] }[] = [];
    for (const frame of recording.frames) {
      live.receive(frameText(frame));
      seen.push({
        streamed: chat.streaming.map((bubble) => bubble.text).join('|'),
        busy: chat.busy,
        queued: chat.queued.map((item) => item.message),
      });
    }
    const whileStalled = seen.find((moment) => moment.queued.includes('And now say done'))!;
    expect(whileStalled.busy).toBe(true);
    expect(whileStalled.streamed).toMatch(/^Once upon a time/);
    // Every fragment shown was a prefix of what the orchestrator then stored: no reply is shown twice.
    const replies = itemsOf(recording.frames).filter((item) => item.sender_type === 'orchestrator');
    for (const moment of seen)
      for (const text of moment.streamed.split('|').filter(Boolean))
        expect(replies.some((item) => item.message.startsWith(text) || text.startsWith('{'))).toBe(true);
    // Fragments that arrived after their item (they travel apart) never made a second bubble.
    const afterItem = recording.frames.findIndex(
      (frame, index) =>
        frame.type === 'event.delta' &&
        recording.frames
          .slice(0, index)
          .some((earlier) => earlier.type === 'chat.appended' && earlier.item.message === 'Done, as asked.'),
    );
    expect(afterItem).toBeGreaterThan(-1); // the recording has such a case
    expect(seen[afterItem]!.streamed).toBe('');
  });

  it('is idempotent by item id, and an older copy of an item (a stale page) does not take its status back', () => {
    const live = useLiveStore();
    const chat = useChatStore();
    loadState();
    for (const frame of recording.frames) live.receive(frameText(frame));
    const settled = view(chat.items);
    for (const frame of recording.frames) live.receive(frameText(frame));
    expect(view(chat.items)).toEqual(settled);
    const firstCopies = itemsOf(recording.frames).filter(
      (item, index, all) => all.findIndex((other) => other.id === item.id) === index,
    );
    live.apply({ type: 'local.chat.page', items: firstCopies, more: false, older: false });
    expect(view(chat.items)).toEqual(settled);
  });

  it('pages older history in before what is shown, in position order; hasOlder follows the server', () => {
    const live = useLiveStore();
    const chat = useChatStore();
    const items = [...new Map(itemsOf(recording.frames).map((item) => [item.id, item])).values()].sort(
      (a, b) => Number(a.position) - Number(b.position),
    );
    live.apply({ type: 'local.chat.page', items: items.slice(4), more: true, older: false });
    expect(chat.hasOlder).toBe(true);
    expect(chat.oldestPosition).toBe(items[4]!.position);
    live.apply({ type: 'local.chat.page', items: items.slice(0, 4), more: false, older: true });
    expect(chat.items.map((item) => item.id)).toEqual(items.map((item) => item.id));
    expect(chat.hasOlder).toBe(false);
  });

  it('ignores fragments of other agents and counts chat items in a shape it cannot read', () => {
    const live = useLiveStore();
    const chat = useChatStore();
    loadState();
    live.receive(
      frameText({
        type: 'event.delta',
        topic: 'all',
        delta: { agentId: '00000000-0000-4000-8000-000000000001', index: 0, kind: 'text', text: 'not mine' },
      }),
    );
    expect(chat.streaming).toEqual([]);
    live.receive(frameText({ type: 'chat.appended', topic: 'all', item: { id: 'x', message: 1 } }));
    expect(chat.ignored).toBe(1);
    expect(chat.items).toEqual([]);
  });

  it('a server without an orchestrator makes the chat say so', () => {
    const live = useLiveStore();
    const chat = useChatStore();
    live.apply({ type: 'local.chat.unavailable', reason: 'This server runs no orchestrator' });
    expect(chat.available).toBe(false);
    expect(chat.unavailableReason).toMatch(/no orchestrator/);
  });
});
