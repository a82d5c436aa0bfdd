import WebSocket from 'ws';
import { nileExtension } from '../../examples/nile/server/extension.ts';
import type { HomePages } from '../../examples/nile/server/home-sockets.ts';
import { nileScriptedResponder } from '../../examples/nile/server/scripted-model.ts';
import { nileServerMessage, type NileServerMessage } from '../../examples/nile/protocol.ts';
import type { Services } from '../../src/services/services.ts';
import {
  startFakeModelServer,
  type FakeModelServer,
  type MessagesRequest,
  type Turn,
} from '../../src/testing/fake-model-server/index.ts';
import type { TestDatabase } from '../../src/testing/test-db.ts';
import type { BatonApp } from '../../src/server/create-app.ts';
import { auth, useServerHarness } from './server.ts';
import { until } from './wait.ts';

export interface NileHarness {
  origin: string;
  /** The app, for `inject`; its route specs include Nile's. */
  server: BatonApp;
  services: Services;
  model: FakeModelServer;
  pages: HomePages;
  /** fetch with baton's token (and the shopper's cookie when given). */
  call(
    method: string,
    path: string,
    options?: { cookie?: string; body?: unknown },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Signs in by name; returns the `nile_session=…` cookie pair. */
  signIn(name: string): Promise<string>;
}

/**
 * baton's services and server on the test database with Nile mounted, and the fake model server playing
 * Nile's scripted model (or `respond`, to make it fail).
 */
export function useNile(db: { readonly current: TestDatabase }) {
  const harness = useServerHarness(db);
  return async function setUp(
    options: { respond?: (request: MessagesRequest) => Turn | undefined; env?: Record<string, string> } = {},
  ): Promise<NileHarness> {
    const model = await startFakeModelServer({ respond: options.respond ?? nileScriptedResponder });
    harness.defer(() => model.close());
    const services = await harness.services({ ANTHROPIC_BASE_URL: model.url, ...options.env });
    let pages: HomePages | undefined;
    const server = await harness.setUp({
      services,
      extensions: [nileExtension({ services, scripted: true, onPages: (p) => (pages = p) })],
    });
    const origin = await server.listen();
    const call: NileHarness['call'] = async (method, path, options = {}) => {
      const response = await fetch(`${origin}${path}`, {
        method,
        headers: {
          ...auth,
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (an image)
      }
      return { status: response.status, body, headers: response.headers };
    };
    return {
      origin,
      server,
      services,
      model,
      pages: pages!,
      call,
      async signIn(name) {
        const response = await call('POST', '/api/nile/session', { body: { name } });
        if (response.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(response.body)}`);
        const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('nile_session='))!;
        return setCookie.split(';')[0]!;
      },
    };
  };
}

/** A home-page socket that keeps every frame, each checked against the protocol. */
export async function openHomeSocket(
  origin: string,
  cookie: string,
  options: { headers?: Record<string, string> } = {},
) {
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws/nile`, {
    headers: { ...(options.headers ?? auth), cookie },
  });
  const frames: NileServerMessage[] = [];
  socket.on('message', (data) => frames.push(nileServerMessage.parse(JSON.parse(String(data)))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
  return {
    socket,
    frames,
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    /** Waits for the `complete` of generation `generation` (or of any, when not given). */
    complete: (generation?: number) =>
      until(
        async () =>
          frames.find(
            (frame): frame is Extract<NileServerMessage, { type: 'complete' }> =>
              frame.type === 'complete' && (generation === undefined || frame.generation === generation),
          ),
        'a complete frame',
        120_000,
      ),
    sectionsOf(generation: number) {
      return frames.flatMap((frame) =>
        frame.type === 'section' && frame.generation === generation ? [frame.data] : [],
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === socket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.terminate();
      }),
  };
}
