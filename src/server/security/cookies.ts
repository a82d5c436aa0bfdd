/** The cookie a browser gets once it has shown the token in the URL. */
export const tokenCookie = 'baton_token';

/** One cookie's value from a Cookie header (no dependency for the one cookie baton reads). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function tokenCookieHeader(token: string): string {
  return `${tokenCookie}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
