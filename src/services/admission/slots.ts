import { createServer, type Socket } from 'node:net';
import type { AdmissionSlot } from '../../agent/admission-gate.ts';
import { connectTo, listenExclusively, onMessages, sendMessage, type AdmissionAddresses } from './sockets.ts';

/**
 * Takes slot `index`: a slot is held by listening on its address, so the kernel guarantees one holder
 * per slot and frees it when the holder's process dies. Whoever watches a slot (the queue) is connected
 * to it and sees the connection close when the slot is released. Undefined when the slot is taken.
 * A holder that is idle says so to its watchers (`idle`, with since when), and gives the slot up when
 * the queue asks (`evict`) while it still is.
 */
export async function takeSlot(
  addresses: AdmissionAddresses,
  index: number,
): Promise<AdmissionSlot | undefined> {
  const watchers = new Set<Socket>();
  let evictable: { since: number; evict: () => void } | undefined;
  const tell = (socket: Socket) =>
    sendMessage(socket, evictable ? { type: 'idle', since: evictable.since } : { type: 'busy' });
  const server = createServer((socket) => {
    socket.unref();
    socket.on('error', () => {});
    watchers.add(socket);
    socket.once('close', () => watchers.delete(socket));
    if (evictable) tell(socket);
    onMessages(socket, (message) => {
      if (message.type !== 'evict' || !evictable) return;
      const { evict } = evictable;
      evictable = undefined;
      evict();
    });
  });
  server.unref();
  if (!(await listenExclusively(server, addresses.slot(index)))) return undefined;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      evictable = undefined;
      server.close();
      for (const socket of watchers) socket.destroy();
    },
    idle(evict) {
      if (released) return;
      evictable = { since: Date.now(), evict };
      for (const socket of watchers) tell(socket);
    },
    busy() {
      if (released || !evictable) return;
      evictable = undefined;
      for (const socket of watchers) tell(socket);
    },
  };
}

/** A connection to slot `index` that closes when the slot is released; undefined when it is free. */
export async function watchSlot(addresses: AdmissionAddresses, index: number): Promise<Socket | undefined> {
  const socket = await connectTo(addresses.slot(index));
  socket?.unref();
  return socket;
}
