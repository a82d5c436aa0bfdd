import { plural } from '../core/plural.ts';
import { existsSync } from 'node:fs';
import type { AdwRow, AdwStepRow } from '../db/adws.ts';
import { riskTiers } from '../workflow/artifacts.ts';
import { paint, printable, usd } from './terminal.ts';
import { baton } from './invocation.ts';

const stepIcons: Record<string, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  skipped: '↷',
  cancelled: '■',
};

export function stepLabel(step: Pick<AdwStepRow, 'name' | 'iteration'>): string {
  return step.iteration > 1 ? `${step.name} #${step.iteration}` : step.name;
}

/** One line of what a step produced: its verdict and tiers, fix status, artifact, files changed. */
export function stepResult(step: AdwStepRow): string {
  const output = step.output as Record<string, unknown>;
  if (step.status === 'failed') return step.error_message ?? '';
  if (step.status === 'skipped') return step.skipped_reason ?? '';
  const parts: string[] = [];
  if (output.verdict) {
    const tiers = output.tiers as Record<string, number> | undefined;
    const counts = tiers
      ? riskTiers.filter((tier) => tiers[tier]).map((tier) => `${tiers[tier]} ${tier}`)
      : [];
    parts.push(`verdict ${output.verdict}${tiers ? ` (${counts.join(', ') || 'no issues'})` : ''}`);
  }
  if (output.fixStatus) parts.push(`fix ${String(output.fixStatus).replace('_', ' ')}`);
  if (typeof output.filesChanged === 'number' && !output.verdict) {
    parts.push(`${plural(output.filesChanged, 'file')} changed`);
  }
  if (output.artifactPath) parts.push(String(output.artifactPath));
  return parts.join(' · ');
}

export function stepIcon(status: string): string {
  const icon = stepIcons[status] ?? '?';
  if (status === 'succeeded') return paint('green', icon);
  if (status === 'failed') return paint('red', icon);
  if (status === 'running') return paint('cyan', icon);
  return paint('dim', icon);
}

/** The one object `baton adw run --json` (and `adw show --json`) prints. */
export function adwJson(row: AdwRow, steps: AdwStepRow[]) {
  return {
    id: row.id,
    name: row.name,
    workflow: row.workflow,
    status: row.status,
    prompt: row.inputs.prompt,
    steps: steps.map((step) => ({
      name: step.name,
      iteration: step.iteration,
      status: step.status,
      attempts: step.attempt,
      costUsd: step.cost_usd,
      output: step.output,
      error: step.error_message,
      skippedReason: step.skipped_reason,
    })),
    totalSteps: row.total_steps,
    completedSteps: row.completed_steps,
    costUsd: row.cost_usd,
    maxCostUsd: row.max_cost_usd,
    branch: row.branch,
    worktree: row.worktree_path,
    workingDir: row.inputs.cwd,
    pausedReason: row.paused_reason,
    error: row.error_message,
    errorStep: row.error_step,
    outputs: row.outputs,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
  };
}

// How each status is headed: only a failure is a red ✗; a running ADW is not one.
const titles: Record<string, { style: Parameters<typeof paint>[0]; icon: string }> = {
  succeeded: { style: 'green', icon: '✓' },
  pending: { style: 'cyan', icon: '▶' },
  running: { style: 'cyan', icon: '▶' },
  paused: { style: 'yellow', icon: '⏸' },
  cancelled: { style: 'yellow', icon: '■' },
  failed: { style: 'red', icon: '✗' },
};

/**
 * The commands worth running next, each one that works in the ADW's state (test/adw-cli-states.test.ts
 * runs them): follow or stop one that goes on; continue one that stopped (with the budget flag a pause
 * needs); merge one that succeeded on a branch.
 */
export function adwHints(row: AdwRow): { label: string; command: string }[] {
  const id = row.id;
  const events = { label: 'events', command: `${baton()} adw events ${id}` };
  switch (row.status) {
    case 'pending':
    case 'running':
      return [
        { label: 'follow it', command: `${baton()} adw events ${id} --follow` },
        { label: 'stop it', command: `${baton()} adw cancel ${id}` },
      ];
    case 'paused':
      return [
        { label: 'continue', command: `${baton()} adw resume ${id}${budgetFlags(row)}` },
        { label: 'stop it', command: `${baton()} adw cancel ${id}` },
        events,
      ];
    case 'failed':
    case 'cancelled':
      return [{ label: 'continue', command: `${baton()} adw resume ${id}` }, events, ...cleanUp(row)];
    default: {
      const merge = row.branch
        ? [{ label: 'merge it', command: `git -C ${row.working_dir} merge ${row.branch}` }]
        : [];
      return [...merge, events, ...cleanUp(row)];
    }
  }
}

/**
 * For an ADW that ended in a worktree that is still there: what `baton gc` would remove (it removes the
 * worktrees of ADWs ended over 7 days ago; `--older-than 0` counts this one too).
 */
function cleanUp(row: AdwRow): { label: string; command: string }[] {
  if (!row.worktree_path || !existsSync(row.worktree_path)) return [];
  return [{ label: 'clean up', command: `${baton()} gc --older-than 0 --dry-run` }];
}

/** What a resume of a paused ADW must raise: a budget it used up would pause it again at once. */
function budgetFlags(row: AdwRow): string {
  const flags: string[] = [];
  // Within a millionth of a dollar: the ledger's precision (core/limits.ts).
  if (row.max_cost_usd !== null && row.cost_usd >= row.max_cost_usd - 0.000001) flags.push(' --add-cost USD');
  if (row.inputs.maxTurns !== undefined && /turn/i.test(row.paused_reason ?? ''))
    flags.push(' --add-turns N');
  return flags.join('');
}

/** The human summary at the end of `adw run` and in `adw show`. */
export function printAdwSummary(row: AdwRow, steps: AdwStepRow[]): void {
  const { style, icon } = titles[row.status] ?? { style: 'dim', icon: '?' };
  const title = paint(style, `${icon} ADW ${row.status}`);
  const duration = row.duration_ms ? ` · ${(row.duration_ms / 1000).toFixed(1)}s` : '';
  console.log(
    `\n${title} · ${row.workflow} · ${row.completed_steps}/${plural(row.total_steps, 'step')} · ${usd(row.cost_usd)}${duration}`,
  );
  for (const step of steps) {
    console.log(
      `  ${stepIcon(step.status)} ${stepLabel(step).padEnd(12)} ${step.status.padEnd(10)} ${usd(step.cost_usd).padStart(8)}  ${printable(stepResult(step))}`,
    );
  }
  if (row.paused_reason) console.log(paint('yellow', `  paused: ${printable(row.paused_reason)}`));
  if (row.error_message)
    console.log(paint('red', `  failed at ${row.error_step}: ${printable(row.error_message)}`));
  const commit = (row.outputs as { commit?: string }).commit;
  if (row.branch) {
    // Where the work is: the worktree until `baton gc` removes it, the branch as long as it exists.
    const where =
      row.worktree_path && existsSync(row.worktree_path)
        ? `in ${row.worktree_path}`
        : `(its worktree ${row.worktree_path} was removed)`;
    console.log(`  branch ${row.branch} ${where}${commit ? ` (commit ${commit.slice(0, 10)})` : ''}`);
  } else {
    console.log(`  worked in place in ${row.inputs.cwd}`);
  }
  for (const hint of adwHints(row)) console.log(paint('dim', `  ${hint.label}: ${hint.command}`));
}
