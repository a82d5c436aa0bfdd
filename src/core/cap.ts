// Tool output can be megabytes (a cat of a log); the ledger keeps the head and says so.
export const maxStoredText = 32 * 1024;

export function capText(text: string, max = maxStoredText): { text: string; truncated: boolean } {
  return text.length > max ? { text: text.slice(0, max), truncated: true } : { text, truncated: false };
}

/** A JSON value whose long strings are capped (with a marker saying how much was cut), so one tool result cannot bloat a row. */
export function capValue(value: unknown): unknown {
  if (typeof value === 'string') {
    const capped = capText(value);
    return capped.truncated
      ? `${capped.text}… [${value.length - capped.text.length} more characters]`
      : value;
  }
  if (Array.isArray(value)) return value.map(capValue);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, capValue(item)]));
  }
  return value;
}
