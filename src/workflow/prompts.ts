import {
  fixReportTemplate,
  reviewReportTemplate,
  specTemplate,
  testReportTemplate,
} from './report-templates.ts';
import type { ArtifactFormat, BuiltinStepKind, StepDefinition } from './types.ts';

/**
 * The prompts of ADW steps. A step's prompt comes from, in order: its own `prompt` template, the project's
 * `.claude/commands/<name>.md` (Claude Code's convention), or baton's built-in prompt for its kind. Whatever
 * the source, baton's contract (where to write the artifact, in which format) closes the prompt, so a
 * project command written for another tool still leaves a file baton can check.
 */

/** The placeholders a prompt template may use, as `{{name}}`. */
export const promptPlaceholders = [
  'prompt',
  'artifact_path',
  'spec_path',
  'review_path',
  'adw_id',
  'workflow',
] as const;
export type PromptPlaceholder = (typeof promptPlaceholders)[number];

export interface StepPromptInput {
  step: StepDefinition;
  /** The request the ADW was started with. */
  userPrompt: string;
  adwId: string;
  workflow: string;
  /** Where this run must leave its artifact, resolved and relative to the working directory. */
  artifactPath?: string;
  /** The spec the plan step wrote, if any. */
  specPath?: string;
  /** The latest review report, if any. */
  reviewPath?: string;
  /**
   * The text of `.claude/commands/<name>.md` when the project supplies it (`<name>` = the step's `command`,
   * or its kind for a built-in step the project overrides).
   */
  projectCommand?: string;
  /** The step's expert's expertise as a prompt section (see src/experts/prompts.ts), when it has one. */
  expertise?: string;
}

/** What a missing path reads as in a prompt: a literal `{{spec_path}}` would only confuse the agent. */
const none = '(none)';

/**
 * The complete prompt of one step run: a header line, the step's instructions, and (when the step has an
 * artifact) baton's contract section at the end.
 * @throws Error when the step names a `command` whose text was not passed, or is a custom step without a
 *   prompt: the shell must check the command file exists before it renders.
 */
export function renderStepPrompt(input: StepPromptInput): string {
  const { step } = input;
  const header = `ADW ${input.adwId} · workflow ${input.workflow} · step ${step.name}`;
  const parts = [header, instructions(input).trim()];
  if (input.expertise) parts.push(input.expertise.trim());
  const contract = contractSection(input);
  if (contract !== undefined) parts.push(contract);
  return `${parts.join('\n\n')}\n`;
}

/**
 * Every `{{name}}` a template uses, unique, in order of first use; names outside `promptPlaceholders` are
 * left as written by `renderStepPrompt`, so workflow-file validation rejects them up front.
 */
export function templatePlaceholders(template: string): string[] {
  const names = [...template.matchAll(placeholderPattern)].map((match) => match[1]!);
  return [...new Set(names)];
}

const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g;

function instructions(input: StepPromptInput): string {
  const { step } = input;
  if (step.prompt !== undefined) return fillTemplate(step.prompt, templateValues(input));
  if (input.projectCommand !== undefined) {
    return expandCommand(stripFrontMatter(input.projectCommand), commandArguments(input));
  }
  if (step.command !== undefined) {
    throw new Error(
      `Step "${step.name}" runs the project command "${step.command}" but its text was not passed to renderStepPrompt.`,
    );
  }
  if (step.kind === 'custom') {
    throw new Error(`Custom step "${step.name}" has neither a prompt nor a command.`);
  }
  if (step.kind === 'expert_improve') {
    throw new Error(`Step "${step.name}" improves an expert: its prompt is the expert's self-improve.`);
  }
  return fillTemplate(builtinPrompts[step.kind], templateValues(input));
}

function templateValues(input: StepPromptInput): Record<PromptPlaceholder, string> {
  return {
    prompt: input.userPrompt,
    artifact_path: input.artifactPath ?? input.step.artifact?.path ?? none,
    spec_path: input.specPath ?? none,
    review_path: input.reviewPath ?? none,
    adw_id: input.adwId,
    workflow: input.workflow,
  };
}

/** One pass: a value containing `{{prompt}}` (a request quoting a template) is not expanded again. */
function fillTemplate(template: string, values: Record<PromptPlaceholder, string>): string {
  return template.replace(placeholderPattern, (placeholder, name: string) =>
    Object.hasOwn(values, name) ? values[name as PromptPlaceholder] : placeholder,
  );
}

/** A command file's YAML front matter (description, allowed-tools…) configures Claude Code, not the agent. */
export function stripFrontMatter(text: string): string {
  return text.replace(/^\uFEFF?---[ \t]*\r?\n(?:[\s\S]*?\r?\n)?---[ \t]*(?:\r?\n|$)/, '');
}

/**
 * What a step passes to a project command, in Claude Code's positional order. The reference built
 * `/review "<request>" <spec>` with only `"` escaped, which let a request inject arguments; here each
 * argument is plain text put in its place, with no shell and no quoting.
 */
function commandArguments(input: StepPromptInput): string[] {
  const spec = input.specPath ?? none;
  switch (input.step.kind) {
    case 'plan':
    case 'custom':
      return [input.userPrompt];
    case 'build':
    case 'test':
      return [spec];
    case 'review':
      return [input.userPrompt, spec];
    case 'fix':
      return [input.userPrompt, spec, input.reviewPath ?? none];
    case 'expert_improve':
      return ['true'];
  }
}

const argumentPattern = /\$ARGUMENTS\[(\d+)\]|\$ARGUMENTS|\$(\d+)/g;

/**
 * Claude Code's substitutions, in one pass (a request that itself contains `$1` stays as written):
 * `$ARGUMENTS` is all arguments joined by spaces, `$1`, `$2`… the arguments from 1 and `$ARGUMENTS[0]`…
 * from 0; a position past the end is empty. A command that uses none of them gets `ARGUMENTS: …` appended,
 * as Claude Code does.
 */
export function expandCommand(body: string, args: string[]): string {
  let used = false;
  const expanded = body.replace(argumentPattern, (_match, fromZero: string | undefined, fromOne?: string) => {
    used = true;
    if (fromZero !== undefined) return args[Number(fromZero)] ?? '';
    if (fromOne !== undefined) return Number(fromOne) === 0 ? '' : (args[Number(fromOne) - 1] ?? '');
    return args.join(' ');
  });
  return used ? expanded : `${expanded.trimEnd()}\n\nARGUMENTS: ${args.join(' ')}`;
}

const templates: Record<Exclude<ArtifactFormat, 'markdown'>, string> = {
  spec: specTemplate,
  review: reviewReportTemplate,
  fix: fixReportTemplate,
  test: testReportTemplate,
};

const formatRules: Record<ArtifactFormat, string> = {
  spec:
    'Keep the `# ` title and the `## ` section headings. Objective, Step by Step Tasks (numbered ' +
    '`### 1. <task>` headings) and Acceptance Criteria are required.',
  review:
    'Keep the headings and the `**Field**:` lines as shown; each issue is a `#### ` heading under its tier ' +
    'with `**Location**:` and `**Recommended fix**:` lines, and a tier without issues says `None`.',
  fix:
    'Keep the headings and the `**Status**:` line; each fix is a `#### ` heading under `## Fixes Applied`. ' +
    'Status is ALL FIXED (every issue fixed, validation passes), PARTIAL (some issues skipped, no BLOCKER ' +
    'left) or BLOCKED (a BLOCKER could not be fixed).',
  test: 'Keep the headings and the `**Field**:` lines as shown.',
  markdown: 'Any Markdown; it must not be empty.',
};

const verdictRules: Partial<Record<ArtifactFormat, string>> = {
  review:
    'The verdict is read from the `**Verdict**:` line and nowhere else: write exactly `**Verdict**: PASS` ' +
    'or `**Verdict**: FAIL`. It must be FAIL if you list any BLOCKER.',
  test:
    'The verdict is read from the `**Verdict**:` line and nowhere else: write exactly `**Verdict**: PASS` ' +
    'or `**Verdict**: FAIL`. It must be FAIL if any test or check failed.',
};

function contractSection(input: StepPromptInput): string | undefined {
  const { artifact } = input.step;
  if (artifact === undefined) return undefined;
  const path = input.artifactPath ?? artifact.path;
  const lines = [
    '## Output required by baton',
    '',
    `Write this step's result to \`${path}\` (relative to the working directory). The file must exist ` +
      'when you finish: baton checks it, the step fails without it, and later steps read it.',
    '',
    artifact.format === 'markdown'
      ? `Format: ${formatRules.markdown}`
      : `Format: ${formatRules[artifact.format]} Replace every \`<…>\` with real content:`,
  ];
  if (artifact.format !== 'markdown') {
    lines.push('', '````markdown', templates[artifact.format].trimEnd(), '````');
  }
  const verdict = verdictRules[artifact.format];
  if (verdict !== undefined) lines.push('', verdict);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Built-in prompts: the substance of the reference's /plan, /build, /review and /fix (and a /test),
// rewritten for baton. Their report formats live in the contract section, not here.

const planPrompt = `You are planning a change to the project in the current working directory. Do not change the project's code in this step: read, think, and write a spec that another engineer could carry out without having seen this conversation.

## Request

{{prompt}}

## How to plan

1. Understand the request, then the code it touches. Read the README and any CLAUDE.md or AGENTS.md, find the relevant code with Glob and Grep, and follow the imports. Note the conventions, how the project is tested, and its validation commands (package.json scripts, Makefile, CI configuration).
2. Decide what kind of work this is (chore, bug fix or feature) and how big (simple, medium or complex). For a feature or any medium or complex work, design before writing: what exists today, what must change, and the smallest design that fully meets the request.
3. Write the spec to {{artifact_path}} with these sections, in this order:
   - \`# <title>\`: a short, specific name for the change.
   - Task Description: the request restated precisely, with the constraints it implies.
   - Objective: what will be true when the work is done.
   - Problem Statement and Solution Approach (features and medium or complex work): what is missing or wrong, and the chosen design with the reason for it; for complex work, its implementation phases.
   - Relevant Files: each existing file to read or change, with one line on why; then a New Files subsection for files to create.
   - Step by Step Tasks: numbered \`### 1. <task>\` headings in the order to do them, each with concrete actions that name files, functions and types. Foundations first; tests and validation last.
   - Testing Strategy: the tests to add or change, and the edge cases they cover.
   - Acceptance Criteria: observable outcomes someone can check.
   - Validation Commands: the exact commands, runnable from the working directory, that prove the work is complete (tests, type checks, linters).
   - Notes: assumptions, open questions, dependencies to add, follow-ups.
4. Be concrete: name files, functions and commands. Leave no placeholders and nothing vague such as "handle errors appropriately".

When the spec is written, reply in a few lines: its path, its title, and its key components.`;

const buildPrompt = `Implement the spec at {{spec_path}} in the current working directory.

## The original request, for context

{{prompt}}

## How to build

1. Read the whole spec first, then the Relevant Files it lists.
2. Carry out the Step by Step Tasks from top to bottom, in order, following the project's existing conventions. If a task turns out to be wrong or impossible, make the smallest sensible deviation and record it; never skip a task silently.
3. Add or update the tests the Testing Strategy asks for.
4. Run every command under Validation Commands. When one fails, fix the cause and run it again, until all pass or you are sure a failure has nothing to do with this change (then say why).
5. Do not commit or push: leave the changes in the working tree for review.

Reply with a short report: a bullet list of what you changed and why, any deviations from the spec, the validation results, and the output of \`git diff --stat\`.`;

const reviewPrompt = `Review the work done in the current working directory for this request:

{{prompt}}

The spec: {{spec_path}}

You are the reviewer, not the author: do not change the project's code. The only file you write is the report.

## How to review

1. Run \`git status\`, \`git diff\` and \`git diff --stat\` to see exactly what changed. Read new (untracked) files in full.
2. Read the spec, if there is one, and check the work against it: every Step by Step Task done, every Acceptance Criterion met.
3. Run the spec's Validation Commands (or the project's tests and type checks): verify what the work claims instead of trusting it.
4. Look for real problems in the changed code: wrong behaviour, security holes (injection, unchecked input, secrets, unsafe paths), data loss, missing or swallowed errors, races, missing tests for new behaviour, performance traps, and departures from the project's conventions.
5. Give each issue a risk tier:
   - BLOCKER: must be fixed before this can ship: required behaviour broken or missing, a security hole, data loss, a failing build or failing tests.
   - HIGH: a likely bug or a serious gap that should be fixed now.
   - MEDIUM: a real but contained problem: an edge case, error handling, maintainability.
   - LOW: polish: naming, style, small simplifications.
   Report only issues you can point to in the code. For each: its Location (file and lines), a Description of what is wrong and what it breaks, the Offending Code, and a Recommended fix (one to three concrete options).
6. Write the report to {{artifact_path}}: a header with Reviewed Work, Spec, Git Diff Summary and the Verdict line; an Executive Summary; a Quick Reference table of all issues; the Issues by tier; Plan Compliance (each spec requirement, met or not); and a Verification Checklist of what you ran and saw.
7. The verdict is FAIL if there is any BLOCKER, and PASS otherwise.

Then reply in a few lines: the report path, the verdict, and the number of issues in each tier.`;

const fixPrompt = `Fix the issues the review found in the work for this request:

{{prompt}}

The spec: {{spec_path}}
The review report: {{review_path}}

## How to fix

1. Read the review report, then the spec, then the code at each issue's Location.
2. Fix the issues in order of risk: every BLOCKER first, then HIGH, then MEDIUM, then LOW. Apply the recommended fix, or a better one if you find it (and say why). Keep each change small and in the project's style, and add or update a test for each change of behaviour.
3. When an issue is not real, or cannot be fixed without a decision from a person, skip it and record why.
4. Run the spec's Validation Commands (or the project's tests and type checks) again, until they pass.
5. Do not commit or push.
6. Write the fix report to {{artifact_path}}: the Status; Fixes Applied, one entry per issue fixed with the code before and after and how you verified it; Skipped Issues with reasons; Validation Results; Files Changed.

Then reply in a few lines: the report path, the status, and what is left.`;

const testPrompt = `Test the work done in the current working directory for this request:

{{prompt}}

The spec: {{spec_path}}

## How to test

1. Find how this project is checked: the spec's Validation Commands first, then package.json scripts, the Makefile, the CI configuration and the README.
2. Run the tests, type checks and linters, each exactly as the project defines it. Do not change code or tests in this step: report what you find.
3. For each failure, record the test or check, its location, and the first lines of its error.
4. Write the test report to {{artifact_path}}, with the number of tests that passed and failed. The verdict is PASS only if every command passed.

Then reply in a few lines: the report path, the verdict, and the counts.`;

/** An `expert_improve` step runs its expert's own self-improve prompt (src/experts), not one of these. */
const builtinPrompts: Record<Exclude<BuiltinStepKind, 'expert_improve'>, string> = {
  plan: planPrompt,
  build: buildPrompt,
  review: reviewPrompt,
  fix: fixPrompt,
  test: testPrompt,
};
