import { UserError } from '../core/errors.ts';
import type { BuiltinStepKind, StepDefinition } from './types.ts';

/** Tools for steps that write code: plan may sketch files, build and fix change them. */
const editingTools = ['Read', 'Glob', 'Grep', 'Bash', 'Write', 'Edit', 'Task', 'TodoWrite'];
/** Tools for steps that only judge: they read the work and write their report, nothing else. */
const reportingTools = ['Read', 'Glob', 'Grep', 'Bash', 'Write'];

/**
 * The built-in steps as data. Each artifact path is unique per ADW (`{adw8}`) and per loop pass
 * (`{iteration}`), so parallel ADWs in one directory never read each other's files, unlike the
 * reference's "newest file in specs/" guess.
 */
export const builtinSteps: Readonly<Record<BuiltinStepKind, StepDefinition>> = deepFreeze({
  plan: {
    name: 'plan',
    kind: 'plan',
    description: 'Write an implementation plan (a spec) for the request.',
    allowedTools: editingTools,
    artifact: { path: 'specs/{slug}-{adw8}.md', format: 'spec' },
  },
  build: {
    name: 'build',
    kind: 'build',
    description: 'Implement the spec top to bottom and run its validation commands.',
    allowedTools: editingTools,
  },
  review: {
    name: 'review',
    kind: 'review',
    description: 'Review the changes against the spec and give a PASS/FAIL verdict.',
    allowedTools: reportingTools,
    artifact: { path: 'app_review/review-{adw8}-{iteration}.md', format: 'review' },
    verdict: true,
  },
  fix: {
    name: 'fix',
    kind: 'fix',
    description: "Fix the review's issues, blockers first, and report what was fixed.",
    allowedTools: editingTools,
    artifact: { path: 'app_fix_reports/fix-{adw8}-{iteration}.md', format: 'fix' },
  },
  test: {
    name: 'test',
    kind: 'test',
    description: 'Run the tests and validation commands and give a PASS/FAIL verdict.',
    allowedTools: reportingTools,
    artifact: { path: 'app_test_reports/test-{adw8}-{iteration}.md', format: 'test' },
    verdict: true,
  },
  expert_improve: {
    name: 'expert_improve',
    kind: 'expert_improve',
    description:
      "Self-improve an agent expert from the change: its prompt, then baton's check of the expertise (YAML, line limit, paths and symbols).",
    allowedTools: ['Read', 'Glob', 'Grep', 'Bash', 'Edit', 'Write', 'TodoWrite'],
    expert: '{{expert}}',
  },
});

/** The placeholders an artifact path may use. */
export const artifactPlaceholders = ['adw', 'adw8', 'slug', 'iteration', 'step'] as const;

export interface ArtifactContext {
  /** The ADW's id (a UUID). */
  adwId: string;
  /** From `slugify(prompt)`. */
  slug: string;
  /** The loop pass of the step run, from 1. */
  iteration: number;
}

/**
 * Where a run of `step` must leave its artifact (relative to the working directory), or undefined when
 * the step has none. `{adw}` is the full id, `{adw8}` its first 8 hex digits.
 * @example artifactPath(builtinSteps.review, { adwId, slug, iteration: 2 }) // 'app_review/review-1f3a9c07-2.md'
 */
export function artifactPath(step: StepDefinition, context: ArtifactContext): string | undefined {
  if (step.artifact === undefined) return undefined;
  const values: Record<(typeof artifactPlaceholders)[number], string> = {
    adw: context.adwId,
    adw8: context.adwId.replaceAll('-', '').slice(0, 8),
    slug: context.slug,
    iteration: String(context.iteration),
    step: step.name,
  };
  return step.artifact.path.replace(/\{([^{}]*)\}/g, (placeholder, name: string) => {
    if (name in values) return values[name as keyof typeof values];
    throw new UserError(
      `The artifact path "${step.artifact?.path}" of step "${step.name}" uses ${placeholder}; ` +
        `use only ${artifactPlaceholders.map((known) => `{${known}}`).join(', ')}.`,
    );
  });
}

const maxSlugLength = 40;

/** A short kebab-case ASCII name for a request, for file names: `Add a /health route!` → `add-a-health-route`. */
export function slugify(prompt: string): string {
  const slug = prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= maxSlugLength) return slug || 'task';
  const cut = slug.slice(0, maxSlugLength);
  // Cut at the last word boundary when the limit falls inside a word, unless that leaves too little.
  const boundary = slug[maxSlugLength] === '-' ? maxSlugLength : cut.lastIndexOf('-');
  return (boundary >= maxSlugLength / 2 ? cut.slice(0, boundary) : cut).replace(/-+$/, '');
}

/** Freezes built-in data all the way down: ADW states share it, so an accidental write must fail loudly. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
