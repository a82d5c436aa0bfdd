import { z } from 'zod';
import { autocompleteStateSchema } from './rest.ts';
import { topicSchema } from './topics.ts';
import { wireDeltaSchema, wireEventSchema } from './wire-event.ts';

/**
 * The WebSocket protocol: JSON text frames, each an object whose `type` is `noun.verb` (or one word for
 * the client's own verbs). One socket per client; it subscribes to topics, each from a seq.
 */

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

// ── client → server ──────────────────────────────────────────────────────────
export const subscribeMessage = z.strictObject({
  type: z.literal('subscribe'),
  topic: topicSchema,
  /** Send stored events after this seq first (backfill), then live ones. Omitted: live from now. */
  fromSeq: seq.optional(),
});
export const unsubscribeMessage = z.strictObject({ type: z.literal('unsubscribe'), topic: topicSchema });
/** Asks for a heartbeat now (a client checking the connection). */
export const pingMessage = z.strictObject({ type: z.literal('ping') });

export const clientMessageSchema = z.discriminatedUnion('type', [
  subscribeMessage,
  unsubscribeMessage,
  pingMessage,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export const clientMessageTypes = ['subscribe', 'unsubscribe', 'ping'] as const;

// ── server → client ──────────────────────────────────────────────────────────
export const connectionOpenedMessage = z.object({
  type: z.literal('connection.opened'),
  /** The newest seq in the ledger when the socket opened. */
  latestSeq: seq,
  heartbeatMs: z.number().int(),
});
export const subscriptionStartedMessage = z.object({
  type: z.literal('subscription.started'),
  topic: topicSchema,
  /** Events after this seq follow, in order, each once. */
  fromSeq: seq,
});
export const subscriptionEndedMessage = z.object({
  type: z.literal('subscription.ended'),
  topic: topicSchema,
});
export const eventAppendedMessage = z.object({
  type: z.literal('event.appended'),
  topic: topicSchema,
  event: wireEventSchema,
});
export const eventDeltaMessage = z.object({
  type: z.literal('event.delta'),
  topic: topicSchema,
  delta: wireDeltaSchema,
});
export const adwUpdatedMessage = z.object({
  type: z.literal('adw.updated'),
  topic: topicSchema,
  adw: z.object({
    id: z.string(),
    name: z.string(),
    workflow: z.string(),
    status: z.string(),
    currentStep: z.string().nullable(),
    completedSteps: z.number().int(),
    totalSteps: z.number().int(),
    costUsd: z.number(),
    errorMessage: z.string().nullable(),
    pausedReason: z.string().nullable(),
    /** The event that changed it. */
    seq,
  }),
});
/**
 * A chat item of the orchestrator (a person's message, its reply, a thought, a tool call, an error) as
 * any process records it, and again whenever it changes status (a message queued → running → done): apply
 * it by `item.id`. Sent on `orchestrator` and `all`. History: GET /api/orchestrator/chat.
 */
export const chatAppendedMessage = z.object({
  type: z.literal('chat.appended'),
  topic: topicSchema,
  item: z.record(z.string(), z.unknown()),
});

/**
 * The chat input's autocomplete changed state: a suggestion request started or ended, or feedback was
 * recorded (`learned` counts what it learns from). Sent on `orchestrator` and `all`.
 */
export const autocompleteUpdatedMessage = z.object({
  type: z.literal('autocomplete.updated'),
  topic: topicSchema,
  state: autocompleteStateSchema,
});

/** Every `heartbeatMs`, and in answer to `ping`. */
export const heartbeatMessage = z.object({
  type: z.literal('heartbeat'),
  at: z.string(),
  /** The highest seq sent on this socket so far. */
  latestSeq: seq,
});
/**
 * The client fell behind (it did not read fast enough): the server stopped sending this topic. Nothing
 * is lost: subscribe again from `fromSeq` (every event up to it was sent) when ready.
 */
export const resyncMessage = z.object({
  type: z.literal('resync'),
  topic: topicSchema,
  fromSeq: seq,
  reason: z.string(),
});
export const errorMessage = z.object({
  type: z.literal('error'),
  code: z.enum(['bad_message', 'unknown_type', 'bad_field', 'not_subscribed', 'unavailable']),
  message: z.string(),
  /** The field to change, when one is wrong. */
  field: z.string().optional(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  connectionOpenedMessage,
  subscriptionStartedMessage,
  subscriptionEndedMessage,
  eventAppendedMessage,
  eventDeltaMessage,
  adwUpdatedMessage,
  chatAppendedMessage,
  autocompleteUpdatedMessage,
  heartbeatMessage,
  resyncMessage,
  errorMessage,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type AdwSummary = z.infer<typeof adwUpdatedMessage>['adw'];
