// SQLSTATEs that say "not now" rather than "not this statement": connection exceptions (class 08),
// insufficient resources (class 53: too many connections, disk full, out of memory), operator
// intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 57P05 idle session
// timeout, 57014 a cancelled statement), and lost races that a retry wins (40001, 40P01, 55P03).
const transientSqlStates = /^(08|53)|^(57P01|57P02|57P03|57P05|57014|40001|40P01|55P03)$/;

// Socket errors from Node's net and dns modules.
const socketErrors = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

// What pg and pg-pool raise without a code. pg-pool: "timeout exceeded when trying to connect" (every
// client busy for connectionTimeoutMillis), "Connection terminated due to connection timeout". pg's
// Client: "Connection terminated" / "Connection terminated unexpectedly", "timeout expired" (the connect
// timeout), "Query read timeout", "Client has encountered a connection error and is not queryable",
// "Client was closed and is not queryable".
const transientMessages =
  /timeout exceeded when trying to connect|Connection terminated|^timeout expired$|Query read timeout|not queryable/i;

/**
 * True for errors that mean "the database cannot answer right now" (refused, reset, restarting, every
 * pooled client busy, out of connections) as opposed to "the database rejected this statement". A caller
 * retries the first kind; the second would fail the same way again.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  return isTransient(error, 0);
}

function isTransient(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (transientSqlStates.test(code) || socketErrors.has(code))) return true;
  if (error instanceof Error && transientMessages.test(error.message)) return true;
  // Node reports a refused connection to a host with several addresses as an AggregateError, and pg-pool
  // wraps the error behind its connection timeout in `cause`.
  if (error instanceof AggregateError && error.errors.some((inner) => isTransient(inner, depth + 1)))
    return true;
  return error instanceof Error && isTransient(error.cause, depth + 1);
}
