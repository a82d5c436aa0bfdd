import { plural } from '../../core/plural.ts';
import { EventType, type EventDraft } from '../../core/events.ts';
import { newId } from '../../core/ids.ts';
import type { AdwState, StepRun } from '../../workflow/types.ts';

/**
 * The ledger events that say what one engine transition changed: the ADW's own lifecycle (system) and
 * each step's start, end or skip (adw_step). Derived from the states before and after, so every change
 * is told exactly once, whatever event caused it.
 */
export function transitionEvents(adwId: string, before: AdwState, after: AdwState, at: Date): EventDraft[] {
  const drafts: EventDraft[] = [];
  const add = (
    category: EventDraft['category'],
    type: string,
    payload: Record<string, unknown>,
    summary: string,
    step?: StepRun,
  ) =>
    drafts.push({
      id: newId(),
      category,
      type,
      adwId,
      adwStep: step?.name,
      payload,
      summary,
      occurredAt: at,
    });

  // Told in the order it happened: a start or resume before the steps it runs, an end or pause after.
  const beginning = after.status === 'running' && before.status !== 'running';
  if (beginning) describeAdw();
  for (const step of after.steps) {
    const previous = before.steps[step.index];
    const label = step.iteration > 1 ? `${step.name} #${step.iteration}` : step.name;
    if (
      step.status === 'running' &&
      (previous?.status !== 'running' || previous.attempts !== step.attempts)
    ) {
      add(
        'adw_step',
        EventType.StepStart,
        { index: step.index, iteration: step.iteration, attempt: step.attempts },
        step.attempts > 1 ? `Step ${label} started (attempt ${step.attempts})` : `Step ${label} started`,
        step,
      );
    } else if (
      step.status !== previous?.status &&
      ['succeeded', 'failed', 'cancelled'].includes(step.status)
    ) {
      add(
        'adw_step',
        EventType.StepEnd,
        {
          index: step.index,
          iteration: step.iteration,
          status: step.status,
          output: step.output ?? null,
          error: step.error ?? null,
          cost_usd: step.costUsd,
          attempts: step.attempts,
          duration_ms:
            step.startedAt && step.endedAt ? Date.parse(step.endedAt) - Date.parse(step.startedAt) : null,
        },
        stepEndSummary(label, step),
        step,
      );
    } else if (
      step.status === 'pending' &&
      after.status === 'running' &&
      before.status === 'running' &&
      previous !== undefined &&
      previous.dispatch > 0 &&
      step.dispatch > previous.dispatch
    ) {
      const failed = step.failures > previous.failures;
      add(
        'adw_step',
        EventType.StepRequeued,
        {
          index: step.index,
          iteration: step.iteration,
          attempt: step.attempts,
          failures: step.failures,
          dispatch: step.dispatch,
          reason: failed ? (step.error ?? null) : 'released',
        },
        failed
          ? `Step ${label} queued again after a failed attempt (${step.failures} so far): ${step.error ?? ''}`
          : `Step ${label} handed back to the queue (its worker stopped); no retry used`,
        step,
      );
    } else if (step.status === 'skipped' && previous?.status !== 'skipped') {
      add(
        'adw_step',
        EventType.StepSkipped,
        { index: step.index, iteration: step.iteration, reason: step.skippedBecause ?? null },
        `Step ${label} skipped: ${step.skippedBecause ?? ''}`,
        step,
      );
    }
  }
  if (!beginning) describeAdw();
  return drafts;

  function describeAdw(): void {
    // An ADW has ended once its last step has stopped too: a cancelled ADW's running step reports its
    // cost as it stops, so AdwEnded waits for it and carries the final total.
    if (hasEnded(after) && !hasEnded(before)) {
      add(
        'system',
        EventType.AdwEnded,
        {
          status: after.status,
          error: after.error ?? null,
          cost_usd: after.costUsd,
          completed_steps: completed(after),
        },
        after.status === 'failed'
          ? `Workflow failed at ${after.error?.step}: ${after.error?.message}`
          : `Workflow ${after.status} (${completed(after)}/${plural(after.steps.length, 'step')}, $${after.costUsd.toFixed(4)})`,
      );
      return;
    }
    if (before.status !== after.status) {
      const workflow = after.workflow.name;
      if (after.status === 'running' && before.status === 'pending') {
        add(
          'system',
          EventType.AdwStarted,
          { workflow, total_steps: after.steps.length },
          `Workflow ${workflow} started`,
        );
      } else if (after.status === 'running') {
        add(
          'system',
          EventType.AdwResumed,
          { workflow, from: before.status },
          `Workflow ${workflow} resumed`,
        );
      } else if (after.status === 'paused') {
        add(
          'system',
          EventType.AdwPaused,
          { reason: after.pausedReason ?? null },
          `Workflow paused: ${after.pausedReason ?? ''}`,
        );
      }
    }
  }
}

function hasEnded(state: AdwState): boolean {
  return (
    (state.status === 'succeeded' || state.status === 'failed' || state.status === 'cancelled') &&
    !state.steps.some((step) => step.status === 'running')
  );
}

function completed(state: AdwState): number {
  return state.steps.filter((step) => step.status === 'succeeded' || step.status === 'skipped').length;
}

function stepEndSummary(label: string, step: StepRun): string {
  if (step.status === 'failed') return `Step ${label} failed: ${step.error ?? ''}`;
  if (step.status === 'cancelled') return `Step ${label} cancelled`;
  const verdict = step.output?.verdict ? ` · verdict ${step.output.verdict}` : '';
  const tiers = step.output?.tiers
    ? ` (${
        Object.entries(step.output.tiers)
          .filter(([, count]) => count > 0)
          .map(([tier, count]) => `${count} ${tier}`)
          .join(', ') || 'no issues'
      })`
    : '';
  const artifact = step.output?.artifactPath ? ` · ${step.output.artifactPath}` : '';
  return `Step ${label} succeeded${verdict}${tiers}${artifact}`;
}
