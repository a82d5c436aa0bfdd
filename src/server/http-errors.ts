import type { z } from 'zod';
import { AppError, describeError } from '../core/errors.ts';
import type { ErrorBody } from '../protocol/rest.ts';

/** A request the server refuses: the status, a stable code, and the field to change when one is wrong. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Parses one part of a request; a failure names the field (`body.prompt`, `query.limit`). */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? [issue.keys[0]!] : [];
  const field = [where, ...issue.path.map(String), ...keys].join('.');
  const message =
    issue.code === 'unrecognized_keys'
      ? 'is not a field of this request'
      : issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
        ? `is required (${issue.expected})`
        : issue.message;
  throw new RequestError(400, 'bad_field', `${field}: ${message}`, field);
}

const statusByCode: Partial<Record<AppError['code'], number>> = {
  user_input: 400,
  config: 400,
  not_found: 404,
  conflict: 409,
  database_unavailable: 503,
};

/** The status and body for anything a handler threw. Unknown errors are 500s without their details. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof RequestError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, field: error.field } },
    };
  }
  if (error instanceof AppError) {
    const status = statusByCode[error.code] ?? 500;
    const message = status === 500 ? 'internal error' : describeError(error);
    return { status, body: { error: { code: error.code, message } } };
  }
  // Fastify's own refusals (malformed JSON, a body too large, an unsupported content type) carry a 4xx.
  const fastify = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return {
      status: fastify.statusCode,
      body: { error: { code: fastify.code ?? 'bad_request', message: fastify.message ?? 'bad request' } },
    };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}
