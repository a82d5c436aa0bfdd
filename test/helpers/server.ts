import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/index.ts';
import type { ServerMessage } from '../../src/protocol/ws-messages.ts';
import { createApp, type BatonApp } from '../../src/server/create-app.ts';
import type { ServerDeps, ServerLimits } from '../../src/server/deps.ts';
import { hostPolicy } from '../../src/server/security/allowed-hosts.ts';
import { startServices, type Services } from '../../src/services/services.ts';
import type { TestDatabase } from '../../src/testing/test-db.ts';
import { scratchDir } from './agents.ts';
import { until } from './wait.ts';

export const testToken = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
export const auth = { authorization: `Bearer ${testToken}` };

export interface ServerHarness extends BatonApp {
  services: Services;
  cwd: string;
  /** Listens on 127.0.0.1:0 (for WebSocket tests) and returns the origin, `http://127.0.0.1:<port>`. */
  listen(): Promise<string>;
}

/**
 * baton's services on the test file's database and the app built over them (not listening unless
 * asked), torn down after each test.
 */
export function useServerHarness(db: { readonly current: TestDatabase }) {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  });
  /** baton's services on the test database, with `env` added to the environment they are configured from. */
  async function services(env: Record<string, string> = {}): Promise<Services> {
    const home = await scratchDir('server-home');
    cleanup.push(home.remove);
    const started = await startServices(
      loadConfig({
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        DATABASE_URL: db.current.url,
        BATON_HOME: home.path,
        BATON_SUMMARIES: 'off',
        BATON_AUTOCOMPLETE: 'off',
        ...env,
      }),
    );
    cleanup.push(() => started.close());
    return started;
  }
  return {
    defer(step: () => Promise<unknown>): void {
      cleanup.push(step);
    },
    services,
    async setUp(
      options: Partial<Omit<ServerDeps, 'limits'>> & { limits?: Partial<ServerLimits> } = {},
    ): Promise<ServerHarness> {
      const running = options.services ?? (await services());
      const workspace = await scratchDir('server-cwd');
      cleanup.push(workspace.remove);
      const cwd = options.cwd ?? workspace.path;
      const built = await createApp({
        token: testToken,
        hosts: hostPolicy('127.0.0.1'),
        ...options,
        services: running,
        cwd,
      });
      cleanup.push(() => built.app.close());
      return {
        ...built,
        services: running,
        cwd,
        async listen() {
          await built.app.listen({ host: '127.0.0.1', port: 0 });
          const address = built.app.server.address();
          if (!address || typeof address === 'string') throw new Error('not listening');
          return `http://127.0.0.1:${address.port}`;
        },
      };
    },
  };
}

/** A WebSocket client that keeps every message the server sent, for assertions. */
export interface TestClient {
  socket: WebSocket;
  messages: ServerMessage[];
  send(message: unknown): void;
  /** Waits for the first message (after `from`) that passes `test`. */
  next<T extends ServerMessage['type']>(
    type: T,
    test?: (message: Extract<ServerMessage, { type: T }>) => boolean,
    from?: number,
  ): Promise<Extract<ServerMessage, { type: T }>>;
  /** The seqs of event.appended messages received for `topic`, in arrival order. */
  seqs(topic: string): number[];
  close(): Promise<void>;
}

export async function connectClient(
  origin: string,
  options: { headers?: Record<string, string> } = {},
): Promise<TestClient> {
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws`, {
    headers: options.headers ?? auth,
  });
  const messages: ServerMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
  const client: TestClient = {
    socket,
    messages,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: <T extends ServerMessage['type']>(
      type: T,
      test: (message: Extract<ServerMessage, { type: T }>) => boolean = () => true,
      from = 0,
    ) =>
      until(
        async () =>
          messages
            .slice(from)
            .find(
              (message): message is Extract<ServerMessage, { type: T }> =>
                message.type === type && test(message as Extract<ServerMessage, { type: T }>),
            ),
        `a ${type} message`,
        30_000,
      ),
    seqs: (topic) =>
      messages.flatMap((message) =>
        message.type === 'event.appended' && message.topic === topic ? [message.event.seq] : [],
      ),
    async close() {
      if (socket.readyState === socket.CLOSED) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.terminate();
      });
    },
  };
  return client;
}

/** Refused upgrades resolve with the HTTP status the server answered. */
export function upgradeStatus(origin: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers });
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.once('error', (error) => {
      if (socket.readyState !== socket.CLOSED) reject(error);
    });
  });
}
