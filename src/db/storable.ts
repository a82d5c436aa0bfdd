import { capValue } from '../core/cap.ts';
import { redactSecrets, redactText } from '../core/redact.ts';

/**
 * The one gate of everything baton stores that came from an agent, a model, a tool or a person: every
 * write function in src/db passes such text and JSON through here. Secrets are redacted first, then long
 * strings capped, so a secret cut by the cap (a private key) cannot keep part of itself.
 */
export function storableValue<T>(value: T, options: { cap?: boolean } = {}): T {
  const redacted = redactSecrets(value);
  return options.cap === false ? redacted : (capValue(redacted) as T);
}

/** Free text (a prompt, a result, an error message, a diff) with its secrets redacted; not capped. */
export function storableText(text: string): string;
export function storableText(text: string | null | undefined): string | null;
export function storableText(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : redactText(text);
}
