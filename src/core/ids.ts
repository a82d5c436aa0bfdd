import { randomUUID } from 'node:crypto';

/** A new random uuid; event ids are made by the writer so retried inserts stay idempotent. */
export function newId(): string {
  return randomUUID();
}

/** The first 8 characters of an id: enough to tell runs apart in names, branches and file paths. */
export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(0, 8);
}
