import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The socket addresses of one admission scope (a BATON_HOME). On Linux they are abstract names: no file,
 * and the kernel frees a name the moment the process bound to it dies, however it dies. Elsewhere they
 * are socket files in the temporary directory, and a file nobody listens on any more is removed.
 */
export function admissionAddresses(scope: string) {
  const id = createHash('sha256').update(scope).digest('hex').slice(0, 16);
  const address = (name: string) =>
    process.platform === 'linux'
      ? `\0baton-admission-${id}-${name}`
      : join(tmpdir(), `baton-admission-${id}-${name}.sock`);
  return { queue: address('queue'), slot: (index: number) => address(`slot-${index}`) };
}

export type AdmissionAddresses = ReturnType<typeof admissionAddresses>;

/** Listens on `address` unless another process does: true when this server has it. */
export async function listenExclusively(server: Server, address: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await new Promise<true | NodeJS.ErrnoException>((resolve) => {
      const onError = (error: NodeJS.ErrnoException) => resolve(error);
      server.once('error', onError);
      server.listen(address, () => {
        server.off('error', onError);
        resolve(true);
      });
    });
    if (outcome === true) return true;
    if (outcome.code !== 'EADDRINUSE') throw outcome;
    // A socket file left by a process that died (never the case for an abstract name) is removed once.
    if (address.startsWith('\0') || attempt > 0 || (await isAnswering(address))) return false;
    try {
      unlinkSync(address);
    } catch {
      // removed meanwhile
    }
  }
}

/** Connects to `address`; undefined when nobody listens there. */
export function connectTo(address: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(address);
    // Before the connection: nobody listens. After it: a reset, and 'close' follows, which callers watch.
    socket.on('error', () => resolve(undefined));
    socket.once('connect', () => resolve(socket));
  });
}

async function isAnswering(address: string): Promise<boolean> {
  const socket = await connectTo(address);
  socket?.destroy();
  return socket !== undefined;
}

/** Newline-delimited JSON over a socket: what the queue and its waiters say to each other. */
export function sendMessage(socket: Socket, message: object): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

export function onMessages(socket: Socket, handle: (message: Record<string, unknown>) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        socket.destroy(); // not one of ours
        return;
      }
      handle(message);
    }
  });
}
