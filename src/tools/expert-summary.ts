import { plural } from '../core/plural.ts';
import type { ImproveResult } from '../services/experts/expert-service.ts';

/** What a series of self-improve rounds did, as one short text for a model or a person. */
export function improveText(domain: string, result: ImproveResult): string {
  const ended: Record<ImproveResult['ended'], string> = {
    stable: 'stable: the last round changed nothing',
    max_rounds: 'the round limit was reached while the expertise still changed',
    one_round: 'one round, as asked',
    rejected: 'the file stayed invalid or over its limit; the last good version was restored',
    failed: 'an agent run failed; the expertise is as it was after the last good round',
  };
  const rounds = result.rounds.map(
    (round) =>
      `  round ${round.round}: ${round.outcome}${round.version ? ` → version ${round.version}` : ''}` +
      `${round.followUps ? `, ${plural(round.followUps, 'follow-up')}` : ''}` +
      `${round.staleClaims ? `, ${plural(round.staleClaims, 'stale claim')} left` : ''}` +
      `${round.detail && round.outcome !== 'accepted' ? ` (${round.detail})` : ''}`,
  );
  return [
    `Expert ${domain}: ${result.rounds.length} round(s), ended ${ended[result.ended]}.`,
    ...rounds,
  ].join('\n');
}

/** The same as data. */
export function improveData(result: ImproveResult): Record<string, unknown> {
  return {
    expert_id: result.expert.id,
    ended: result.ended,
    rounds: result.rounds.map((round) => ({
      round: round.round,
      outcome: round.outcome,
      follow_ups: round.followUps,
      run_id: round.runId,
      version: round.version ?? null,
      stale_claims: round.staleClaims,
      detail: round.detail ?? null,
    })),
    versions: result.versions.map((version) => ({
      version: version.version,
      lines: version.line_count,
      stale_claims: version.stale_claim_count,
      commit: version.git_commit,
      run_id: version.run_id,
    })),
    ...(result.scaffolded ? { scaffolded: result.scaffolded } : {}),
  };
}
