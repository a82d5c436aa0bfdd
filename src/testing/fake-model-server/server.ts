import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, errorTypeFor } from './api-error.ts';
import { fillFromRequest } from './from-request.ts';
import {
  buildMessage,
  createIdSource,
  estimateTokens,
  messageJson,
  type ResponseMessage,
} from './message.ts';
import { createTurnPlayer } from './player.ts';
import { describeRequest, readMessagesRequest, type MessagesRequest } from './request.ts';
import { parseScript, type Script, type Turn, type TurnError } from './script.ts';
import { blockEvents, formatSse, messageEndEvents, messageStartEvents, type SseEvent } from './sse.ts';

/** One HTTP request the fake server received. */
export interface RecordedRequest {
  /** Position in `requests`, from 0; failure messages call it `request #index`. */
  index: number;
  method: string;
  /** The path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** The path with the query string as sent, e.g. `/v1/messages?beta=true`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The script turn that answered, if any. */
  turnIndex?: number;
  turnName?: string;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** `Date.now()` when the client went away before the whole answer was sent (it cancelled the request). */
  abortedAt?: number;
}

export interface FakeModelServerOptions {
  /** @default no turns (every request goes to `respond`) */
  script?: Script | Turn[];
  /**
   * Computes a turn from the request, for a scripted model whose answers depend on what it is asked
   * (Nile's shop assistant reads the shopper's signals from its prompt). Tried before the script; a
   * request it returns undefined for goes to the script. Its turns are not counted as script turns.
   */
  respond?: (request: MessagesRequest) => Turn | undefined;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Receives one line per request and per failure. */
  log?: (line: string) => void;
}

/** A running fake Anthropic Messages API server. */
export interface FakeModelServer {
  /** `http://127.0.0.1:PORT`: what `ANTHROPIC_BASE_URL` or the SDK's `baseURL` is set to. */
  url: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Only the `POST /v1/messages` requests. */
  messageRequests(): RecordedRequest[];
  /** Turns with uses left, excluding `times: 'always'`. */
  remainingTurns(): Turn[];
  /** Unexpected requests and other problems, as readable sentences. */
  readonly failures: readonly string[];
  /** Throws a readable list if there were failures or a (non-`'always'`) turn was left unconsumed. */
  assertComplete(): void;
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server speaking the Anthropic Messages API (JSON and SSE streaming) that answers each
 * `POST /v1/messages` with the first script turn that has uses left and whose `match` holds.
 * A request no turn matches gets a 500 `api_error` and is recorded as a failure.
 */
export async function startFakeModelServer(options: FakeModelServerOptions): Promise<FakeModelServer> {
  const { turns } = parseScript(options.script ?? []);
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const player = createTurnPlayer(turns);
  const ids = createIdSource();
  const requests: RecordedRequest[] = [];
  const failures: string[] = [];
  const sockets = new Set<Socket>();

  const fail = (message: string) => {
    failures.push(message);
    log(`FAILURE ${message}`);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const record: RecordedRequest = {
      index: requests.length,
      method: request.method ?? 'GET',
      path: url.split('?')[0]!,
      url,
      headers: request.headers,
      body: undefined,
      at: Date.now(),
    };
    requests.push(record);
    response.once('close', () => {
      if (!response.writableFinished) record.abortedAt = Date.now();
    });
    const raw = await readBody(request);
    const parsed = parseJson(raw);
    record.body = parsed.ok ? parsed.value : raw || undefined;
    const label = `request #${record.index} ${record.method} ${url}`;

    if (record.method === 'POST' && record.path === '/v1/messages/count_tokens') {
      log(`${label} -> count_tokens`);
      return sendJson(response, 200, JSON.stringify({ input_tokens: estimateTokens(raw.length) }), record);
    }
    if (record.method !== 'POST' || record.path !== '/v1/messages') {
      fail(`fake model server: unexpected ${label}`);
      return sendError(
        response,
        404,
        'not_found_error',
        `fake model server: no route for ${record.method} ${url}`,
      );
    }
    const read = parsed.ok
      ? readMessagesRequest(parsed.value)
      : { ok: false as const, error: 'body is not JSON' };
    if (!read.ok) {
      const message = `fake model server: ${label} is not a Messages request: ${read.error}`;
      fail(message);
      return sendError(response, 400, 'invalid_request_error', message);
    }
    const computed = options.respond?.(read.value);
    const picked = computed ? { turn: computed, index: -1 } : player.next(read.value);
    if (!picked) {
      const message = `fake model server: no scripted turn matches request #${record.index} (${describeRequest(read.value)})`;
      fail(message);
      return sendError(response, 500, 'api_error', message);
    }
    const { turn, index } = picked;
    if (index >= 0) record.turnIndex = index;
    if (turn.name !== undefined) record.turnName = turn.name;
    log(
      `${label} -> ${index >= 0 ? `turn #${index}` : 'computed turn'}${turn.name ? ` "${turn.name}"` : ''} (${describeRequest(read.value)})`,
    );

    if (turn.delayMs) await sleep(turn.delayMs);
    if (response.destroyed) return;
    if (turn.error) return sendScriptedError(response, turn, turn.error, index);
    let filled: Turn;
    try {
      // The request's text as one string: JSON-escaped, which leaves paths and ids as they are.
      filled = fillFromRequest(turn, raw);
    } catch (error) {
      const message = `fake model server: turn #${index} of request #${record.index}: ${(error as Error).message}`;
      fail(message);
      return sendError(response, 500, 'api_error', message);
    }
    const message = buildMessage(filled, read.value.model, raw.length, ids);
    if (!read.value.stream) {
      if (turn.cut) return void response.destroy();
      if (turn.stall) return; // no answer at all until the client goes away
      return sendJson(response, 200, messageJson(message), record);
    }
    streamMessage(response, message, turn, record);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      fail(`fake model server: internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (response.headersSent) response.destroy();
      else sendError(response, 500, 'api_error', 'fake model server: internal error, see its failures');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    failures,
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    remainingTurns: () => player.remaining().map((left) => left.turn),
    assertComplete() {
      const problems = [
        ...failures,
        ...player
          .remaining()
          .map(
            ({ turn, index, usesLeft }) =>
              `turn #${index}${turn.name ? ` "${turn.name}"` : ''} was not consumed (${usesLeft} of ${turn.times ?? 1} uses left)`,
          ),
      ];
      if (problems.length > 0) {
        throw new Error(
          `fake model server: script not complete:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function sendScriptedError(response: ServerResponse, turn: Turn, error: TurnError, index: number): void {
  const type = error.type ?? errorTypeFor(error.status);
  const message =
    error.message ??
    `fake model server: scripted ${type} (turn #${index}${turn.name ? ` "${turn.name}"` : ''})`;
  // A 429 without retry-after makes clients guess a backoff; 0 keeps tests fast.
  const retryAfter = error.retryAfterSeconds ?? (error.status === 429 ? 0 : undefined);
  sendError(response, error.status, type, message, retryAfter);
}

function sendError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
  retryAfter?: number,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  response.writeHead(status, headers).end(errorBody(type, message));
}

function sendJson(response: ServerResponse, status: number, body: string, record: RecordedRequest): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'request-id': requestId(record) })
    .end(body);
}

/** Streams the message as SSE; with `cutAfterBlocks`, destroys the socket after that many complete blocks. */
function streamMessage(
  response: ServerResponse,
  message: ResponseMessage,
  turn: Pick<Turn, 'cut' | 'stall'>,
  record: RecordedRequest,
): void {
  const cutAfterBlocks = turn.cut?.afterBlocks;
  const blocks = message.content.slice(0, cutAfterBlocks);
  let events = [
    ...messageStartEvents(message),
    ...blocks.flatMap((block, index) => blockEvents(block, index)),
    ...(cutAfterBlocks === undefined ? messageEndEvents(message) : []),
  ];
  if (turn.stall) events = eventsUntilDeltas(events, turn.stall.afterDeltas);
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': requestId(record),
  });
  // Separate writes so a client can see the events arrive in more than one chunk.
  for (const event of events.slice(0, -1)) response.write(formatSse(event));
  const last = formatSse(events.at(-1)!);
  if (turn.stall)
    response.write(last); // and nothing more: the client gives up or is stopped
  else if (cutAfterBlocks === undefined) response.end(last);
  else response.write(last, () => response.destroy());
}

/** The events up to and including the `count`-th content delta (all of them when there are fewer). */
function eventsUntilDeltas(events: SseEvent[], count: number): SseEvent[] {
  let seen = 0;
  const end = events.findIndex((event) => event.type === 'content_block_delta' && ++seen === count);
  return end === -1 ? events : events.slice(0, end + 1);
}

function requestId(record: RecordedRequest): string {
  return `req_fake_${record.index}`;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
