import type { ErrorCode } from '../core/errors.ts';

/** What `baton` exits with, so scripts can tell a failed run from a typo from a missing database. */
export const ExitCode = {
  ok: 0,
  /** The agent run (or ADW) ran but did not succeed: failed, interrupted, out of budget. */
  runFailed: 1,
  /** Bad flags, input or configuration: the message says what to change. */
  usage: 2,
  /** The environment is not ready: the database is unreachable, the data directory is locked. */
  environment: 3,
  internal: 70,
  /**
   * Stopped by Ctrl-C (SIGINT), after stopping cleanly: 128 + 2, what a shell reports for a process the
   * signal ended, and what `npx` exits with whatever its child does, so it is the same code either way.
   */
  interrupted: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'user_input':
    case 'config':
    case 'not_found':
    case 'conflict':
      return ExitCode.usage;
    case 'database_unavailable':
    case 'data_dir_locked':
      return ExitCode.environment;
    case 'agent_failed':
    case 'step_failed':
    case 'model_error':
    case 'model_behavior':
      return ExitCode.runFailed;
    default:
      return ExitCode.internal;
  }
}
