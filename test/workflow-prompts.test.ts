import { describe, expect, it } from 'vitest';
import { reviewReportTemplate, specTemplate } from '../src/workflow/artifacts.ts';
import { renderStepPrompt, templatePlaceholders, type StepPromptInput } from '../src/workflow/prompts.ts';
import type { StepDefinition } from '../src/workflow/types.ts';

const adwId = '1f3a9c07-5b2e-4c55-9a61-3d2b8f0e7c11';

const plan: StepDefinition = {
  name: 'plan',
  kind: 'plan',
  artifact: { path: 'specs/{slug}-{adw8}.md', format: 'spec' },
};
const build: StepDefinition = { name: 'build', kind: 'build' };
const review: StepDefinition = {
  name: 'review',
  kind: 'review',
  artifact: { path: 'app_review/review-{adw8}-{iteration}.md', format: 'review' },
  verdict: true,
};
const fix: StepDefinition = {
  name: 'fix',
  kind: 'fix',
  artifact: { path: 'app_fix_reports/fix-{adw8}-{iteration}.md', format: 'fix' },
};

function render(step: StepDefinition, extra: Partial<StepPromptInput> = {}): string {
  return renderStepPrompt({
    step,
    userPrompt: 'Add a /health route',
    adwId,
    workflow: 'plan_build_review_fix',
    specPath: 'specs/add-a-health-route-1f3a9c07.md',
    reviewPath: 'app_review/review-1f3a9c07-1.md',
    artifactPath: step.artifact ? `out/${step.name}.md` : undefined,
    ...extra,
  });
}

/** The text between the header line and the contract section. */
function instructions(prompt: string): string {
  return prompt.split('\n\n## Output required by baton')[0]!.split('\n').slice(2).join('\n').trimEnd();
}

describe('renderStepPrompt: header', () => {
  it.each([plan, build, review, fix, { name: 'test', kind: 'test' } as StepDefinition])(
    'starts with the ADW, workflow and step ($name)',
    (step) => {
      const firstLine = render(step).split('\n')[0];
      expect(firstLine).toBe(`ADW ${adwId} · workflow plan_build_review_fix · step ${step.name}`);
    },
  );
});

describe('renderStepPrompt: where the instructions come from', () => {
  const projectCommand = '---\ndescription: Our plan\n---\nPlan with our house rules: $ARGUMENTS\n';

  it('uses the step prompt first, with its placeholders filled', () => {
    const step: StepDefinition = {
      ...plan,
      prompt: 'Plan {{prompt}} as {{ adw_id }} in {{workflow}}; write {{artifact_path}}; keep {{unknown}}.',
    };
    expect(instructions(render(step, { projectCommand }))).toBe(
      `Plan Add a /health route as ${adwId} in plan_build_review_fix; write out/plan.md; keep {{unknown}}.`,
    );
  });

  it('uses the project command next, its front matter stripped', () => {
    expect(instructions(render(plan, { projectCommand }))).toBe(
      'Plan with our house rules: Add a /health route',
    );
  });

  it('uses the built-in prompt last', () => {
    const text = instructions(render(plan));
    expect(text).toContain('You are planning a change');
    expect(text).toContain('## Request\n\nAdd a /health route\n');
    expect(text).toContain('Write the spec to out/plan.md');
  });

  it('writes (none) for a path the ADW does not have', () => {
    expect(render(build, { specPath: undefined })).toContain('Implement the spec at (none)');
  });

  it('substitutes in one pass: a request containing placeholders is not expanded again', () => {
    const step: StepDefinition = { ...build, prompt: 'Do: {{prompt}}' };
    expect(instructions(render(step, { userPrompt: 'print {{spec_path}} and {{adw_id}}' }))).toBe(
      'Do: print {{spec_path}} and {{adw_id}}',
    );
  });

  it('throws when a command step gets no command text, or a custom step has nothing to say', () => {
    expect(() => render({ name: 'docs', kind: 'custom', command: 'docs' })).toThrow(
      /runs the project command "docs"/,
    );
    expect(() => render({ name: 'docs', kind: 'custom' })).toThrow(/neither a prompt nor a command/);
  });
});

describe('renderStepPrompt: project command arguments', () => {
  const command = (body: string, step: StepDefinition = review, extra: Partial<StepPromptInput> = {}) =>
    instructions(render(step, { projectCommand: body, ...extra }));

  it('passes review the request and the spec path', () => {
    expect(command('Review "$1" against $2. All: $ARGUMENTS')).toBe(
      'Review "Add a /health route" against specs/add-a-health-route-1f3a9c07.md. ' +
        'All: Add a /health route specs/add-a-health-route-1f3a9c07.md',
    );
  });

  it('passes fix the request, the spec path and the review path', () => {
    expect(command('$1 | $2 | $3 | [$4]', fix)).toBe(
      'Add a /health route | specs/add-a-health-route-1f3a9c07.md | app_review/review-1f3a9c07-1.md | []',
    );
  });

  it('passes build and test the spec path, custom steps the request', () => {
    expect(command('Build $ARGUMENTS', build)).toBe('Build specs/add-a-health-route-1f3a9c07.md');
    expect(command('Test $1', { name: 'test', kind: 'test' })).toBe(
      'Test specs/add-a-health-route-1f3a9c07.md',
    );
    expect(command('Docs for $ARGUMENTS', { name: 'docs', kind: 'custom', command: 'docs' })).toBe(
      'Docs for Add a /health route',
    );
  });

  it('supports $ARGUMENTS[n], counted from 0', () => {
    expect(command('$ARGUMENTS[1] / $ARGUMENTS[0]')).toBe(
      'specs/add-a-health-route-1f3a9c07.md / Add a /health route',
    );
  });

  it('substitutes in one pass: a request containing $1 or $ARGUMENTS stays as written', () => {
    const userPrompt = 'echo "$1" and $ARGUMENTS; costs $2';
    expect(command('Request: $1\nSpec: $2', review, { userPrompt })).toBe(
      'Request: echo "$1" and $ARGUMENTS; costs $2\nSpec: specs/add-a-health-route-1f3a9c07.md',
    );
  });

  it('passes quotes through as plain text: there is no shell to escape for', () => {
    const userPrompt = 'fix "quoted" bits" --flag $(rm -rf /)';
    expect(command('Task: $1', plan, { userPrompt })).toBe(`Task: ${userPrompt}`);
  });

  it('appends ARGUMENTS when the command uses none, as Claude Code does', () => {
    expect(command('Plan it well.\n', plan)).toBe('Plan it well.\n\nARGUMENTS: Add a /health route');
  });

  it('strips front matter with CRLF line ends', () => {
    expect(command('---\r\nallowed-tools: Read\r\n---\r\nGo: $1', plan)).toBe('Go: Add a /health route');
  });
});

describe('renderStepPrompt: the contract section', () => {
  it('ends the prompt with the artifact path and the format', () => {
    const prompt = render(plan);
    const contract = prompt.slice(prompt.indexOf('## Output required by baton'));
    expect(contract).toContain(
      "Write this step's result to `out/plan.md` (relative to the working directory).",
    );
    expect(contract).toContain('The file must exist when you finish');
    expect(prompt.trimEnd().endsWith(`${specTemplate.trimEnd()}\n\`\`\`\``)).toBe(true);
  });

  it('says for review that only the verdict line counts, and ends the prompt with it', () => {
    const prompt = render(review);
    expect(prompt).toContain(reviewReportTemplate.trimEnd());
    expect(prompt.trimEnd().split('\n').at(-1)).toBe(
      'The verdict is read from the `**Verdict**:` line and nowhere else: write exactly `**Verdict**: PASS` or ' +
        '`**Verdict**: FAIL`. It must be FAIL if you list any BLOCKER.',
    );
  });

  it('closes a project command and a step prompt too', () => {
    for (const extra of [{ projectCommand: 'Review: $ARGUMENTS' }, {}]) {
      const step = 'projectCommand' in extra ? review : { ...review, prompt: 'Review {{prompt}}' };
      const prompt = render(step, extra);
      expect(prompt.indexOf('## Output required by baton')).toBeGreaterThan(prompt.indexOf('Review'));
      expect(prompt.trimEnd().endsWith('It must be FAIL if you list any BLOCKER.')).toBe(true);
    }
  });

  it('uses the step artifact path when no resolved path is passed', () => {
    expect(render(review, { artifactPath: undefined })).toContain(
      '`app_review/review-{adw8}-{iteration}.md`',
    );
  });

  it('asks only for non-empty Markdown for a markdown artifact', () => {
    const step: StepDefinition = {
      name: 'docs',
      kind: 'custom',
      prompt: 'Document {{prompt}}',
      artifact: { path: 'docs/x.md', format: 'markdown' },
    };
    expect(render(step).trimEnd().endsWith('Format: Any Markdown; it must not be empty.')).toBe(true);
  });

  it('is absent when the step has no artifact', () => {
    const prompt = render(build);
    expect(prompt).not.toContain('Output required by baton');
    expect(prompt.trimEnd().endsWith('the output of `git diff --stat`.')).toBe(true);
  });
});

describe('templatePlaceholders', () => {
  it('lists each placeholder once, in order, spaces tolerated, unknown ones included', () => {
    expect(templatePlaceholders('{{prompt}} {{ spec_path }} {{prompt}} {{spec path}} {single} {{}}')).toEqual(
      ['prompt', 'spec_path', 'spec path', ''],
    );
  });
});
