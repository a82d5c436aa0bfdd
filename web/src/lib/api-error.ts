import { ApiError } from '../api/http.ts';

/** A failed action as it is shown where it was taken: what went wrong, and what to do about it. */
export interface ShownError {
  message: string;
  /** The field to change, when the server named one (`body.command`). */
  field?: string;
  todo: string;
}

/** Turns a failure from the REST API into words for the place the person acted in. */
export function shownError(error: unknown, action: string): ShownError {
  if (!(error instanceof ApiError))
    return {
      message: error instanceof Error ? error.message : String(error),
      todo: `Try ${action} again; if it keeps failing, reload the page.`,
    };
  const field = error.field;
  if (error.status === 0)
    return {
      message: error.message,
      todo: `Check that \`baton up\` is still running, then try ${action} again.`,
    };
  if (error.status === 401)
    return {
      message: 'The server no longer accepts this page’s access token.',
      todo: 'Open the URL `baton up` printed (it carries the token).',
    };
  if (error.status === 404)
    return {
      message: error.message,
      todo: 'It may have been deleted meanwhile: the list shows what is left.',
    };
  if (error.status >= 500)
    return {
      message: error.message,
      todo: `Try ${action} again; the terminal running \`baton up\` shows what failed.`,
    };
  // 400 (a tool's own refusal, which names what to change) and 409 (a conflict with the agent's state).
  return {
    message: error.message,
    ...(field && { field }),
    todo: field
      ? `Change ${field.replace(/^body\./, '')} and try again.`
      : 'Change what it names and try again.',
  };
}
