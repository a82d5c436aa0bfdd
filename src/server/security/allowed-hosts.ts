/**
 * Which Host (and Origin) values the server answers: the loopback names, plus the address it was told
 * to bind when that is another one. Anything else is a DNS-rebinding attempt (a page on evil.example
 * whose name now resolves to 127.0.0.1) and is refused.
 */
export interface HostPolicy {
  /** Host names without port, lower case. */
  names: ReadonlySet<string>;
}

export function hostPolicy(boundHost: string, extra: readonly string[] = []): HostPolicy {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', ...extra.map((name) => name.toLowerCase())]);
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
  if (!wildcard) names.add(boundHost.includes(':') ? `[${boundHost}]` : boundHost.toLowerCase());
  return { names };
}

/** The host name of a Host header (`name`, `name:port`, `[v6]:port`), lower case. */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

export function hostAllowed(policy: HostPolicy, host: string | undefined): boolean {
  return host !== undefined && policy.names.has(hostName(host));
}

/** An Origin header is allowed when it is http(s) on one of the allowed host names. */
export function originAllowed(policy: HostPolicy, origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && policy.names.has(url.hostname);
  } catch {
    return false;
  }
}
