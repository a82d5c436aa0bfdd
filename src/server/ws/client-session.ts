import type { WebSocket } from 'ws';
import type { LedgerEvent } from '../../core/events.ts';
import { describeError } from '../../core/errors.ts';
import type { EventBus, StreamDelta, Subscription } from '../../db/event-bus.ts';
import { latestSeq, type EventFilter } from '../../db/events.ts';
import type { Queryable } from '../../db/pool.ts';
import { parseTopic, type Topic } from '../../protocol/topics.ts';
import { toWireEvent } from '../../protocol/wire-event.ts';
import type { AdwSummary, ServerMessage } from '../../protocol/ws-messages.ts';
import type { ChatService } from '../../orchestrator/chat-service.ts';
import type {
  AutocompleteService,
  AutocompleteState,
} from '../../services/autocomplete/autocomplete-service.ts';
import type { OrchestratorRef, ServerLimits } from '../deps.ts';
import type { AdwWatcher } from './adw-watcher.ts';
import { parseClientMessage } from './parse-client-message.ts';
import { deltaMatches, topicFilter } from './topic-filter.ts';

const drainPollMs = 20;
const encodings = new WeakMap<LedgerEvent, string>();

/** The event as wire JSON, encoded once however many sockets it goes to. */
function encoded(event: LedgerEvent): string {
  let json = encodings.get(event);
  if (json === undefined) {
    json = JSON.stringify(toWireEvent(event));
    encodings.set(event, json);
  }
  return json;
}

export interface ClientSessionDeps {
  bus: EventBus;
  db: Queryable;
  adwWatcher: AdwWatcher;
  orchestrator?: () => Promise<OrchestratorRef | undefined>;
  chat?: ChatService;
  /** Its state changes go to the `orchestrator` and `all` topics as `autocomplete.updated`. */
  autocomplete?: AutocompleteService;
  limits: ServerLimits;
  log: (line: string) => void;
}

interface TopicState {
  filter: EventFilter;
  /** For the orchestrator topic: the agent row whose token fragments belong to it. */
  orchestratorAgentId?: string;
  subscription?: Subscription;
  /** Every event of the topic up to here has been handed to the socket. */
  sentSeq: number;
  closed: boolean;
}

/**
 * One WebSocket client: its topics, each a ledger subscription (backfill, then live, in seq order), plus
 * live token fragments, ADW summaries and heartbeats.
 *
 * Nobody waits for a slow client but itself. When what its socket has buffered passes `wsBufferedBytes`,
 * its topics pause (the event feed queues for them, up to its bound); when that queue overflows, or the
 * client does not make room within `wsStallMs`, the client is behind: the topic ends with one `resync` saying
 * where to subscribe again from. Its memory stays bounded and no other client notices.
 */
export function startClientSession(socket: WebSocket, deps: ClientSessionDeps): () => void {
  const topics = new Map<Topic, TopicState>();
  const stops: (() => void)[] = [];
  let highestSeq = 0;
  let closed = false;

  function send(message: ServerMessage): void {
    if (closed || socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(message));
  }

  function behind(): boolean {
    return socket.bufferedAmount > deps.limits.wsBufferedBytes;
  }

  /**
   * Sends the event; past the buffer limit it waits (polling: ws has no public drain event) until the
   * client has taken enough. Only this topic's subscription waits; the feed queues for it meanwhile, and
   * when that queue overflows (onLag) or the client does not make room within `wsStallMs`, it is behind.
   */
  function deliver(topic: Topic, state: TopicState, event: LedgerEvent): void | Promise<void> {
    if (state.closed || closed || socket.readyState !== socket.OPEN) return;
    // The same event object goes to every subscriber (see EventBus): it is encoded once for all sockets.
    socket.send(`{"type":"event.appended","topic":${JSON.stringify(topic)},"event":${encoded(event)}}`);
    state.sentSeq = event.seq;
    highestSeq = Math.max(highestSeq, event.seq);
    if (behind()) return waitForRoom(topic, state);
  }

  function waitForRoom(topic: Topic, state: TopicState): Promise<void> {
    const limit = deps.limits.wsStallMs;
    let waited = 0;
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        waited += drainPollMs;
        if (state.closed || closed || !behind()) {
          clearInterval(timer);
          resolve();
        } else if (waited >= limit) {
          clearInterval(timer);
          fallBehind(topic, state);
          resolve();
        }
      }, drainPollMs);
      timer.unref();
    });
  }

  function fallBehind(topic: Topic, state: TopicState): void {
    if (state.closed) return;
    end(topic, state);
    send({
      type: 'resync',
      topic,
      fromSeq: state.sentSeq,
      reason: 'the client did not read fast enough; subscribe again from fromSeq',
    });
  }

  function end(topic: Topic, state: TopicState): void {
    state.closed = true;
    state.subscription?.close();
    if (topics.get(topic) === state) topics.delete(topic);
  }

  async function subscribe(topic: Topic, fromSeq: number | undefined): Promise<void> {
    const previous = topics.get(topic);
    if (previous) end(topic, previous);
    if (topics.size >= deps.limits.wsSubscriptions) {
      return send({
        type: 'error',
        code: 'bad_field',
        field: 'topic',
        message: `at most ${deps.limits.wsSubscriptions} topics per socket: unsubscribe from one first`,
      });
    }
    const orchestrator = parseTopic(topic).kind === 'orchestrator' ? await deps.orchestrator?.() : undefined;
    const filter = topicFilter(topic, orchestrator?.id);
    if (!filter) {
      return send({ type: 'error', code: 'unavailable', field: 'topic', message: 'no orchestrator yet' });
    }
    // Where it starts is settled before the subscription, so the acknowledgement comes first.
    const start = fromSeq ?? (await latestSeq(deps.db));
    const state: TopicState = {
      filter,
      orchestratorAgentId: orchestrator?.agentId,
      sentSeq: start,
      closed: false,
    };
    topics.set(topic, state);
    send({ type: 'subscription.started', topic, fromSeq: start });
    const subscription = await deps.bus.subscribe(
      { fromSeq: start, filter, onLag: () => fallBehind(topic, state) },
      (event) => deliver(topic, state, event),
    );
    if (state.closed || closed) subscription.close();
    else state.subscription = subscription;
  }

  function onDelta(delta: StreamDelta): void {
    if (behind()) return; // fragments are live only; the finished block arrives as an event
    for (const [topic, state] of topics)
      if (deltaMatches(state.filter, delta, state.orchestratorAgentId))
        send({ type: 'event.delta', topic, delta });
  }

  function onAdw(adw: AdwSummary): void {
    if (behind()) return; // the adw's own events carry the same news, and a resync follows them
    for (const [topic, state] of topics)
      if (state.filter.adwId === adw.id || (topic === 'all' && !state.closed))
        send({ type: 'adw.updated', topic, adw });
  }

  function onChatItem(item: Record<string, unknown>): void {
    if (behind()) return; // the history endpoint has every item
    for (const [topic, state] of topics)
      if (
        topic === 'all' ||
        (state.orchestratorAgentId !== undefined && item.orchestrator_id === state.filter.orchestratorId)
      )
        send({ type: 'chat.appended', topic, item });
  }

  function onAutocomplete(autocompleteState: AutocompleteState): void {
    if (behind()) return; // GET /api/autocomplete has the same state
    for (const [topic, state] of topics)
      if (!state.closed && (topic === 'all' || topic === 'orchestrator'))
        send({ type: 'autocomplete.updated', topic, state: autocompleteState });
  }

  async function onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Promise<void> {
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) return send({ type: 'error', ...parsed.error });
    const message = parsed.value;
    if (message.type === 'subscribe') return subscribe(message.topic, message.fromSeq);
    if (message.type === 'unsubscribe') {
      const state = topics.get(message.topic);
      if (!state)
        return send({ type: 'error', code: 'not_subscribed', field: 'topic', message: 'not subscribed' });
      end(message.topic, state);
      return send({ type: 'subscription.ended', topic: message.topic });
    }
    heartbeat();
  }

  function heartbeat(): void {
    if (behind()) return;
    send({ type: 'heartbeat', at: new Date().toISOString(), latestSeq: highestSeq });
  }

  // connection.opened goes first, and messages are handled one after another in the order sent, so a
  // subscribe followed by an unsubscribe of the same topic cannot cross.
  let turn = latestSeq(deps.db).then(
    (seq) => send({ type: 'connection.opened', latestSeq: seq, heartbeatMs: deps.limits.heartbeatMs }),
    () => send({ type: 'connection.opened', latestSeq: 0, heartbeatMs: deps.limits.heartbeatMs }),
  );
  socket.on('message', (data, isBinary) => {
    turn = turn.then(() =>
      onMessage(data, isBinary).catch((error: unknown) => {
        deps.log(`server: WebSocket message failed: ${describeError(error)}`);
        send({ type: 'error', code: 'unavailable', message: 'the server could not do that; try again' });
      }),
    );
  });
  stops.push(deps.bus.onStream(onDelta));
  stops.push(deps.adwWatcher.listen(onAdw));
  if (deps.chat)
    stops.push(deps.chat.onItem((item) => onChatItem(item as unknown as Record<string, unknown>)));
  if (deps.autocomplete) stops.push(deps.autocomplete.onChanged(onAutocomplete));
  const timer = setInterval(heartbeat, deps.limits.heartbeatMs);
  timer.unref();
  stops.push(() => clearInterval(timer));

  const close = () => {
    if (closed) return;
    closed = true;
    for (const [topic, state] of topics) end(topic, state);
    for (const stop of stops.splice(0)) stop();
  };
  socket.on('close', close);
  return close;
}
