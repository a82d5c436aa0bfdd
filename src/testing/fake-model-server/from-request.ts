/**
 * Scripts are written before the run, but some values only exist in the request: the artifact path an
 * ADW chose, an id. A string in a scripted block may say `{{request:<regex>}}`; it is replaced by the
 * regex's first capture group (or whole match) found in the request's text. No match is a script error.
 */
const placeholder = /\{\{request:(.+?)\}\}/g;

export class MissingRequestValueError extends Error {}

/** The value with every `{{request:…}}` placeholder filled from `requestText` (deeply, in strings). */
export function fillFromRequest<T>(value: T, requestText: string): T {
  if (typeof value === 'string') {
    return value.replace(placeholder, (_, source: string) => {
      const match = new RegExp(source).exec(requestText);
      if (!match) throw new MissingRequestValueError(`no match for {{request:${source}}} in the request`);
      return match[1] ?? match[0];
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item) => fillFromRequest(item, requestText)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fillFromRequest(item, requestText)]),
    ) as T;
  }
  return value;
}
