/**
 * Every error baton raises on purpose is an AppError with a stable `code`. Callers branch on `code`
 * (or `instanceof`), never on message text. A UserError's message always names what to change.
 */
export type ErrorCode =
  | 'user_input'
  | 'config'
  | 'not_found'
  | 'conflict'
  | 'database_unavailable'
  | 'data_dir_locked'
  | 'model_error'
  | 'model_behavior'
  | 'agent_failed'
  | 'step_failed'
  | 'internal';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** The input field (tool argument) to change, when one is at fault: tools report it as such. */
  readonly field?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; field?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.field !== undefined) this.field = options.field;
  }
}

/** Bad input or configuration from a person: the message says which flag, variable or field to change. */
export class UserError extends AppError {
  constructor(
    message: string,
    options: { cause?: unknown; code?: 'user_input' | 'config'; field?: string } = {},
  ) {
    super(options.code ?? 'user_input', message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options: { field?: string } = {}) {
    super('not_found', message, options);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options: { cause?: unknown; field?: string } = {}) {
    super('conflict', message, options);
  }
}

/** The database could not be reached; the message names the setting (DATABASE_URL, BATON_HOME) involved. */
export class DatabaseUnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('database_unavailable', message, { ...options, retryable: true });
  }
}

/** The model returned something we cannot use (an artifact missing, a verdict that does not parse). */
export class ModelBehaviorError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('model_behavior', message, { ...options, retryable: true });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * A one-line description of anything thrown or emitted as an error, for logs and ledger rows: an Error's
 * message, an error-like object's `message` (or the `error` it wraps, as some libraries emit), else JSON.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error !== null && typeof error === 'object') {
    const { message, error: wrapped } = error as { message?: unknown; error?: unknown };
    if (typeof message === 'string' && message) return message;
    if (wrapped !== undefined && wrapped !== error) return describeError(wrapped);
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}
