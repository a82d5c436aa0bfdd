/** Token counts of one model call or a sum of calls, as the Messages API reports them. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

/**
 * What Claude Code reports for a whole session at the end of each run (`total_cost_usd`, `modelUsage`):
 * cumulative since the session began, across resumed runs. Stored per run, it is the baseline of the next.
 */
export interface SessionUsage {
  totalCostUsd: number;
  byModel: Record<string, TokenUsage>;
}
