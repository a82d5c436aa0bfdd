/**
 * `--json` has one style across commands: camelCase keys, an object's own id as `id` and any other id as
 * `<kind>Id` (`adwId`, `agentId`, `runId`, `promptId`, `sessionId`). The management tools answer models in
 * snake_case (their arguments are snake_case too); the CLI prints their results through `camelKeys`.
 */

// Values that are data, not baton's schema: an event's payload, a log line's metadata, a step's output.
const opaque = new Set(['payload', 'metadata', 'output', 'outputs', 'inputs', 'input']);

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/** The same value with every key of baton's own objects in camelCase (opaque values are left as they are). */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [camel(key), opaque.has(key) ? inner : camelKeys(inner)]),
  );
}

/** Prints one `--json` value on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
