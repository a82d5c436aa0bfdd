import { createServer, type Socket } from 'node:net';
import { watchSlot } from './slots.ts';
import { listenExclusively, onMessages, sendMessage, type AdmissionAddresses } from './sockets.ts';

/** A run waiting for a slot, as the queue knows it: its connection, its place and its limit. */
interface Waiter {
  socket: Socket;
  /** Orders the queue: when the run first asked, so its place survives a change of queue server. */
  ticket: string;
  slots: number;
  /** The slot it was told to take, until it leaves (it took it) or comes back (it was taken after all). */
  promised?: number;
  position?: number;
}

/**
 * The host's queue for Claude Code slots, served by one baton process on behalf of all of them (the
 * first that needs it; when that process ends, a waiting one takes over and the waiters reconnect with
 * their tickets). It holds no slot itself: which slots are taken is the kernel's knowledge (see
 * slots.ts), read by connecting to each and learnt anew whenever anything changes. Each waiter is told
 * its position whenever it changes, and which slot to take when one is free and it is first in line; a
 * waiter that leaves (it took its slot, it was cancelled, its process died) closes its connection.
 * A slot whose holder says it is idle (a warm Claude Code process between commands) is asked to give
 * itself up when a waiter cannot go, one slot per blocked waiter, the longest idle first.
 * Returns undefined when another process serves the queue already.
 */
export async function serveQueue(addresses: AdmissionAddresses) {
  const waiters: Waiter[] = [];
  const connections = new Set<Socket>();
  const held = new Map<number, Socket>();
  /** Held slots whose holder is idle, with since when; and those asked to give themselves up. */
  const idleSince = new Map<number, number>();
  const evicting = new Set<number>();
  let watchedUpTo = 0;
  let pumping = false;
  let again = false;
  let closed = false;

  const server = createServer((socket) => {
    socket.unref();
    socket.on('error', () => {});
    connections.add(socket);
    socket.once('close', () => {
      connections.delete(socket);
      const index = waiters.findIndex((waiter) => waiter.socket === socket);
      if (index >= 0) waiters.splice(index, 1);
      pump();
    });
    onMessages(socket, (message) => {
      const waiter = waiters.find((candidate) => candidate.socket === socket);
      if (message.type === 'enter' && !waiter && isEnter(message)) {
        waiters.push({ socket, ticket: message.ticket, slots: message.slots });
        waiters.sort((a, b) => (a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : 0));
      } else if (message.type === 'full' && waiter) {
        waiter.promised = undefined; // its slot was taken after all: learn by whom, and wait
      } else return;
      pump();
    });
  });
  server.unref();
  if (!(await listenExclusively(server, addresses.queue))) return undefined;

  /** Watches every slot not yet known to be held, up to the largest limit any waiter has. */
  async function learnSlots(): Promise<void> {
    watchedUpTo = Math.max(watchedUpTo, ...waiters.map((waiter) => waiter.slots));
    const unknown = Array.from({ length: watchedUpTo }, (_, index) => index).filter((i) => !held.has(i));
    await Promise.all(
      unknown.map(async (index) => {
        const watch = await watchSlot(addresses, index);
        if (!watch) return;
        if (closed) return void watch.destroy();
        held.set(index, watch);
        onMessages(watch, (message) => {
          if (message.type === 'idle' && typeof message.since === 'number')
            idleSince.set(index, message.since);
          else if (message.type === 'busy') {
            idleSince.delete(index);
            evicting.delete(index); // it declined: another idle slot may be asked
          } else return;
          pump();
        });
        watch.once('close', () => {
          held.delete(index);
          idleSince.delete(index);
          evicting.delete(index);
          pump();
        });
      }),
    );
  }

  /** Promises free slots in ticket order (the first that cannot go holds everyone behind it), then numbers the rest. */
  function grant(): void {
    const promised = new Set(waiters.map((waiter) => waiter.promised));
    let blocked = false;
    let position = 0;
    for (const waiter of waiters) {
      if (waiter.promised !== undefined) continue;
      const free = blocked
        ? -1
        : Array.from({ length: waiter.slots }, (_, index) => index).findIndex(
            (index) => !held.has(index) && !promised.has(index),
          );
      if (free >= 0) {
        waiter.promised = free;
        promised.add(free);
        sendMessage(waiter.socket, { type: 'go', slot: free });
        continue;
      }
      blocked = true;
      position++;
      if (waiter.position !== position) {
        waiter.position = position;
        sendMessage(waiter.socket, { type: 'queued', position });
      }
    }
    evictIdle(position);
  }

  /** Asks idle holders to give their slots up, as many as there are waiters who cannot go. */
  function evictIdle(blocked: number): void {
    const candidates = [...idleSince]
      .filter(([index]) => !evicting.has(index))
      .sort(([, a], [, b]) => a - b)
      .slice(0, Math.max(0, blocked - evicting.size));
    for (const [index] of candidates) {
      const watch = held.get(index);
      if (!watch) continue;
      evicting.add(index);
      sendMessage(watch, { type: 'evict' });
    }
  }

  /** Brings the queue up to date; changes that arrive meanwhile are taken in a next round. */
  function pump(): void {
    if (closed) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    void (async () => {
      try {
        do {
          again = false;
          await learnSlots();
          if (!closed) grant();
        } while (again && !closed);
      } finally {
        pumping = false;
      }
    })();
  }

  return {
    /** Stops serving: every waiter reconnects, and one of them serves the queue from then on. */
    close(): void {
      closed = true;
      server.close();
      for (const socket of connections) socket.destroy();
      for (const watch of held.values()) watch.destroy();
    },
  };
}

function isEnter(message: Record<string, unknown>): message is { ticket: string; slots: number } {
  return (
    typeof message.ticket === 'string' &&
    typeof message.slots === 'number' &&
    Number.isInteger(message.slots) &&
    message.slots > 0
  );
}

export type QueueServer = NonNullable<Awaited<ReturnType<typeof serveQueue>>>;
