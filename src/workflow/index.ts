/**
 * The ADW engine, pure: workflows as data, `advance(state, event) → { state, commands }`, and the parsing
 * of what steps leave behind. No I/O, no clock, no randomness; the shell in src/orchestrator does those.
 */

export type * from './types.ts';

export { advance, initialState, InvalidTransitionError } from './engine.ts';
export { describeCondition, evaluate, conditionSteps, latestRun, statusIs, verdictIs } from './conditions.ts';
export { artifactPath, artifactPlaceholders, builtinSteps, slugify } from './builtin-steps.ts';
export type { ArtifactContext } from './builtin-steps.ts';
export { builtinWorkflows, withFixRounds } from './builtin-workflows.ts';
export { normalizeWorkflowName, parseAdwTrigger } from './trigger.ts';
export type { AdwTrigger } from './trigger.ts';

// Artifact checks and verdict parsing (artifacts.ts), step prompts (prompts.ts) and workflow files
// (workflow-file.ts) are exported here too:
// --- artifacts.ts, prompts.ts, workflow-file.ts ---
