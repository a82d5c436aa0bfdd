import { expect } from 'vitest';

// Recorded data keeps its own keys (see src/cli/json-output.ts).
const opaque = new Set(['payload', 'metadata', 'output', 'outputs', 'inputs', 'input']);

/**
 * Asserts the one `--json` style: camelCase keys, and every id either an object's own `id` or `<kind>Id`
 * (never `run_id`, `adw_id` or an id under another name).
 */
export function expectJsonStyle(value: unknown, where: string, path = '$'): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => expectJsonStyle(item, where, `${path}[${index}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    expect(key, `${where}: ${path}.${key}`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    if (/id$/i.test(key)) expect(key, `${where}: ${path}.${key}`).toMatch(/^(id|[a-z][a-zA-Z]*Id)$/);
    if (!opaque.has(key)) expectJsonStyle(inner, where, `${path}.${key}`);
  }
}
