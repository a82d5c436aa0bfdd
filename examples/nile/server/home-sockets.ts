import type { WebSocket } from 'ws';
import { nileClientMessage, type NileServerMessage } from '../protocol.ts';
import { startHomeGeneration, type HomeAgentDeps, type HomeGeneration } from './home-agent.ts';
import type { ShopperRecord } from './shoppers-db.ts';

/** One open home page: its socket, and the generation running for it. */
interface HomePage {
  shopperId: string;
  /** Started over when the shopper acts, once the page has asked for a generation. */
  restartIfStarted(): void;
  close(): Promise<void>;
}

/**
 * The open home pages by shopper, so an action (a view, a cart change, a checkout) can start the
 * shopper's pages afresh. Per server, not per module: each app has its own.
 */
export function createHomePages(deps: HomeAgentDeps) {
  const pages = new Map<string, Set<HomePage>>();

  /** Serves one socket of `shopper` until it closes. */
  function open(socket: WebSocket, shopper: ShopperRecord): void {
    let latest = 0;
    let running: HomeGeneration | undefined;
    let chain = Promise.resolve();
    let started = false;
    let closed = false;
    const send = (message: NileServerMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };

    /** Interrupts the generation in progress (nothing more of it is sent) and starts a new one after it. */
    function restart(): void {
      const number = ++latest;
      const stopping = running?.stop() ?? Promise.resolve();
      running = undefined;
      chain = chain
        .then(() => stopping)
        .then(() => {
          if (number !== latest || closed) return; // a later restart starts it
          running = startHomeGeneration(deps, shopper, number, send);
        });
    }

    const page: HomePage = {
      shopperId: shopper.id,
      restartIfStarted: () => {
        if (started && !closed) restart();
      },
      async close() {
        if (closed) return;
        closed = true;
        const stopping = running?.stop();
        running = undefined;
        pages.get(shopper.id)?.delete(page);
        if (pages.get(shopper.id)?.size === 0) pages.delete(shopper.id);
        await chain;
        await stopping;
      },
    };
    let set = pages.get(shopper.id);
    if (!set) pages.set(shopper.id, (set = new Set()));
    set.add(page);

    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        send({ type: 'error', data: { message: 'A frame must be JSON: {"action": "start"}.' } });
        return;
      }
      const message = nileClientMessage.safeParse(parsed);
      if (!message.success) {
        const issue = message.error.issues[0]!;
        const field = issue.path.length ? issue.path.map(String).join('.') : 'action';
        send({
          type: 'error',
          data: { message: `${field}: ${issue.message} (send {"action": "start"})`, field },
        });
        return;
      }
      if (message.data.action === 'ping') return send({ type: 'pong' });
      started = true;
      restart();
    });
    socket.on('close', () => void page.close());
    socket.on('error', () => void page.close());
  }

  return {
    open,
    /** The shopper did something the shop learnt from: their open pages are generated afresh. */
    acted(shopperId: string): void {
      for (const page of pages.get(shopperId) ?? []) page.restartIfStarted();
    },
    /** How many pages are open (for tests and health). */
    count(): number {
      let n = 0;
      for (const set of pages.values()) n += set.size;
      return n;
    },
    /** Stops every generation and waits for their runs to end. */
    async closeAll(): Promise<void> {
      await Promise.all([...pages.values()].flatMap((set) => [...set].map((page) => page.close())));
    },
  };
}

export type HomePages = ReturnType<typeof createHomePages>;
