/**
 * The ADW engine, pure: workflows as data, `advance(state, event) → { state, commands }`, and the parsing
 * of what steps leave behind. No I/O, no clock, no randomness; the shell in src/services does those.
 */

export type * from './types.ts';

export { advance, initialState, InvalidTransitionError, nextPending } from './engine.ts';
export { parseAdwState } from './state.ts';
export { describeCondition, evaluate, conditionSteps, latestRun, statusIs, verdictIs } from './conditions.ts';
export { artifactPath, artifactPlaceholders, builtinSteps, slugify } from './builtin-steps.ts';
export type { ArtifactContext } from './builtin-steps.ts';
export {
  builtinWorkflows,
  expertInput,
  needsExpertInput,
  stepExpert,
  withFixRounds,
} from './builtin-workflows.ts';
export { normalizeWorkflowName, parseAdwTrigger } from './trigger.ts';
export type { AdwTrigger } from './trigger.ts';

export {
  fixReportTemplate,
  parseArtifact,
  parseFixReport,
  parseReview,
  parseSpec,
  parseTestReport,
  reviewReportTemplate,
  riskTiers,
  specTemplate,
  testReportTemplate,
} from './artifacts.ts';
export type {
  FixSummary,
  Result,
  ReviewIssue,
  ReviewSummary,
  SpecSummary,
  StepOutputFields,
  TestSummary,
} from './artifacts.ts';
export { promptPlaceholders, renderStepPrompt, templatePlaceholders } from './prompts.ts';
export type { PromptPlaceholder, StepPromptInput } from './prompts.ts';
export { parseWorkflowFile } from './workflow-file.ts';
