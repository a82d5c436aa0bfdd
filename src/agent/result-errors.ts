/**
 * The errors of a result message that say something to a person. Claude Code adds its own diagnostics
 * (`[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null` when a turn is stopped,
 * as an interrupt or a cancelled ADW step does); they stay in the event's payload, not in summaries.
 */
export function reportableErrors(errors: readonly string[]): string[] {
  return errors.filter((error) => !/^\s*\[ede_diagnostic\]/.test(error));
}
