import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { UserError } from '../core/errors.ts';
import { createApp, type BatonApp } from './create-app.ts';
import type { ServerDeps } from './deps.ts';
import { loadOrCreateToken } from './security/access-token.ts';
import { hostPolicy } from './security/allowed-hosts.ts';

export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Binding anything but loopback needs this said out loud (`--allow-remote`). */
  allowRemote?: boolean;
}

export interface RunningServer extends BatonApp {
  /** Where to point a browser: the token travels in the query once, then as a cookie. */
  url: string;
  /** The address without the token (for logs and `Authorization: Bearer` clients). */
  origin: string;
  token: string;
  /** Printed by the caller: what is unusual about this server's exposure. */
  warnings: string[];
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * What binding `host` means: nothing for loopback; for another address a UserError unless `allowRemote`,
 * and then a warning to print. Callers may check this before starting anything else.
 */
export function bindWarnings(options: Pick<ListenOptions, 'host' | 'allowRemote'>): string[] {
  if (isLoopback(options.host)) return [];
  if (!options.allowRemote) {
    throw new UserError(
      `BATON_HOST=${options.host} would let other machines reach a server that runs agents: ` +
        'use 127.0.0.1 (the default), or pass --allow-remote to mean it.',
      { code: 'config' },
    );
  }
  return [
    `the server listens on ${options.host}: anyone who can reach it and has the token can run agents ` +
      'with your permissions. Prefer an SSH tunnel to 127.0.0.1.',
  ];
}

/**
 * Builds the app and listens: the one place baton opens a port. The access token is created in
 * BATON_HOME on first start; a non-loopback address is refused unless `allowRemote`.
 */
export async function listen(
  deps: Omit<ServerDeps, 'token' | 'hosts'>,
  options: ListenOptions,
): Promise<RunningServer> {
  const warnings = bindWarnings(options);
  const token = await loadOrCreateToken(deps.services.config.home);
  const built = await createApp({
    ...deps,
    token,
    hosts: hostPolicy(options.host, isLoopback(options.host) ? [] : machineNames()),
  });
  try {
    await built.app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await built.app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UserError(
        `Cannot listen on ${options.host}:${options.port} (${code}): choose another port with --port or ` +
          'BATON_PORT (0 picks a free one), or another address with --host or BATON_HOST.',
        { code: 'config', cause: error },
      );
    }
    throw error;
  }
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '[::1]' : options.host;
  const host = isIP(shown) === 6 ? `[${shown}]` : shown;
  const origin = `http://${host}:${port}`;
  return {
    ...built,
    url: `${origin}/?token=${token}`,
    origin,
    token,
    warnings,
    close: () => built.app.close(),
  };
}

/** The names a remote client may use for this machine: its host name and every interface address. */
function machineNames(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((entry) => (entry ? [entry.family === 'IPv6' ? `[${entry.address}]` : entry.address] : []));
  return [hostname(), ...addresses];
}
