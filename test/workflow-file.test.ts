import { describe, expect, it } from 'vitest';
import type { BuiltinStepKind, StepDefinition } from '../src/workflow/types.ts';
import { parseWorkflowFile } from '../src/workflow/workflow-file.ts';

/** A small stand-in for builtin-steps.ts, frozen so a test fails if parsing writes into it. */
const builtinSteps: Record<BuiltinStepKind, StepDefinition> = Object.freeze({
  plan: Object.freeze({
    name: 'plan',
    kind: 'plan',
    allowedTools: Object.freeze(['Read', 'Write']) as string[],
    artifact: Object.freeze({ path: 'specs/{slug}-{adw8}.md', format: 'spec' }),
  }),
  build: Object.freeze({ name: 'build', kind: 'build' }),
  review: Object.freeze({
    name: 'review',
    kind: 'review',
    artifact: Object.freeze({ path: 'app_review/review-{adw8}-{iteration}.md', format: 'review' }),
    verdict: true,
  }),
  fix: Object.freeze({
    name: 'fix',
    kind: 'fix',
    prompt: 'Built-in fix override for {{prompt}}',
    artifact: Object.freeze({ path: 'app_fix_reports/fix-{adw8}-{iteration}.md', format: 'fix' }),
    runIf: Object.freeze({ step: 'review', verdict: 'FAIL' }),
  }),
  test: Object.freeze({
    name: 'test',
    kind: 'test',
    artifact: Object.freeze({ path: 'app_test_reports/test-{adw8}.md', format: 'test' }),
    verdict: true,
  }),
  expert_improve: Object.freeze({ name: 'expert_improve', kind: 'expert_improve', expert: '{{expert}}' }),
}) as Record<BuiltinStepKind, StepDefinition>;

const builtinWorkflowNames = ['plan_build', 'plan_build_review', 'plan_build_review_fix'];
const file = '.baton/workflows/docs.yaml';

function parse(...lines: string[]) {
  return parseWorkflowFile(file, `${lines.join('\n')}\n`, builtinSteps, builtinWorkflowNames);
}

/** The error of a file that must not parse. */
function errorOf(...lines: string[]): string {
  const result = parse(...lines);
  if (result.ok) throw new Error('expected the file to be rejected');
  return result.error;
}

const header = ['name: docs_flow', 'description: Plan, build, document'];

describe('parseWorkflowFile: valid files', () => {
  it('reads the full example: built-in steps with overrides, a custom step, a loop', () => {
    const result = parse(
      'name: plan_build_docs            # comment',
      'description: Plan, build, document',
      'steps:',
      '  - use: plan',
      '    model: opus',
      '  - use: build',
      '  - use: review',
      '  - use: fix',
      '  - name: docs',
      '    prompt: |',
      '      Update the README for: {{prompt}}. The spec is {{spec_path}}.',
      '    artifact: { path: "docs/changes-{adw8}.md", format: markdown }',
      '    model: haiku',
      '    allowed_tools: [Read, Edit, Write]',
      '    verdict: false',
      '    run_if: { step: review, verdict: FAIL }',
      '    max_turns: 20',
      '    max_cost_usd: 1.5',
      '    timeout_seconds: 900',
      '    retries: 1',
      'loop: { first: review, last: fix, until: { step: review, verdict: PASS }, max_iterations: 3 }',
    );
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'plan_build_docs',
        description: 'Plan, build, document',
        source: file,
        steps: [
          { ...builtinSteps.plan, model: 'opus' },
          builtinSteps.build,
          builtinSteps.review,
          builtinSteps.fix,
          {
            name: 'docs',
            kind: 'custom',
            prompt: 'Update the README for: {{prompt}}. The spec is {{spec_path}}.\n',
            artifact: { path: 'docs/changes-{adw8}.md', format: 'markdown' },
            model: 'haiku',
            allowedTools: ['Read', 'Edit', 'Write'],
            verdict: false,
            runIf: { step: 'review', verdict: 'FAIL' },
            maxTurns: 20,
            maxCostUsd: 1.5,
            timeoutSeconds: 900,
            retries: 1,
          },
        ],
        loop: { first: 'review', last: 'fix', until: { step: 'review', verdict: 'PASS' }, maxIterations: 3 },
      },
    });
  });

  it('reads a one-step workflow', () => {
    expect(parse(...header, 'steps:', '  - use: build')).toMatchObject({
      ok: true,
      value: { name: 'docs_flow', steps: [{ name: 'build', kind: 'build' }] },
    });
  });

  it('uses a built-in step twice under distinct names', () => {
    const result = parse(
      ...header,
      'steps:',
      '  - use: review',
      '  - use: review',
      '    name: second_review',
      '    model: opus',
      '    run_if: { step: review, status: succeeded }',
    );
    expect(result.ok && result.value.steps.map((step) => [step.name, step.kind, step.runIf])).toEqual([
      ['review', 'review', undefined],
      ['second_review', 'review', { step: 'review', status: 'succeeded' }],
    ]);
  });

  it('reads a custom step that runs a project command, and drops an overridden prompt', () => {
    const result = parse(
      ...header,
      'steps:',
      '  - use: review',
      '  - name: changelog',
      '    command: /release:changelog',
      '  - use: fix',
      '    command: our_fix',
    );
    expect(result.ok && result.value.steps.slice(1)).toEqual([
      { name: 'changelog', kind: 'custom', command: 'release:changelog' },
      {
        name: 'fix',
        kind: 'fix',
        command: 'our_fix',
        artifact: builtinSteps.fix.artifact,
        runIf: { step: 'review', verdict: 'FAIL' },
      },
    ]);
  });

  it('reads nested conditions', () => {
    const result = parse(
      ...header,
      'steps:',
      '  - use: review',
      '  - use: test',
      '  - name: notify',
      '    prompt: Tell the team about {{prompt}}',
      '    run_if:',
      '      all:',
      '        - { step: review, verdict: PASS }',
      '        - any: [{ step: test, verdict: PASS }, { not: { step: test, status: skipped } }]',
    );
    expect(result.ok && result.value.steps[2]!.runIf).toEqual({
      all: [
        { step: 'review', verdict: 'PASS' },
        { any: [{ step: 'test', verdict: 'PASS' }, { not: { step: 'test', status: 'skipped' } }] },
      ],
    });
  });

  it('reads an expert_improve step after any step, and an expert whose expertise a step gets', () => {
    const result = parse(
      ...header,
      'steps:',
      '  - use: plan',
      '    expert: database',
      '  - use: build',
      '  - use: expert_improve',
      '    expert: database',
      '  - use: expert_improve',
      '    name: learn_more',
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.value.steps.map((step) => [step.name, step.kind, step.expert])).toEqual([
      ['plan', 'plan', 'database'],
      ['build', 'build', undefined],
      ['expert_improve', 'expert_improve', 'database'],
      ['learn_more', 'expert_improve', '{{expert}}'],
    ]);
  });

  it('refuses an unsafe expert, and a prompt, command or artifact on an expert_improve step', () => {
    expect(errorOf(...header, 'steps:', '  - use: build', '    expert: ../etc')).toBe(
      `${file}:5:13: steps[0].expert must be an expert's domain (lowercase letters, digits, - or _, e.g. database) or "{{expert}}" for the ADW's --expert`,
    );
    expect(errorOf(...header, 'steps:', '  - use: expert_improve', '    prompt: do it')).toBe(
      `${file}:5:5: steps[0] improves an expert: its prompt is the expert's self-improve.md and baton checks the expertise, so it takes no prompt`,
    );
  });

  it('allows a loop over a single step', () => {
    const result = parse(
      ...header,
      'steps:',
      '  - use: test',
      'loop: { first: test, last: test, until: { step: test, verdict: PASS }, max_iterations: 2 }',
    );
    expect(result.ok && result.value.loop).toEqual({
      first: 'test',
      last: 'test',
      until: { step: 'test', verdict: 'PASS' },
      maxIterations: 2,
    });
  });
});

describe('parseWorkflowFile: errors name the file, line and column', () => {
  it('YAML syntax', () => {
    expect(errorOf('name: [docs', 'description: x')).toBe(
      `${file}:2:1: YAML syntax: flow sequence in block collection must be sufficiently indented and end with a ]`,
    );
  });

  it('a duplicate key', () => {
    expect(errorOf(...header, 'name: again', 'steps: [{ use: plan }]')).toBe(
      `${file}:3:1: this key appears twice in the same mapping; keep one`,
    );
  });

  it('an empty file, or one that is not a mapping', () => {
    expect(errorOf('# nothing yet')).toBe(
      `${file}:1:1: the file is empty; a workflow needs name, description and steps`,
    );
    expect(errorOf('- use: plan')).toBe(
      `${file}:1:1: the file must be a mapping with name, description and steps`,
    );
  });

  it('a missing key points at the object that lacks it', () => {
    expect(errorOf('name: docs_flow', 'steps:', '  - use: plan')).toBe(
      `${file}:1:1: description is required`,
    );
    expect(errorOf(...header, 'steps:', '  - use: plan', '    artifact:', '      path: out.md')).toBe(
      `${file}:6:7: steps[0].artifact.format is required`,
    );
  });

  it('a value of the wrong kind, or a key without a value', () => {
    expect(errorOf(...header, 'steps:', '  - use: plan', '    max_cost_usd: "1.5"', '    model:')).toBe(
      [
        `${file}:5:19: steps[0].max_cost_usd must be a number`,
        `${file}:6:5: steps[0].model must be a string`,
      ].join('\n'),
    );
    expect(errorOf(...header, 'steps: plan')).toBe(`${file}:3:8: steps must be a list`);
  });

  it('an unknown key points at the key and lists the allowed ones', () => {
    expect(errorOf(...header, 'steps:', '  - use: plan', '    modle: opus')).toBe(
      `${file}:5:5: unknown key modle in steps[0]; the keys of a step are use, name, description, prompt, ` +
        'command, model, allowed_tools, artifact, verdict, expert, run_if, max_turns, max_cost_usd, timeout_seconds, retries',
    );
    expect(errorOf(...header, 'version: 2', 'steps: [{ use: plan }]')).toBe(
      `${file}:3:1: unknown key version; the keys of a workflow are name, description, steps, loop`,
    );
  });

  it('a value outside its set', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - use: plan',
        '  - use: deploy',
        '  - name: docs',
        '    prompt: Document {{prompt}}',
        '    artifact: { path: docs/x.md, format: html }',
      ),
    ).toBe(
      [
        `${file}:5:10: steps[1].use must be one of plan, build, review, fix, test, expert_improve`,
        `${file}:8:42: steps[2].artifact.format must be one of spec, review, fix, test, markdown`,
      ].join('\n'),
    );
  });

  it('names that are not snake_case', () => {
    expect(errorOf('name: Plan-Build-Docs', 'description: x', 'steps: [{ use: plan }]')).toBe(
      `${file}:1:7: name must be lowercase letters, digits and underscores, starting with a letter (e.g. plan_build_docs)`,
    );
  });

  it('a built-in workflow name', () => {
    expect(errorOf('name: plan_build', 'description: x', 'steps: [{ use: plan }]')).toBe(
      `${file}:1:7: name plan_build is a built-in workflow; choose another name (or use the built-in as it is)`,
    );
  });

  it('numbers that are not positive', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - use: plan',
        '    max_turns: 0',
        '    max_cost_usd: -1',
        '    timeout_seconds: 1.5',
        '    retries: -1',
      ),
    ).toBe(
      [
        `${file}:5:16: steps[0].max_turns must be greater than 0`,
        `${file}:6:19: steps[0].max_cost_usd must be greater than 0`,
        `${file}:7:22: steps[0].timeout_seconds must be a whole number`,
        `${file}:8:14: steps[0].retries must be 0 or more`,
      ].join('\n'),
    );
  });

  it('no steps', () => {
    expect(errorOf(...header, 'steps: []')).toBe(`${file}:3:8: steps must list at least one step`);
  });

  it('a step with neither use nor name, and a custom step with nothing to run', () => {
    expect(errorOf(...header, 'steps:', '  - model: opus', '  - name: docs')).toBe(
      [
        `${file}:4:5: steps[0] needs \`use: <plan|build|review|fix|test|expert_improve>\` for a built-in step, or \`name\` and ` +
          '`prompt` (or `command`) for a custom step',
        `${file}:5:5: steps[1] (docs) is a custom step, so it needs \`prompt\` or \`command\` (or ` +
          '`use: <plan|build|review|fix|test|expert_improve>` to base it on a built-in step)',
      ].join('\n'),
    );
  });

  it('both prompt and command', () => {
    expect(
      errorOf(...header, 'steps:', '  - name: docs', '    prompt: Write docs', '    command: docs'),
    ).toBe(`${file}:6:5: steps[0] has both \`prompt\` and \`command\`; keep one`);
  });

  it('a command name that is not a file in .claude/commands', () => {
    expect(errorOf(...header, 'steps:', '  - name: docs', '    command: ../../etc/passwd')).toBe(
      `${file}:5:14: steps[0].command must name a file in .claude/commands without its extension, e.g. review ` +
        'or frontend:review (folders separated by :)',
    );
  });

  it('duplicate step names: `use: review` twice needs a name', () => {
    expect(errorOf(...header, 'steps:', '  - use: review', '  - use: build', '  - use: review')).toBe(
      `${file}:6:10: steps[2] is named review, like steps[0]; step names must be unique, so give this one its own \`name\``,
    );
  });

  it('an unknown placeholder in a prompt points at the placeholder', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - name: docs',
        '    prompt: |',
        '      Update the README for {{prompt}}.',
        '      Read {{ spec }} first.',
      ),
    ).toBe(
      `${file}:7:12: steps[0].prompt uses {{spec}}, which is not a placeholder; use {{prompt}}, ` +
        '{{artifact_path}}, {{spec_path}}, {{review_path}}, {{adw_id}}, {{workflow}}',
    );
  });

  it('an artifact path that leaves the working directory or uses an unknown placeholder', () => {
    const step = (path: string) =>
      errorOf(
        ...header,
        'steps:',
        '  - name: docs',
        '    prompt: x',
        `    artifact: { path: "${path}", format: markdown }`,
      );
    const outside =
      'steps[0].artifact.path must be relative to the working directory and stay inside it (no leading / and no ..)';
    expect(step('/tmp/docs.md')).toBe(`${file}:6:23: ${outside}`);
    expect(step('docs/../../x.md')).toBe(`${file}:6:23: ${outside}`);
    expect(step('docs/{date}.md')).toBe(
      `${file}:6:23: steps[0].artifact.path uses {date}, which is not a placeholder; use {adw}, {adw8}, {slug}, {iteration}, {step}`,
    );
  });

  it('verdict: true on a step whose artifact has no verdict line', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - name: docs',
        '    prompt: x',
        '    artifact: { path: docs.md, format: markdown }',
        '    verdict: true',
      ),
    ).toBe(
      `${file}:7:14: steps[0].verdict needs an artifact with format review or test, the reports with a Verdict line`,
    );
  });

  it('run_if naming a later step, or none', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - use: plan',
        '    run_if: { step: review, verdict: PASS }',
        '  - use: review',
        '  - use: build',
        '    run_if: { not: { step: tests, status: failed } }',
      ),
    ).toBe(
      [
        `${file}:5:21: steps[0].run_if.step refers to review, which runs after steps[0]; a condition can only test earlier steps`,
        `${file}:8:28: steps[2].run_if.not.step refers to tests, but no earlier step has that name`,
      ].join('\n'),
    );
  });

  it('run_if on the verdict of a step that has none', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - use: plan',
        '  - use: build',
        '    run_if: { step: plan, verdict: PASS }',
      ),
    ).toBe(
      `${file}:6:21: steps[1].run_if.step tests the verdict of plan, which has none (only a step whose artifact is ` +
        'a review or test report has a verdict); test its status instead',
    );
  });

  it('a run_if inherited from a built-in step whose step is missing', () => {
    expect(errorOf(...header, 'steps:', '  - use: review', '    name: check', '  - use: fix')).toBe(
      `${file}:6:10: steps[1] inherits run_if from the built-in fix step, which tests review; no earlier step ` +
        'has that name, so set `run_if` on this step',
    );
  });

  it('conditions of the wrong shape', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - use: review',
        '  - use: fix',
        '    run_if: { step: review }',
        '  - use: build',
        '    run_if: { step: review, verdict: PASS, status: succeeded }',
        '  - use: test',
        '    run_if: { verdict: PASS }',
        '  - name: docs',
        '    prompt: x',
        '    run_if: { all: [{ step: review, verdict: PASS }], any: [{ step: test, verdict: PASS }] }',
      ),
    ).toBe(
      [
        `${file}:6:13: steps[1].run_if needs verdict (PASS or FAIL) or status with its step`,
        `${file}:8:13: steps[2].run_if tests both verdict and status; a condition tests one (combine two with all: [...])`,
        `${file}:10:13: steps[3].run_if needs the step whose verdict it tests`,
        `${file}:13:13: steps[4].run_if must be { step, verdict }, { step, status }, { all: [...] }, { any: [...] } or { not: ... }`,
      ].join('\n'),
    );
  });

  it('an unknown key in a condition', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - use: review',
        '  - use: fix',
        '    run_if: { step: review, verdit: FAIL }',
      ),
    ).toBe(
      `${file}:6:29: unknown key verdit in steps[1].run_if; a condition is { step, verdict }, { step, status }, ` +
        '{ all: [...] }, { any: [...] } or { not: ... }',
    );
  });

  it('loop steps that do not exist or are out of order', () => {
    expect(
      errorOf(
        ...header,
        'steps:',
        '  - use: review',
        '  - use: fix',
        'loop:',
        '  first: fix',
        '  last: review',
        '  until: { step: reviews, verdict: PASS }',
        '  max_iterations: 3',
      ),
    ).toBe(
      [
        `${file}:7:10: loop.first (fix) comes after loop.last (review); the loop repeats the steps from first to last`,
        `${file}:9:18: loop.until.step refers to reviews, but no step has that name`,
      ].join('\n'),
    );
    expect(
      errorOf(
        ...header,
        'steps: [{ use: review }]',
        'loop: { first: review, last: fixes, until: { step: review, verdict: PASS }, max_iterations: 0 }',
      ),
    ).toBe(`${file}:4:93: loop.max_iterations must be greater than 0`);
    expect(
      errorOf(
        ...header,
        'steps: [{ use: review }]',
        'loop: { first: review, last: fixes, until: { step: review, verdict: PASS }, max_iterations: 2 }',
      ),
    ).toBe(`${file}:4:30: loop.last is fixes, but no step has that name; use one of review`);
  });
});
