import type { Match, Turn, Usage } from '../testing/fake-model-server/index.ts';
import { text, toolUse } from '../testing/fake-model-server/turns.ts';

/**
 * The scripted model of an ADW on the sample repository (src/demo/sample-repo.ts). Every turn is keyed
 * on the step's prompt header (`· step plan`) and on the previous tool call, and can be used any number
 * of times, so one script serves several ADWs at once and a retried step. Paths the engine chooses at
 * run time (the worktree, the artifact names) are read from the request with `{{request:…}}`.
 */
export interface AdwScriptOptions {
  /** What the review concludes. With FAIL it reports one BLOCKER (farewell is not exported). */
  verdict: 'PASS' | 'FAIL';
  /** The plan step never writes its spec (to exercise the missing-artifact follow-up). */
  planForgetsSpec?: boolean;
  /** The first model call of the first build takes this long (to cancel or kill a worker during it). */
  buildDelayMs?: number;
  /** How many build attempts get the slow first call. @default 1 */
  slowBuilds?: number;
  /** The build's call after its Edit (greet.js is changed by then) takes this long, once. */
  buildAfterEditDelayMs?: number;
  usage?: Usage;
}

/** Every line the scripted model says carries this mark, so nobody mistakes the demo for a real model. */
export const scriptedMark = '[scripted demo]';

const workdir = '{{request:Primary working directory: ([^\\s\\\\]+)}}';
const inWorkdir = (file: string) => `${workdir}/${file}`;

export const demoSpec = `# Add a farewell function

## Task Description
Add \`farewell(name)\` to greet.js, next to \`greet(name)\`, with a test.

## Objective
\`farewell('Ada')\` returns \`Goodbye, Ada!\` and is exported from greet.js.

## Relevant Files
- greet.js
- farewell.test.js (new)

## Step by Step Tasks
### 1. Add farewell to greet.js
### 2. Export it
### 3. Add farewell.test.js

## Acceptance Criteria
- \`node farewell.test.js\` passes
- \`node test.js\` still passes

## Validation Commands
- node test.js && node farewell.test.js

## Notes
${scriptedMark} Written by the scripted demo model.
`;

const failingReview = `# Review: farewell function

**Reviewed Work**: Add farewell(name) to greet.js with a test
**Spec**: the plan of this ADW
**Git Diff Summary**: 2 files changed
**Verdict**: FAIL

## Executive Summary
farewell() is written but not exported, so its test cannot run. ${scriptedMark}

## Quick Reference
| # | Issue | Tier | Recommended fix |
|---|-------|------|-----------------|
| 1 | farewell is not exported | BLOCKER | add it to module.exports |

## Issues

### BLOCKER

#### farewell is not exported

**Location**: greet.js:9
**Description**: module.exports only lists greet, so require('./greet.js').farewell is undefined and farewell.test.js throws.
**Recommended fix**: export it: \`module.exports = { greet, farewell };\`

### HIGH

None

### MEDIUM

None

### LOW

None

## Plan Compliance
- [x] farewell is implemented
- [ ] farewell is exported

## Verification Checklist
- [x] node farewell.test.js: fails with "farewell is not a function"
`;

const passingReview = failingReview
  .replace('**Verdict**: FAIL', '**Verdict**: PASS')
  .replace(/### BLOCKER[\s\S]*?### HIGH/, '### BLOCKER\n\nNone\n\n### HIGH')
  .replace(
    'farewell() is written but not exported, so its test cannot run.',
    'farewell() works and is tested; FAILURES: 0.',
  );

const fixReport = `# Fix Report: export farewell

**Review**: the review report of this ADW
**Spec**: the plan of this ADW
**Status**: ALL FIXED

## Fixes Applied

#### farewell is not exported (BLOCKER)
Before: \`module.exports = { greet };\` After: \`module.exports = { greet, farewell };\`
Verified with \`node farewell.test.js\`.

## Skipped Issues
None

## Validation Results
| Command | Result |
|---|---|
| node test.js && node farewell.test.js | passed |

## Files Changed
| File | Change |
|---|---|
| greet.js | export farewell |
`;

/** A turn of `step`, answering the previous tool call (or the step's prompt when `after` is omitted). */
function stepTurn(step: string, after: string | undefined, content: Turn['content'], usage?: Usage): Turn {
  const match: Match = after
    ? { anyText: { contains: `· step ${step}` }, lastToolResult: { toolName: after } }
    : { lastUserText: { contains: `· step ${step}` } };
  return {
    name: `${step}${after ? ` after ${after}` : ''}`,
    match,
    content,
    times: 'always',
    ...(usage ? { usage } : {}),
  };
}

export function adwScript(options: AdwScriptOptions): Turn[] {
  const { usage } = options;
  const done = (step: string, after: string, message: string) =>
    stepTurn(step, after, [text(`${scriptedMark} ${message}`)], usage);
  const plan = options.planForgetsSpec
    ? [stepTurn('plan', undefined, [text(`${scriptedMark} The plan is clear in my head.`)], usage)]
    : [
        stepTurn(
          'plan',
          undefined,
          [
            toolUse('Write', {
              file_path: inWorkdir('{{request:(specs/[a-z0-9-]+\\.md)}}'),
              content: demoSpec,
            }),
          ],
          usage,
        ),
        done('plan', 'Write', 'Spec written.'),
      ];
  const readGreet = stepTurn(
    'build',
    undefined,
    [toolUse('Read', { file_path: inWorkdir('greet.js') })],
    usage,
  );
  const writeTest = stepTurn(
    'build',
    'Edit',
    [
      toolUse('Write', {
        file_path: inWorkdir('farewell.test.js'),
        content:
          "const assert = require('node:assert');\nconst { farewell } = require('./greet.js');\n\nassert.strictEqual(farewell('Ada'), 'Goodbye, Ada!');\nconsole.log('farewell test passed');\n",
      }),
    ],
    usage,
  );
  const build: Turn[] = [
    // The first call of the first `slowBuilds` build attempts is slow; later attempts go at normal speed.
    ...(options.buildDelayMs
      ? [{ ...readGreet, times: options.slowBuilds ?? 1, delayMs: options.buildDelayMs }]
      : []),
    readGreet,
    stepTurn(
      'build',
      'Read',
      [
        toolUse('Edit', {
          file_path: inWorkdir('greet.js'),
          old_string: 'module.exports = { greet };',
          new_string:
            "function farewell(name) {\n  return 'Goodbye, ' + name + '!';\n}\n\nmodule.exports = { greet };",
        }),
      ],
      usage,
    ),
    ...(options.buildAfterEditDelayMs
      ? [{ ...writeTest, times: 1, delayMs: options.buildAfterEditDelayMs }]
      : []),
    writeTest,
    done('build', 'Write', 'Implemented farewell() and its test.'),
  ];
  const review: Turn[] = [
    stepTurn(
      'review',
      undefined,
      [
        toolUse('Write', {
          file_path: inWorkdir('{{request:(app_review/review-[0-9a-f]{8}-[0-9]+\\.md)}}'),
          content: options.verdict === 'FAIL' ? failingReview : passingReview,
        }),
      ],
      usage,
    ),
    done('review', 'Write', `Review written: ${options.verdict}.`),
  ];
  const fix: Turn[] = [
    stepTurn('fix', undefined, [toolUse('Read', { file_path: inWorkdir('greet.js') })], usage),
    stepTurn(
      'fix',
      'Read',
      [
        toolUse('Edit', {
          file_path: inWorkdir('greet.js'),
          old_string: 'module.exports = { greet };',
          new_string: 'module.exports = { greet, farewell };',
        }),
      ],
      usage,
    ),
    stepTurn('fix', 'Edit', [toolUse('Bash', { command: 'node test.js && node farewell.test.js' })], usage),
    stepTurn(
      'fix',
      'Bash',
      [
        toolUse('Write', {
          file_path: inWorkdir('{{request:(app_fix_reports/fix-[0-9a-f]{8}-[0-9]+\\.md)}}'),
          content: fixReport,
        }),
      ],
      usage,
    ),
    done('fix', 'Write', 'Fixed the blocker; both test files pass.'),
  ];
  return [...plan, ...build, ...review, ...fix];
}
