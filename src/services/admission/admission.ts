import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdmissionGate, AdmissionSlot, AdmissionTicket } from '../../agent/admission-gate.ts';
import { serveQueue, type QueueServer } from './queue-server.ts';
import { takeSlot } from './slots.ts';
import { admissionAddresses, connectTo, onMessages, sendMessage } from './sockets.ts';

export interface AdmissionOptions {
  /** Processes that share a scope share its slots: baton uses BATON_HOME. */
  scope: string;
  /** Claude Code processes the scope may run at once. */
  slots: number;
}

/** An admission gate that also stops this process's part in it. */
export interface Admission extends AdmissionGate {
  /** Leaves the queue for every request still waiting here, and hands serving the queue on. Slots held stay held. */
  close(): void;
}

// Numbers this process's requests, so two made in the same millisecond keep their order.
let requests = 0;

/**
 * Host-wide admission for Claude Code processes: at most `slots` at once among every process of the
 * scope, granted first come, first served. Each request connects to the scope's queue (served by the
 * first process that needs it, see queue-server.ts) with a ticket that fixes its place; it is told its
 * position as it moves up, and takes a slot when told to go. Everything is a socket, so a process that
 * dies leaves the queue and frees its slot at once, and nothing depends on the database.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const addresses = admissionAddresses(options.scope);
  const waiting = new Set<() => void>();
  let queue: QueueServer | undefined;
  let closed = false;

  /** A connection to the queue: to the process serving it, or to this one after it starts serving. */
  async function connectToQueue(): Promise<Socket> {
    for (let backoff = 5; ; backoff = Math.min(backoff * 2, 200)) {
      if (closed) throw new Error('The admission of this process is closed'); // never serve again
      const socket = await connectTo(addresses.queue);
      if (socket) return socket;
      if (!queue) queue = await serveQueue(addresses);
      if (!queue) await sleep(backoff); // another process is starting to serve it
    }
  }

  function enter(onQueued: (position: number) => void): AdmissionTicket {
    // Ticket order is arrival order on this host: the time first, then process and request for ties.
    const ticket = [Date.now(), process.pid, requests++]
      .map((part) => String(part).padStart(15, '0'))
      .join('.');
    let resolve!: (slot: AdmissionSlot | undefined) => void;
    let reject!: (error: unknown) => void;
    const granted = new Promise<AdmissionSlot | undefined>((...settle) => ([resolve, reject] = settle));
    let socket: Socket | undefined;
    let done = false;
    const end = (outcome: { slot?: AdmissionSlot; error?: unknown }) => {
      if (done) return;
      done = true;
      waiting.delete(cancel);
      socket?.destroy();
      if (outcome.error !== undefined) reject(outcome.error);
      else resolve(outcome.slot);
    };
    const cancel = () => end({});
    const fail = (error: unknown) => end({ error });

    // Queues (again, when the process serving the queue ends) until a slot is taken or the request leaves.
    const join = async (): Promise<void> => {
      const connection = await connectToQueue();
      if (done) return void connection.destroy();
      socket = connection;
      connection.once('close', () => {
        if (!done) join().catch(fail);
      });
      onMessages(connection, (message) => {
        if (message.type === 'queued' && typeof message.position === 'number') onQueued(message.position);
        if (message.type === 'go' && typeof message.slot === 'number')
          takeTurn(connection, message.slot).catch(fail);
      });
      sendMessage(connection, { type: 'enter', ticket, slots: options.slots });
    };
    const takeTurn = async (connection: Socket, index: number): Promise<void> => {
      const slot = await takeSlot(addresses, index);
      if (done) slot?.release();
      else if (slot) end({ slot });
      else sendMessage(connection, { type: 'full' });
    };

    waiting.add(cancel);
    if (closed) cancel();
    else join().catch(fail);
    return { granted, cancel };
  }

  return {
    slots: options.slots,
    enter,
    close() {
      closed = true;
      for (const cancel of [...waiting]) cancel();
      queue?.close();
      queue = undefined;
    },
  };
}
