import { createServer, type Socket } from 'node:net';
import type { AdmissionSlot } from '../../agent/admission-gate.ts';
import { connectTo, listenExclusively, type AdmissionAddresses } from './sockets.ts';

/**
 * Takes slot `index`: a slot is held by listening on its address, so the kernel guarantees one holder
 * per slot and frees it when the holder's process dies. Whoever watches a slot (the queue) is connected
 * to it and sees the connection close when the slot is released. Undefined when the slot is taken.
 */
export async function takeSlot(
  addresses: AdmissionAddresses,
  index: number,
): Promise<AdmissionSlot | undefined> {
  const watchers = new Set<Socket>();
  const server = createServer((socket) => {
    socket.unref();
    socket.on('error', () => {});
    watchers.add(socket);
    socket.once('close', () => watchers.delete(socket));
  });
  server.unref();
  if (!(await listenExclusively(server, addresses.slot(index)))) return undefined;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      server.close();
      for (const socket of watchers) socket.destroy();
    },
  };
}

/** A connection to slot `index` that closes when the slot is released; undefined when it is free. */
export async function watchSlot(addresses: AdmissionAddresses, index: number): Promise<Socket | undefined> {
  const socket = await connectTo(addresses.slot(index));
  socket?.unref();
  return socket;
}
