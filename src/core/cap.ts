// Tool output can be megabytes (a cat of a log); the ledger keeps the head and says so.
export const maxStoredText = 32 * 1024;

export function capText(text: string, max = maxStoredText): { text: string; truncated: boolean } {
  return text.length > max ? { text: text.slice(0, max), truncated: true } : { text, truncated: false };
}

/**
 * A JSON value whose long strings are capped (with a marker saying how much was cut), so one tool result
 * cannot bloat a row. Only what holds a capped string is copied; the rest is returned as it is.
 */
export function capValue(value: unknown): unknown {
  if (typeof value === 'string') {
    const capped = capText(value);
    return capped.truncated
      ? `${capped.text}… [${value.length - capped.text.length} more characters]`
      : value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const capped = capValue(item);
      if (capped !== item) copy ??= value.slice();
      if (copy) copy[i] = capped;
    });
    return copy ?? value;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const object = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(object)) {
      const item = object[key];
      const capped = capValue(item);
      if (capped !== item && !copy) copy = { ...value }; // own enumerable keys, `__proto__` included
      if (copy) copy[key] = capped;
    }
    return copy ?? value;
  }
  return value;
}
