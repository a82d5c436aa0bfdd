/**
 * JSON text PostgreSQL accepts: jsonb and text columns reject the NUL character that tool output
 * sometimes carries, so it becomes U+FFFD. An escaped NUL is `\u0000` after an even number of
 * backslashes (an odd number would make it literal text).
 */
export function jsonWithoutNul(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}
