import { readFileSync } from 'node:fs';
import type { ServerMessage, WireEvent } from '@protocol';
import type { AgentListing } from '../src/api/schemas.ts';

/**
 * A recorded session: the frames a real server sent on `all` while an agent was created and commanded
 * (it wrote a file with the fake model; real Claude Code), and the agent listing at the end. Recorded
 * from a run like test/web-ui.test.ts's with a WebSocket client subscribed from seq 0.
 */
export interface Recording {
  agents: AgentListing[];
  frames: ServerMessage[];
}

export function loadRecording(name: string): Recording {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8')) as Recording;
}

export const frameText = (message: unknown) => JSON.stringify(message);

export function eventsOf(frames: readonly ServerMessage[]): WireEvent[] {
  return frames.flatMap((frame) => (frame.type === 'event.appended' ? [frame.event] : []));
}

let made = 0;
/** A synthetic event (for window tests that need thousands). */
export function syntheticEvent(seq: number, overrides: Partial<WireEvent> = {}): WireEvent {
  made += 1;
  return {
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    category: 'response',
    type: 'TextBlock',
    payload: { text: `event ${seq}`, n: made },
    summary: `event ${seq}`,
    occurredAt: new Date(1_700_000_000_000 + seq).toISOString(),
    recordedAt: new Date(1_700_000_000_000 + seq).toISOString(),
    ...overrides,
  };
}

export const appended = (event: WireEvent): ServerMessage => ({
  type: 'event.appended',
  topic: 'all',
  event,
});
