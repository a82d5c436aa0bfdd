import { clientMessageSchema, clientMessageTypes, type ClientMessage } from '../../protocol/ws-messages.ts';
import type { ServerMessage } from '../../protocol/ws-messages.ts';

type ErrorFields = Omit<Extract<ServerMessage, { type: 'error' }>, 'type'>;

/** A client's frame as a typed message, or the error to answer it with (naming the field to change). */
export function parseClientMessage(
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): { ok: true; value: ClientMessage } | { ok: false; error: ErrorFields } {
  if (isBinary) return fail('bad_message', 'send JSON text frames, not binary ones');
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.from(data as ArrayBuffer).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('bad_message', 'not JSON: send an object such as {"type":"subscribe","topic":"all"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('bad_message', 'send a JSON object with a "type"', 'type');
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(clientMessageTypes as readonly string[]).includes(type)) {
    return fail('unknown_type', `unknown message type; known: ${clientMessageTypes.join(', ')}`, 'type');
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field =
    issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.map(String).join('.') || 'type';
  const message = issue.code === 'unrecognized_keys' ? 'is not a field of this message' : issue.message;
  return fail('bad_field', `${field}: ${message}`, field);
}

function fail(code: ErrorFields['code'], message: string, field?: string) {
  return { ok: false as const, error: { code, message, ...(field && { field }) } };
}
