/**
 * Agent experts: `.claude/commands/experts/<domain>/` (Claude Code's convention) with an expertise file
 * (the expert's mental model) and its prompts, and baton's checks of that file against the code. Pure
 * parts (domain, expertise, claims, prompts, default prompts) and file-system/git parts (discovery,
 * check-claims, check-expertise, git) are separate files; nothing here touches the database. The
 * autocomplete expert's prompt and answer reading are pure too (its learning is in the database).
 */
export { readAutocompleteAnswer, suggestionRules } from './autocomplete-answer.ts';
export type { AnswerReading, Suggestion } from './autocomplete-answer.ts';
export { autocompleteBounds, buildAutocompletePrompt } from './autocomplete-prompt.ts';
export type {
  AutocompleteHistoryDigest,
  AutocompleteHistoryItem,
  AutocompletePrompt,
  AutocompletePromptInput,
  AutocompleteWorkspace,
} from './autocomplete-prompt.ts';
export { extractClaims, symbolName } from './claims.ts';
export type { Claim, ClaimKind } from './claims.ts';
export { checkClaims } from './check-claims.ts';
export type { StaleClaim } from './check-claims.ts';
export { checkExpertiseFile, checkExpertiseText, followUpFor } from './check-expertise.ts';
export type { ExpertiseCheck, ExpertiseProblem } from './check-expertise.ts';
export { defaultPrompts } from './default-prompts.ts';
export { discoverExpertDomains, loadExpertFiles, requirePrompt, scaffoldExpert } from './discovery.ts';
export type { ExpertFiles } from './discovery.ts';
export { checkDomain, domainPattern, expertPaths, expertsFolder } from './domain.ts';
export type { ExpertPaths } from './domain.ts';
export { defaultMaxLines, lineCount, maxLinesOf, normalizedExpertise, parseExpertise } from './expertise.ts';
export { filesChangedSince, headCommit, resolveRevision, unifiedDiff } from './git.ts';
export { expertiseSection, planPrompt, questionPrompt, selfImprovePrompt } from './prompts.ts';
