import type { AdwStatus, StepStatus } from '../core/statuses.ts';

/**
 * The contract of baton's ADW engine. Everything in src/workflow is pure: no I/O, no clock (time arrives
 * inside events as `at`), no randomness (ids come from the caller). The imperative shell in
 * src/orchestrator reads files, runs agents, writes the ledger and feeds what happened back as events.
 */

/** The built-in step kinds; a custom step is based on none of them. */
export type BuiltinStepKind = 'plan' | 'build' | 'review' | 'fix' | 'test';

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
  /** Attempts started (a retried attempt resumes the same session). */
  attempts: number;
  output?: StepOutput;
  error?: string;
  skippedBecause?: string;
  costUsd: number;
  startedAt?: string;
  endedAt?: string;
}

export interface AdwState {
  /** Version of this persisted shape. */
  v: 1;
  workflow: WorkflowDefinition;
  status: AdwStatus;
  /** Every step run so far and those still planned; loop iterations append runs. */
  steps: StepRun[];
  iteration: number;
  pausedReason?: string;
  error?: { step: string; message: string };
  costUsd: number;
  startedAt?: string;
  endedAt?: string;
}

/** What happened, as the shell reports it to the engine. `at` is an ISO timestamp. */
export type AdwEvent =
  | { type: 'adw.started'; at: string }
  | { type: 'step.started'; index: number; at: string }
  | { type: 'step.succeeded'; index: number; output: StepOutput; costUsd: number; at: string }
  | { type: 'step.failed'; index: number; error: string; costUsd: number; at: string }
  /** The step reached a budget: the ADW pauses and the step will run again (resuming its session) on resume. */
  | { type: 'step.paused'; index: number; reason: string; costUsd: number; at: string }
  | { type: 'step.cancelled'; index: number; costUsd: number; at: string }
  | { type: 'adw.cancelled'; at: string }
  | { type: 'adw.resumed'; at: string };

/** What the shell must do next. */
export type AdwCommand =
  | { type: 'run_step'; index: number }
  | { type: 'stop_step'; index: number }
  | { type: 'finish'; status: 'succeeded' | 'failed' | 'cancelled' }
  | { type: 'pause'; reason: string };

export interface Transition {
  state: AdwState;
  commands: AdwCommand[];
}
