import { ApiError } from '@baton-web/api/http.ts';

export { ApiError };

/** What to tell the shopper about a failed call: the server's message names what to change. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The server does not know this shopper (no session, or one that ended). */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
