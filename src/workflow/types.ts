import type { AdwStatus, StepStatus } from '../core/statuses.ts';

/**
 * The contract of baton's ADW engine. Everything in src/workflow is pure: no I/O, no clock (time arrives
 * inside events as `at`), no randomness (ids come from the caller). The imperative shell in
 * src/services reads files, runs agents, writes the ledger and feeds what happened back as events.
 */

/** The built-in step kinds; a custom step is based on none of them. */
export type BuiltinStepKind = 'plan' | 'build' | 'review' | 'fix' | 'test' | 'expert_improve';

/**
 * What an artifact must look like to count:
 * - `spec`: a plan (title + Objective, Step by Step Tasks, Acceptance Criteria sections)
 * - `review`: a risk-tiered review report with a `**Verdict**: PASS|FAIL` line
 * - `fix`: a fix report with a `**Status**:` line (ALL FIXED | PARTIAL | BLOCKED)
 * - `test`: a test report with a `**Verdict**: PASS|FAIL` line
 * - `markdown`: any non-empty file
 */
export type ArtifactFormat = 'spec' | 'review' | 'fix' | 'test' | 'markdown';

export type Verdict = 'PASS' | 'FAIL';
export type RiskTier = 'BLOCKER' | 'HIGH' | 'MEDIUM' | 'LOW';
export type FixStatus = 'ALL_FIXED' | 'PARTIAL' | 'BLOCKED';

/** A predicate on the results of earlier steps (the latest run of the named step counts). */
export type Condition =
  | { step: string; verdict: Verdict }
  | { step: string; status: StepStatus }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export interface StepDefinition {
  /** Unique in its workflow; names the step in the ledger (`adw_step`), its agent and its lane in the UI. */
  name: string;
  /** The built-in step this one is (or is based on), or `custom`. */
  kind: BuiltinStepKind | 'custom';
  description?: string;
  /**
   * A prompt template (custom steps, or to replace a built-in's). Placeholders: {{prompt}} (the user's
   * request), {{artifact_path}}, {{spec_path}}, {{review_path}}, {{adw_id}}, {{workflow}}.
   */
  prompt?: string;
  /** Run a project slash command (`.claude/commands/<command>.md`), its `$ARGUMENTS` being the request. */
  command?: string;
  /** Model alias or id; default: the ADW's model (the review model for `review` steps). */
  model?: string;
  allowedTools?: string[];
  /** The file the step must leave behind, relative to the working directory, and how it is checked. */
  artifact?: { path: string; format: ArtifactFormat };
  /** Parse a PASS/FAIL verdict from the artifact (on by default for `review` and `test` formats). */
  verdict?: boolean;
  /**
   * An agent expert (`.claude/commands/experts/<domain>/`) this step works with, or `{{expert}}` for the
   * ADW's `expert` input. An `expert_improve` step runs its self-improve, checked by baton; any other
   * step gets its expertise in the prompt.
   */
  expert?: string;
  /** Run only when this holds; otherwise the step is recorded as skipped. */
  runIf?: Condition;
  maxTurns?: number;
  maxCostUsd?: number;
  timeoutSeconds?: number;
  /** How many times a failed attempt is retried (a new attempt resumes the same session). */
  retries?: number;
}

/**
 * Repeats the steps from `first` to `last` (inclusive, in definition order) while `until` does not hold,
 * for at most `maxIterations` passes in all (1 = no repetition).
 */
export interface LoopDefinition {
  first: string;
  last: string;
  until: Condition;
  maxIterations: number;
}

export interface WorkflowDefinition {
  name: string;
  description: string;
  steps: StepDefinition[];
  loop?: LoopDefinition;
  /** `builtin` or the file it was read from. */
  source: string;
}

/** What a finished step produced, parsed and checked by the shell (see artifacts.ts). */
export interface StepOutput {
  artifactPath?: string;
  verdict?: Verdict;
  /** Issues per risk tier, from the review report's structure. */
  tiers?: Record<RiskTier, number>;
  fixStatus?: FixStatus;
  /** Title of the spec, first line of a report: one line for people. */
  title?: string;
  filesChanged?: number;
  sessionId?: string;
  [key: string]: unknown;
}

/** One execution slot of a step definition: the definition's first pass, or a later loop iteration. */
export interface StepRun {
  /** Position in the ADW, from 0; stable, and the key of the `adw_steps` row. */
  index: number;
  /** The step definition's name. */
  name: string;
  /** Loop pass, from 1. */
  iteration: number;
  status: StepStatus;
  /**
   * How many times this run has been handed to the queue. The job of dispatch n carries n, so a job from
   * an earlier dispatch (a duplicate, or one left over from before a cancel) is recognised and does nothing.
   */
  dispatch: number;
  /**
   * Attempts started (a retried attempt resumes the same session). The latest attempt's number is its
   * token: only an outcome that carries it can settle the step, so a superseded attempt cannot.
   */
  attempts: number;
  /** Attempts that failed (an error, a timeout, a worker that died); past the step's retries the step fails. */
  failures: number;
  output?: StepOutput;
  error?: string;
  skippedBecause?: string;
  costUsd: number;
  startedAt?: string;
  endedAt?: string;
}

export interface AdwState {
  /** Version of this persisted shape (see src/db/adw-state.ts for the upgrade of older ones). */
  v: 2;
  workflow: WorkflowDefinition;
  status: AdwStatus;
  /** Every step run so far and those still planned; loop iterations append runs. */
  steps: StepRun[];
  iteration: number;
  /** Failed attempts retried for a step that does not set its own `retries`. */
  retries: number;
  pausedReason?: string;
  error?: { step: string; message: string };
  costUsd: number;
  startedAt?: string;
  endedAt?: string;
}

/**
 * What happened, as the shell reports it to the engine. `at` is an ISO timestamp. An attempt's outcome
 * carries the attempt's number (`attempt`), a start or a lost job the dispatch it belongs to; the engine
 * refuses an outcome whose attempt is not the step's latest, or a start from a stale dispatch.
 */
export type AdwEvent =
  | { type: 'adw.started'; at: string }
  | { type: 'step.started'; index: number; dispatch: number; at: string }
  | {
      type: 'step.succeeded';
      index: number;
      attempt: number;
      output: StepOutput;
      costUsd: number;
      at: string;
    }
  /**
   * The attempt failed. `retryable`: another attempt may do better (an agent error, a timeout), so the
   * step runs again while it has retries left; otherwise (an artifact still wrong after its follow-up, a
   * working directory missing) the step fails at once.
   */
  | {
      type: 'step.failed';
      index: number;
      attempt: number;
      error: string;
      retryable: boolean;
      costUsd: number;
      at: string;
    }
  /** The worker running the attempt is shutting down: the step goes back to the queue, no retry used. */
  | { type: 'step.released'; index: number; attempt: number; costUsd: number; at: string }
  /** The step reached a budget: the ADW pauses and the step will run again (resuming its session) on resume. */
  | { type: 'step.paused'; index: number; attempt: number; reason: string; costUsd: number; at: string }
  | { type: 'step.cancelled'; index: number; attempt: number; costUsd: number; at: string }
  /**
   * The queue job of this dispatch ended (completed, failed, expired, cancelled) without the step
   * reporting an outcome: its worker died, or it failed before it could say so. Counts as a failed attempt.
   */
  | { type: 'step.lost'; index: number; dispatch: number; reason: string; costUsd: number; at: string }
  | { type: 'adw.cancelled'; at: string }
  | { type: 'adw.resumed'; at: string };

/** The outcome of an attempt: every event that settles a running attempt. */
export type AttemptOutcome = Extract<
  AdwEvent,
  { type: 'step.succeeded' | 'step.failed' | 'step.released' | 'step.paused' | 'step.cancelled' }
>;

/** What the shell must do next. */
export type AdwCommand =
  | { type: 'run_step'; index: number; dispatch: number }
  | { type: 'stop_step'; index: number }
  | { type: 'finish'; status: 'succeeded' | 'failed' | 'cancelled' }
  | { type: 'pause'; reason: string };

export interface Transition {
  state: AdwState;
  commands: AdwCommand[];
}
