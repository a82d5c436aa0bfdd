import { plural } from '../core/plural.ts';
import { reportableErrors } from './result-errors.ts';
import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describeError } from '../core/errors.ts';
import type { RunStatus } from '../core/statuses.ts';
import type { FileChangeSummary } from './file-tracker.ts';

/**
 * How a run ended, from its result message (if any), what was thrown, and whether baton stopped it:
 * an interrupt or a reached budget is not a failure.
 */
export function classify(
  final: SDKResultMessage | undefined,
  thrown: unknown,
  stopRequested: 'interrupted' | 'max_cost' | undefined,
  stderrTail: string,
): { status: RunStatus; stopReason?: string; error?: string } {
  if (stopRequested === 'interrupted') return { status: 'interrupted', stopReason: 'interrupted' };
  if (stopRequested === 'max_cost') {
    return {
      status: 'budget_exceeded',
      stopReason: 'max_cost',
      error: 'The run reached its cost budget (--max-cost)',
    };
  }
  if (final?.subtype === 'error_max_turns') {
    return {
      status: 'budget_exceeded',
      stopReason: 'max_turns',
      error: `The run reached its turn limit (--max-turns ${final.num_turns})`,
    };
  }
  if (final?.subtype === 'error_max_budget_usd') {
    return { status: 'budget_exceeded', stopReason: 'max_cost', error: 'The run reached its cost budget' };
  }
  if (final && final.subtype === 'success' && !final.is_error) return { status: 'succeeded' };
  if (final) {
    const detail = final.subtype === 'success' ? final.result : reportableErrors(final.errors).join('; ');
    return { status: 'failed', error: detail || `Claude Code ended with ${final.subtype}` };
  }
  const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
  return {
    status: 'failed',
    error: `${describeError(thrown ?? 'Claude Code ended without a result')}${tail ? ` (stderr: ${tail})` : ''}`,
  };
}

/** "2 files changed: 1 created, 1 modified, 0 deleted (+12 −3)" */
export function fileChangeSummary(changes: FileChangeSummary): string {
  if (changes.error) return `File tracking failed: ${changes.error}`;
  if (changes.files.length === 0) return 'No files changed';
  const count = (status: string) => changes.files.filter((file) => file.status === status).length;
  return `${plural(changes.files.length, 'file')} changed: ${count('created')} created, ${count('modified')} modified, ${count('deleted')} deleted (+${changes.totalAdded} −${changes.totalRemoved})`;
}
