import type { ExpertPaths } from './domain.ts';

/**
 * The prompts `baton expert init` writes into a new expert's folder: ordinary Claude Code slash commands
 * (`/experts:<domain>:question` …), so they work in Claude Code itself too. They carry the substance of
 * the reference's expert prompts: question answers from the expertise and checks it against the code;
 * self-improve validates the expertise against the code, fixes what is wrong and keeps it under
 * MAX_LINES; plan writes a domain-informed spec; plan_build_improve chains plan → build → self-improve.
 * Files that already exist are never overwritten: a person's own prompts win.
 */
export function defaultPrompts(domain: string, paths: ExpertPaths, focus?: string): Record<string, string> {
  const focusLine = focus ? `\nThe expert's focus: ${focus}\n` : '';
  return {
    [paths.question]: `---
description: Ask the ${domain} expert a question (read-only; answers cite files and lines)
argument-hint: [question]
allowed-tools: Read, Glob, Grep
---

# ${domain} expert: question

Answer a question about the ${domain} part of this codebase from your expertise, checked against the code. Do not change any file.

## Variables

EXPERTISE_PATH: ${paths.expertise}
QUESTION: $ARGUMENTS
${focusLine}
## Workflow

1. Read the expertise (EXPERTISE_PATH) unless it is already given below: it is your mental model of this area, not the source of truth.
2. Validate the parts the question touches against the code: open the files it names, and find the functions, classes, tables, events and routes with Grep. The code wins wherever the two disagree; say so in the answer.
3. Answer the question directly, with evidence: exact file paths and line numbers (\`path/to/file.ts:42\`), the relevant signatures or snippets, and a short conceptual explanation. A small diagram helps when the answer is a flow.
4. If the expertise is wrong or missing something, end with a "Stale expertise" note listing what to fix, so a later self-improve can learn it.

## Report

- Answer (first, in one or two sentences)
- Evidence (files and lines)
- Explanation
- Stale expertise (if any)
`,
    [paths.selfImprove]: `---
description: Check the ${domain} expertise against the code and fix it (the expert learns)
argument-hint: [check_git_diff: true|false] [focus area]
allowed-tools: Read, Grep, Glob, Bash, Edit, Write, TodoWrite
---

# ${domain} expert: self-improve

Keep the expertise file accurate: compare it with the code, the only source of truth, and update it. You maintain your own mental model; nobody edits it by hand.

## Variables

EXPERTISE_PATH: ${paths.expertise}
CHECK_GIT_DIFF: $1 (default false)
FOCUS_AREA: $2
MAX_LINES: 1000
${focusLine}
## Workflow

1. If CHECK_GIT_DIFF is true, run \`git diff\` (and \`git log -5 --stat\`) to see what changed recently, and start there.
2. Read EXPERTISE_PATH. If it does not exist yet, explore the ${domain} area first (Glob, Grep, the key files) and create it.
3. Validate it against the code: read every key file it lists, and grep for every function, class, table, event and route it names. Compare paths, line numbers, signatures, event fields, step counts and schema.
4. List the discrepancies: what is wrong, what is missing, what no longer exists.
5. Update the YAML: add, correct and remove entries. Record knowledge, not a log: no "summary of work done".
6. Enforce the line limit: run \`wc -l\` on the file; while it is over MAX_LINES, trim the least critical content and check again.
7. Check the file is valid YAML (for example \`node -e "require('yaml')"\` is not always available; \`python3 -c "import yaml,sys; yaml.safe_load(open(sys.argv[1]))" FILE\` is one way).

## How to write the expertise (baton checks it)

- One YAML mapping. Suggested top-level keys: \`overview\` (description, key_files, architecture), \`core_implementation\`, \`data_flow\`, \`functions\`, \`classes\`, \`tables\`, \`events\`, \`routes\`, \`best_practices\`, \`known_issues\`, \`key_file_locations\`.
- File paths are relative to the project root (\`src/db/pool.ts\`, optionally with \`:line\`).
- Name symbols under keys called \`functions\`, \`classes\`, \`tables\`, \`events\`, \`routes\` or \`symbols\` (a list of names, or a mapping from name to description). Every file and symbol you name must exist in the code.

## Report

- Summary
- Discrepancies found
- Updates made
- Line limit: initial, final, iterations
- Validation: YAML valid or not
- Codebase references checked

"Nothing to update" is a fine outcome. Run this again until it finds nothing new.
`,
    [paths.plan]: `---
description: Plan a change in the ${domain} area, informed by the expert's expertise
argument-hint: [task]
allowed-tools: Read, Glob, Grep, Write, TodoWrite
---

# ${domain} expert: plan

Write an implementation plan for a task in the ${domain} area, using your expertise so the plan fits how this code really works.

## Variables

EXPERTISE_PATH: ${paths.expertise}
TASK: $ARGUMENTS
${focusLine}
## Workflow

1. Read the expertise (unless it is given below) and the critical files it lists for this task; check what you rely on against the code.
2. Design the smallest change that fully does the task, following the patterns, best practices and known issues the expertise records.
3. Write the spec (a Markdown file) with: a \`# <title>\`; Task Description; Objective; Relevant Files; Step by Step Tasks as numbered \`### 1. <task>\` headings that name files and functions; Testing Strategy; Acceptance Criteria; Validation Commands; Notes.
4. Reply with the spec's path and a few lines on its key decisions.
`,
    [paths.planBuildImprove]: `---
description: Plan, build and then self-improve the ${domain} expert (act → learn → reuse)
argument-hint: [request]
allowed-tools: Task, TodoWrite
---

# ${domain} expert: plan → build → improve

Run the expert workflow for a request, each step in a fresh subagent (Task tool), one after another:

1. \`/experts:${domain}:plan $ARGUMENTS\`: it returns the path of the plan.
2. \`/build <that path>\`: it returns the files changed.
3. \`/experts:${domain}:self-improve true\`: the expertise learns from the change.

Then report: the plan's path, the files changed, what the expertise learned, and "Steps completed: N/3".

With baton, \`baton adw run expert_plan_build_improve --expert ${domain} "<request>"\` runs the same chain as a durable workflow, and baton checks the expertise after the last step.
`,
  };
}
