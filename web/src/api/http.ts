import type { z } from 'zod';
import type { ErrorBody } from '@protocol';

/** A REST call that did not succeed: the server's `{error}` when it sent one, else what went wrong. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The field to change (`query.limit`), when the server named one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * JSON over fetch, same origin: the access token travels as the HttpOnly cookie the server set when the
 * page was opened with `?token=`, so no script ever holds it. Answers are checked with `schema`.
 */
export async function requestJson<T>(
  fetchImpl: FetchLike,
  path: string,
  schema: z.ZodType<T>,
  init: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (error) {
    throw new ApiError(0, 'offline', `baton's server did not answer (${String(error)})`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'bad_response', `${path} answered ${response.status} with no JSON`);
  }
  if (!response.ok) {
    const error = (json as Partial<ErrorBody>).error;
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `${path} answered ${response.status}`,
      error?.field,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      response.status,
      'bad_response',
      `${path} answered a shape the UI does not know (${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''})`,
    );
  }
  return parsed.data;
}
