import { serverMessageSchema, type ServerMessage } from '@protocol';
import type { WireEvent } from '@protocol';
import type { AdwDetail, AdwStep } from '../api/adw-schemas.ts';
import type { ChatItem, OrchestratorState } from '../api/chat-schemas.ts';
import type { ExpertListing } from '../api/expert-schemas.ts';
import type { ShownError } from '../lib/api-error.ts';
import type { AdwListing, AgentListing, CostReport, EventPage } from '../api/schemas.ts';
import type { ChatCatalog } from './chat.ts';

/**
 * What the stores apply: every server message, plus the UI's own news (an answer the REST API gave,
 * the socket's state). Everything that changes live state goes through `apply` with one of these.
 */
export type LocalMessage =
  | { type: 'local.connection'; state: 'connecting' | 'open' | 'closed' }
  /** Agents and ADWs as the server lists them now: after every (re)connect. */
  | { type: 'local.snapshot'; agents: AgentListing[]; adws: AdwListing[] }
  /** The newest page of events: the window starts again from it. */
  | { type: 'local.events.latest'; page: EventPage }
  /** A page of events older than the window's oldest (scrolling up). */
  | { type: 'local.events.older'; page: EventPage }
  | { type: 'local.agent.loaded'; agent: AgentListing }
  | { type: 'local.cost.loaded'; cost: CostReport }
  | { type: 'local.adws.loaded'; adws: AdwListing[] }
  /** One ADW's row, steps and newest events (the swimlanes load it; `more`: older events not loaded). */
  | { type: 'local.adw.loaded'; adw: AdwDetail; steps: AdwStep[]; events: WireEvent[]; more: boolean }
  /** An ADW the person started, cancelled or resumed, as the API answered. */
  | { type: 'local.adw.changed'; adw: AdwDetail }
  /** The experts as GET /api/experts lists them: on load and after runs end. */
  | { type: 'local.experts.loaded'; experts: ExpertListing[] }
  /** Listing the experts failed: the experts section shows it with what to do. */
  | { type: 'local.experts.failed'; error: ShownError }
  /** A REST call failed: shown in place with what to do. */
  | { type: 'local.failed'; what: string; message: string }
  | ChatLocalMessage;

/** The chat's REST answers (see stores/chat.ts and live/chat-sync.ts). */
export type ChatLocalMessage =
  | { type: 'local.chat.state'; orchestrator: OrchestratorState; queued: ChatItem[] }
  /** The server runs no orchestrator (or could not say): the chat says why. */
  | { type: 'local.chat.unavailable'; reason: string }
  /** A page of history: the latest (`older` false) or the one before the oldest shown. */
  | { type: 'local.chat.page'; items: ChatItem[]; more: boolean; older: boolean }
  | { type: 'local.chat.sent'; item: ChatItem }
  | { type: 'local.chat.catalog'; catalog: ChatCatalog };

export type StoreMessage = ServerMessage | LocalMessage;

export type ParsedFrame =
  | { ok: true; message: ServerMessage }
  | { ok: false; reason: 'not_json' | 'unknown_type' | 'bad_shape'; type?: string };

const knownTypes = new Set<string>(serverMessageSchema.options.map((option) => option.shape.type.value));

/**
 * A frame from the socket: JSON of a known type with the shape src/protocol gives it. A type this UI
 * does not know (a newer server) is reported as such, so it can be counted and ignored.
 */
export function parseServerFrame(data: string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !knownTypes.has(type))
    return { ok: false, reason: 'unknown_type', type: typeof type === 'string' ? type : undefined };
  const parsed = serverMessageSchema.safeParse(json);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, reason: 'bad_shape', type };
}
