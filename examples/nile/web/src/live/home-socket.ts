import type { NileClientMessage } from '@nile-protocol';
import { createSocketLink, type SocketLike, type Timers } from '@baton-web/live/socket-link.ts';
import type { NileApi } from '../api/nile-api.ts';
import { errorText } from '../api/errors.ts';
import type { useHomeStore } from '../stores/home.ts';

export interface HomeSocketOptions {
  url: string;
  home: ReturnType<typeof useHomeStore>;
  api: Pick<NileApi, 'genericHome'>;
  createSocket?: (url: string) => SocketLike;
  timers?: Timers;
}

export interface HomeSocket {
  /** Asks for a fresh page (the server interrupts one in progress). */
  start(): boolean;
  close(): void;
}

/**
 * The home page's socket, open while the home page is shown: on each open it asks for a page
 * (`start`), and every frame goes to the home store. When it cannot be opened, or drops before the
 * page is complete, the generic page comes over REST meanwhile, and the socket keeps trying (the
 * control room's reconnecting link, with its backoff).
 */
export function openHomeSocket(options: HomeSocketOptions): HomeSocket {
  const { home } = options;
  const send = (message: NileClientMessage) => link.send(message);
  home.connecting();
  const link = createSocketLink({
    url: options.url,
    createSocket: options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
    timers: options.timers,
    onOpen: () => void send({ action: 'start' }),
    onFrame: (data) => home.receive(data),
    onClose: () => {
      if (home.status === 'complete') return;
      options.api
        .genericHome()
        .then((sections) =>
          home.showGeneric(sections, 'The personalised page could not be reached; this is the generic one.'),
        )
        .catch((error: unknown) => {
          home.error = `The home page could not be loaded: ${errorText(error)}`;
        });
    },
  });
  return {
    start: () => send({ action: 'start' }),
    close: () => link.close(),
  };
}

/** The socket's address on this page's server (`ws://host/ws/nile`). */
export function homeSocketUrl(location: Pick<Location, 'protocol' | 'host'>, path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}
