import { backoffDelay } from './backoff.ts';

/** The part of the browser's WebSocket the link uses (tests give a fake). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SocketLinkOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  onOpen(): void;
  onFrame(data: string): void;
  /** The socket is gone; `retryInMs` is when the link tries again. */
  onClose(retryInMs: number): void;
  backoff?: { baseMs: number; maxMs: number; random?: () => number };
  timers?: Timers;
}

export interface SocketLink {
  send(message: object): boolean;
  /** Frames must keep coming at least this often (the server's heartbeat, twice over) or the socket is dropped. */
  expectFramesEvery(ms: number): void;
  /** Drops the socket now and reconnects (a load after opening failed, a silent connection). */
  restart(): void;
  close(): void;
}

const open = 1;

/**
 * One WebSocket that comes back: when it closes (server restart, network, a silent connection) it is
 * opened again after a jittered, growing delay, reset once a connection has been open. What to do on
 * (re)opening — load, subscribe from the last seq — is the caller's (see sync.ts).
 */
export function createSocketLink(options: SocketLinkOptions): SocketLink {
  const timers: Timers = options.timers ?? {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
  };
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 8_000 };
  let socket: SocketLike | undefined;
  let attempt = 0;
  let retryTimer: unknown;
  let watchdog: unknown;
  let silenceMs = 0;
  let stopped = false;

  function connect(): void {
    if (stopped) return;
    const current = options.createSocket(options.url);
    socket = current;
    current.onopen = () => {
      if (socket !== current) return;
      attempt = 0;
      armWatchdog();
      options.onOpen();
    };
    current.onmessage = (event) => {
      if (socket !== current) return;
      armWatchdog();
      if (typeof event.data === 'string') options.onFrame(event.data);
    };
    current.onerror = () => {}; // a close follows every error
    current.onclose = () => {
      if (socket === current) dropped();
    };
  }

  function dropped(): void {
    socket = undefined;
    timers.clearTimeout(watchdog);
    if (stopped) return;
    const delay = backoffDelay(attempt, backoff);
    attempt += 1;
    options.onClose(delay);
    retryTimer = timers.setTimeout(connect, delay);
  }

  function armWatchdog(): void {
    timers.clearTimeout(watchdog);
    if (silenceMs > 0) watchdog = timers.setTimeout(() => link.restart(), silenceMs);
  }

  const link: SocketLink = {
    send(message) {
      if (!socket || socket.readyState !== open) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    expectFramesEvery(ms) {
      silenceMs = ms;
      armWatchdog();
    },
    restart() {
      const current = socket;
      if (!current) return;
      current.onopen = current.onmessage = current.onclose = null;
      current.close(4000, 'restart');
      dropped();
    },
    close() {
      stopped = true;
      timers.clearTimeout(retryTimer);
      timers.clearTimeout(watchdog);
      const current = socket;
      socket = undefined;
      if (current) {
        current.onopen = current.onmessage = current.onclose = null;
        current.close(1000, 'closed');
      }
    },
  };
  connect();
  return link;
}
