import { describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.ts';
import {
  artifactPath,
  builtinSteps,
  builtinWorkflows,
  conditionSteps,
  needsExpertInput,
  stepExpert,
  slugify,
  withFixRounds,
  type StepDefinition,
  type WorkflowDefinition,
} from '../src/workflow/index.ts';

const adwId = '1f3a9c07-5d2e-4b8a-9c11-0e6f2a7b3d44';
const context = { adwId, slug: 'add-health-route', iteration: 2 };

function builtin(name: string): WorkflowDefinition {
  const workflow = builtinWorkflows.find((candidate) => candidate.name === name);
  if (workflow === undefined) throw new Error(`no built-in workflow ${name}`);
  return workflow;
}

describe('builtinSteps', () => {
  it('gives each kind its artifact, verdict and tools', () => {
    expect(
      Object.values(builtinSteps).map(({ name, kind, artifact, verdict }) => ({
        name,
        kind,
        artifact,
        verdict,
      })),
    ).toEqual([
      {
        name: 'plan',
        kind: 'plan',
        artifact: { path: 'specs/{slug}-{adw8}.md', format: 'spec' },
        verdict: undefined,
      },
      { name: 'build', kind: 'build', artifact: undefined, verdict: undefined },
      {
        name: 'review',
        kind: 'review',
        artifact: { path: 'app_review/review-{adw8}-{iteration}.md', format: 'review' },
        verdict: true,
      },
      {
        name: 'fix',
        kind: 'fix',
        artifact: { path: 'app_fix_reports/fix-{adw8}-{iteration}.md', format: 'fix' },
        verdict: undefined,
      },
      {
        name: 'test',
        kind: 'test',
        artifact: { path: 'app_test_reports/test-{adw8}-{iteration}.md', format: 'test' },
        verdict: true,
      },
      { name: 'expert_improve', kind: 'expert_improve', artifact: undefined, verdict: undefined },
    ]);
  });

  it('lets expert_improve take its expert from the ADW, and the expert workflow plan with it', () => {
    expect(builtinSteps.expert_improve.expert).toBe('{{expert}}');
    const workflow = builtin('expert_plan_build_improve');
    expect(needsExpertInput(workflow)).toBe(true);
    expect(needsExpertInput(builtin('plan_build'))).toBe(false);
    expect(workflow.steps.map((step) => stepExpert(step, 'db'))).toEqual(['db', undefined, 'db']);
    expect(stepExpert({ ...builtinSteps.build, expert: 'websocket' }, 'db')).toBe('websocket');
  });

  it('lets only the steps that change code edit files', () => {
    const editors = Object.values(builtinSteps).filter((step) => step.allowedTools?.includes('Edit'));
    // expert_improve edits only its expertise file (baton checks it and restores the last good one).
    expect(editors.map((step) => step.name)).toEqual(['plan', 'build', 'fix', 'expert_improve']);
    expect(builtinSteps.review.allowedTools).toEqual(['Read', 'Glob', 'Grep', 'Bash', 'Write']);
    expect(builtinSteps.fix.allowedTools).toEqual([
      'Read',
      'Glob',
      'Grep',
      'Bash',
      'Write',
      'Edit',
      'Task',
      'TodoWrite',
    ]);
  });

  it('is frozen, so no caller can change the built-ins for everyone', () => {
    expect(() => {
      (builtinSteps.plan.allowedTools as string[]).push('WebFetch');
    }).toThrow(TypeError);
  });
});

describe('artifactPath', () => {
  it('fills in the ADW, its 8-digit prefix, the slug and the iteration', () => {
    expect(artifactPath(builtinSteps.plan, context)).toBe('specs/add-health-route-1f3a9c07.md');
    expect(artifactPath(builtinSteps.review, context)).toBe('app_review/review-1f3a9c07-2.md');
    expect(artifactPath(builtinSteps.fix, context)).toBe('app_fix_reports/fix-1f3a9c07-2.md');
    expect(artifactPath(builtinSteps.test, context)).toBe('app_test_reports/test-1f3a9c07-2.md');
  });

  it('takes the 8 digits without dashes', () => {
    expect(artifactPath(builtinSteps.plan, { ...context, adwId: '1f3a-9c07-5d2e' })).toBe(
      'specs/add-health-route-1f3a9c07.md',
    );
  });

  it('fills in the full id and the step name', () => {
    const step: StepDefinition = {
      name: 'docs',
      kind: 'custom',
      artifact: { path: 'notes/{step}-{adw}-{iteration}-{step}.md', format: 'markdown' },
    };
    expect(artifactPath(step, context)).toBe(`notes/docs-${adwId}-2-docs.md`);
  });

  it('is undefined for a step without an artifact', () => {
    expect(artifactPath(builtinSteps.build, context)).toBeUndefined();
  });

  it('rejects an unknown placeholder, naming the ones it knows', () => {
    const step: StepDefinition = {
      name: 'docs',
      kind: 'custom',
      artifact: { path: 'notes/{date}.md', format: 'markdown' },
    };
    expect(() => artifactPath(step, context)).toThrow(UserError);
    expect(() => artifactPath(step, context)).toThrow(
      'The artifact path "notes/{date}.md" of step "docs" uses {date}; use only {adw}, {adw8}, {slug}, {iteration}, {step}.',
    );
  });
});

describe('slugify', () => {
  it.each([
    ['Add a /health route!', 'add-a-health-route'],
    ['  Fix   the   LOGIN bug  ', 'fix-the-login-bug'],
    ['Café crème: ÉTÉ', 'cafe-creme-ete'],
    ['snake_case and CamelCase', 'snake-case-and-camelcase'],
    ['', 'task'],
    ['!!! ???', 'task'],
    ['日本語のタスク', 'task'],
  ])('%j → %j', (prompt, slug) => {
    expect(slugify(prompt)).toBe(slug);
  });

  it('keeps long prompts to 40 characters, cut at a word boundary', () => {
    const slug = slugify('Refactor the authentication middleware so that sessions expire after one hour');
    expect(slug).toBe('refactor-the-authentication-middleware');
    expect(slug.length).toBeLessThanOrEqual(40);
  });

  it('cuts a single long word at 40 characters', () => {
    expect(slugify('a'.repeat(60))).toBe('a'.repeat(40));
  });
});

describe('builtinWorkflows', () => {
  it('ships five workflows, each described in one line', () => {
    expect(builtinWorkflows.map((workflow) => workflow.name)).toEqual([
      'plan_build',
      'plan_build_review',
      'plan_build_review_fix',
      'plan_build_test',
      'expert_plan_build_improve',
    ]);
    for (const workflow of builtinWorkflows) {
      expect(workflow.source).toBe('builtin');
      expect(workflow.description).toMatch(/^[^\n]{10,100}$/);
    }
  });

  it.each([
    ['plan_build', ['plan', 'build']],
    ['plan_build_review', ['plan', 'build', 'review']],
    ['plan_build_review_fix', ['plan', 'build', 'review', 'fix']],
    ['plan_build_test', ['plan', 'build', 'test']],
    ['expert_plan_build_improve', ['plan', 'build', 'improve']],
  ])('%s runs %j', (name, steps) => {
    expect(builtin(name).steps.map((step) => step.name)).toEqual(steps);
  });

  it('fixes only after a failed review, in a loop that does not repeat by default', () => {
    const workflow = builtin('plan_build_review_fix');
    expect(workflow.steps[3]?.runIf).toEqual({ step: 'review', verdict: 'FAIL' });
    expect(workflow.loop).toEqual({
      first: 'review',
      last: 'fix',
      until: { step: 'review', verdict: 'PASS' },
      maxIterations: 1,
    });
  });

  it.each(builtinWorkflows.map((workflow) => [workflow.name, workflow] as const))(
    '%s refers only to its own steps',
    (_, workflow) => {
      const names = workflow.steps.map((step) => step.name);
      expect(new Set(names).size).toBe(names.length);
      const referred = [
        ...workflow.steps.flatMap((step) => (step.runIf === undefined ? [] : conditionSteps(step.runIf))),
        ...(workflow.loop === undefined
          ? []
          : [workflow.loop.first, workflow.loop.last, ...conditionSteps(workflow.loop.until)]),
      ];
      for (const name of referred) expect(names).toContain(name);
    },
  );
});

describe('withFixRounds', () => {
  it('returns a copy whose loop allows that many passes', () => {
    const workflow = builtin('plan_build_review_fix');
    const three = withFixRounds(workflow, 3);
    expect(three.loop?.maxIterations).toBe(3);
    expect(three.loop?.until).toEqual(workflow.loop?.until);
    expect(workflow.loop?.maxIterations).toBe(1);
  });

  it('rejects a workflow without a loop', () => {
    expect(() => withFixRounds(builtin('plan_build'), 2)).toThrow(
      /Workflow "plan_build" has no loop.*such as plan_build_review_fix/,
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects %d rounds', (rounds) => {
    expect(() => withFixRounds(builtin('plan_build_review_fix'), rounds)).toThrow(UserError);
  });
});
