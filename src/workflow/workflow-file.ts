import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { expertDomainPattern } from '../core/expert-domain.ts';
import { StepStatus } from '../core/statuses.ts';
import type { Result } from './artifacts.ts';
import { artifactPlaceholders } from './builtin-steps.ts';
import { promptPlaceholders, templatePlaceholders } from './prompts.ts';
import type {
  ArtifactFormat,
  BuiltinStepKind,
  Condition,
  LoopDefinition,
  StepDefinition,
  Verdict,
  WorkflowDefinition,
} from './types.ts';

/**
 * User-composed workflows from `.baton/workflows/*.yaml` (snake_case keys). Every problem is reported as
 * `<file>:<line>:<col>: <what is wrong>`, pointing at the offending value (or, for a missing key, at the
 * object that lacks it), so a person can go straight to it.
 *
 * @example
 * name: plan_build_docs
 * description: Plan, build, then update the docs
 * steps:
 *   - use: plan
 *   - use: build
 *   - name: docs
 *     prompt: "Update the README for: {{prompt}}. The spec is {{spec_path}}."
 *     artifact: { path: "docs/changes-{adw8}.md", format: markdown }
 */

const builtinKinds = [
  'plan',
  'build',
  'review',
  'fix',
  'test',
  'expert_improve',
] as const satisfies readonly BuiltinStepKind[];

const artifactFormats = [
  'spec',
  'review',
  'fix',
  'test',
  'markdown',
] as const satisfies readonly ArtifactFormat[];
const verdicts = ['PASS', 'FAIL'] as const satisfies readonly Verdict[];
const stepStatuses = Object.keys(StepStatus) as [StepStatus, ...StepStatus[]];

/** Workflow and step names: they name ledger rows, agents and files, and are typed in chat. */
const namePattern = /^[a-z][a-z0-9_]*$/;
/** `.claude/commands/<command>.md`; `:` separates folders (`frontend:review`), as in Claude Code. */
const commandPattern = /^\/?[A-Za-z0-9_-]+(?::[A-Za-z0-9_-]+)*$/;

interface RawCondition {
  step?: string;
  verdict?: Verdict;
  status?: StepStatus;
  all?: RawCondition[];
  any?: RawCondition[];
  not?: RawCondition;
}

// Conditions are one object with every key optional; which combination is allowed is checked afterwards,
// because a zod union would report "invalid input" instead of what is wrong.
const conditionSchema: z.ZodType<RawCondition> = z.lazy(() =>
  z.strictObject({
    step: z.string().min(1).optional(),
    verdict: z.enum(verdicts).optional(),
    status: z.enum(stepStatuses).optional(),
    all: z.array(conditionSchema).min(1).optional(),
    any: z.array(conditionSchema).min(1).optional(),
    not: conditionSchema.optional(),
  }),
);

const artifactSchema = z.strictObject({
  path: z.string().min(1),
  format: z.enum(artifactFormats),
});

const stepSchema = z.strictObject({
  use: z.enum(builtinKinds).optional(),
  name: z.string().regex(namePattern).optional(),
  description: z.string().min(1).optional(),
  prompt: z.string().min(1).optional(),
  command: z.string().regex(commandPattern).optional(),
  model: z.string().min(1).optional(),
  allowed_tools: z.array(z.string().min(1)).optional(),
  artifact: artifactSchema.optional(),
  verdict: z.boolean().optional(),
  expert: z.string().min(1).optional(),
  run_if: conditionSchema.optional(),
  max_turns: z.int().positive().optional(),
  max_cost_usd: z.number().positive().optional(),
  timeout_seconds: z.int().positive().optional(),
  retries: z.int().min(0).optional(),
});
type RawStep = z.infer<typeof stepSchema>;

const loopSchema = z.strictObject({
  first: z.string().min(1),
  last: z.string().min(1),
  until: conditionSchema,
  max_iterations: z.int().positive(),
});

const workflowSchema = z.strictObject({
  name: z.string().regex(namePattern),
  description: z.string().min(1),
  steps: z.array(stepSchema).min(1),
  loop: loopSchema.optional(),
});
type RawWorkflow = z.infer<typeof workflowSchema>;

const conditionForms = '{ step, verdict }, { step, status }, { all: [...] }, { any: [...] } or { not: ... }';
const objectKeys: Record<'workflow' | 'step' | 'artifact' | 'loop', readonly string[]> = {
  workflow: Object.keys(workflowSchema.shape),
  step: Object.keys(stepSchema.shape),
  artifact: Object.keys(artifactSchema.shape),
  loop: Object.keys(loopSchema.shape),
};

type Path = (string | number)[];

interface Problem {
  path: Path;
  message: string;
  /** Point at the key named by the last path segment rather than at its value. */
  atKey?: boolean;
  /** Point at this text inside the value (a placeholder in a multi-line prompt). */
  needle?: RegExp;
}

/**
 * Reads one workflow file. `builtinSteps` are the steps a `use:` refers to; `builtinWorkflowNames` are
 * names a project workflow may not take.
 */
export function parseWorkflowFile(
  fileName: string,
  text: string,
  builtinSteps: Readonly<Record<BuiltinStepKind, StepDefinition>>,
  builtinWorkflowNames: readonly string[],
): Result<WorkflowDefinition> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  if (document.errors.length > 0) {
    return {
      ok: false,
      error: document.errors
        .map((error) => `${at(error.pos[0])}: ${yamlMessage(error.code, error.message)}`)
        .join('\n'),
    };
  }
  if (document.contents === null) {
    return { ok: false, error: `${at(0)}: the file is empty; a workflow needs name, description and steps` };
  }
  let raw: unknown;
  try {
    raw = document.toJS();
  } catch (error) {
    return { ok: false, error: `${at(0)}: ${error instanceof Error ? error.message : String(error)}` };
  }

  const report = (problems: Problem[]): { ok: false; error: string } => {
    const located = problems.map((problem) => ({
      offset: offsetOf(document, text, problem),
      message: problem.message,
    }));
    located.sort((a, b) => a.offset - b.offset);
    return { ok: false, error: located.map(({ offset, message }) => `${at(offset)}: ${message}`).join('\n') };
  };

  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) return report(parsed.error.issues.flatMap((issue) => describeIssue(issue, raw)));

  const problems: Problem[] = [];
  const workflow = build(parsed.data, builtinSteps, builtinWorkflowNames, problems, fileName);
  return problems.length > 0 ? report(problems) : { ok: true, value: workflow };
}

// ---------------------------------------------------------------------------------------------------------
// From the checked YAML to a WorkflowDefinition, collecting what the schema cannot see.

function build(
  raw: RawWorkflow,
  builtinSteps: Readonly<Record<BuiltinStepKind, StepDefinition>>,
  builtinWorkflowNames: readonly string[],
  problems: Problem[],
  source: string,
): WorkflowDefinition {
  if (builtinWorkflowNames.includes(raw.name)) {
    problems.push({
      path: ['name'],
      message: `name ${raw.name} is a built-in workflow; choose another name (or use the built-in as it is)`,
    });
  }

  // Indexed like raw.steps; a step too broken to build is undefined (and already a problem).
  const built = raw.steps.map((rawStep, index) => toStep(rawStep, index, builtinSteps, problems));
  const steps = built.filter((step) => step !== undefined);
  const firstIndex = new Map<string, number>();
  built.forEach((step, index) => {
    if (step === undefined) return;
    const earlier = firstIndex.get(step.name);
    if (earlier === undefined) {
      firstIndex.set(step.name, index);
      return;
    }
    problems.push({
      path: ['steps', index, raw.steps[index]!.name !== undefined ? 'name' : 'use'],
      message:
        `steps[${index}] is named ${step.name}, like steps[${earlier}]; step names must be unique, so give ` +
        'this one its own `name`',
    });
  });

  // Conditions can only be checked once every step is known.
  const verdictSteps = new Set(steps.filter(hasVerdict).map((step) => step.name));
  built.forEach((step, index) => {
    const rawCondition = raw.steps[index]!.run_if;
    if (step === undefined || (rawCondition === undefined && step.runIf === undefined)) return;
    const earlierSteps = new Set(built.slice(0, index).flatMap((earlier) => (earlier ? [earlier.name] : [])));
    if (rawCondition === undefined) {
      if (step.runIf === undefined) return;
      // Inherited from the built-in step: the steps it names must exist here too.
      for (const name of conditionNames(step.runIf).filter((name) => !earlierSteps.has(name))) {
        problems.push({
          path: ['steps', index, 'use'],
          message:
            `steps[${index}] inherits run_if from the built-in ${step.kind} step, which tests ${name}; no ` +
            'earlier step has that name, so set `run_if` on this step',
        });
      }
      return;
    }
    step.runIf = checkCondition(rawCondition, ['steps', index, 'run_if'], problems, (name, path, verdict) => {
      if (!earlierSteps.has(name)) {
        problems.push({
          path,
          message: firstIndex.has(name)
            ? `${formatPath(path)} refers to ${name}, which runs after steps[${index}]; a condition can only test earlier steps`
            : `${formatPath(path)} refers to ${name}, but no earlier step has that name`,
        });
      } else if (verdict && !verdictSteps.has(name)) {
        problems.push({ path, message: noVerdict(path, name) });
      }
    });
  });

  const workflow: WorkflowDefinition = { name: raw.name, description: raw.description, steps, source };
  if (raw.loop !== undefined) {
    const loop = toLoop(raw.loop, firstIndex, verdictSteps, problems);
    if (loop !== undefined) workflow.loop = loop;
  }
  return workflow;
}

function toStep(
  raw: RawStep,
  index: number,
  builtinSteps: Readonly<Record<BuiltinStepKind, StepDefinition>>,
  problems: Problem[],
): StepDefinition | undefined {
  const path: Path = ['steps', index];
  if (raw.use === undefined && raw.name === undefined) {
    problems.push({
      path,
      message:
        `steps[${index}] needs \`use: <${builtinKinds.join('|')}>\` for a built-in step, or \`name\` and ` +
        '`prompt` (or `command`) for a custom step',
    });
    return undefined;
  }
  if (raw.prompt !== undefined && raw.command !== undefined) {
    problems.push({
      path: [...path, 'command'],
      atKey: true,
      message: `steps[${index}] has both \`prompt\` and \`command\`; keep one`,
    });
  }
  if (raw.use === undefined && raw.prompt === undefined && raw.command === undefined) {
    problems.push({
      path,
      message:
        `steps[${index}] (${raw.name}) is a custom step, so it needs \`prompt\` or \`command\` (or ` +
        `\`use: <${builtinKinds.join('|')}>\` to base it on a built-in step)`,
    });
  }

  const step: StepDefinition =
    raw.use === undefined
      ? { name: raw.name!, kind: 'custom' }
      : { ...structuredClone(builtinSteps[raw.use]), name: raw.name ?? raw.use, kind: raw.use };
  if (raw.description !== undefined) step.description = raw.description;
  if (raw.prompt !== undefined) {
    step.prompt = raw.prompt;
    delete step.command;
    const unknown = templatePlaceholders(raw.prompt).filter(
      (name) => !(promptPlaceholders as readonly string[]).includes(name),
    );
    for (const name of unknown) {
      problems.push({
        path: [...path, 'prompt'],
        needle: new RegExp(`\\{\\{\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\}\\}`),
        message:
          `steps[${index}].prompt uses {{${name}}}, which is not a placeholder; use ` +
          promptPlaceholders.map((known) => `{{${known}}}`).join(', '),
      });
    }
  }
  if (raw.command !== undefined) {
    step.command = raw.command.replace(/^\//, '');
    delete step.prompt;
  }
  if (raw.model !== undefined) step.model = raw.model;
  if (raw.allowed_tools !== undefined) step.allowedTools = raw.allowed_tools;
  if (raw.artifact !== undefined) {
    step.artifact = { ...raw.artifact };
    problems.push(...artifactPathProblems(raw.artifact.path, [...path, 'artifact', 'path']));
  }
  if (raw.expert !== undefined) {
    step.expert = raw.expert;
    // A domain (see core/expert-domain.ts), or `{{expert}}` for the ADW's `--expert`.
    if (raw.expert !== '{{expert}}' && !expertDomainPattern.test(raw.expert)) {
      problems.push({
        path: [...path, 'expert'],
        message:
          `steps[${index}].expert must be an expert's domain (lowercase letters, digits, - or _, e.g. database) ` +
          'or "{{expert}}" for the ADW\'s --expert',
      });
    }
  }
  if (step.kind === 'expert_improve') {
    for (const key of ['prompt', 'command', 'artifact'] as const) {
      if (raw[key] !== undefined) {
        problems.push({
          path: [...path, key],
          atKey: true,
          message: `steps[${index}] improves an expert: its prompt is the expert's self-improve.md and baton checks the expertise, so it takes no ${key}`,
        });
      }
    }
  }
  if (raw.verdict !== undefined) step.verdict = raw.verdict;
  if (raw.max_turns !== undefined) step.maxTurns = raw.max_turns;
  if (raw.max_cost_usd !== undefined) step.maxCostUsd = raw.max_cost_usd;
  if (raw.timeout_seconds !== undefined) step.timeoutSeconds = raw.timeout_seconds;
  if (raw.retries !== undefined) step.retries = raw.retries;
  if (step.verdict === true && !hasVerdict(step)) {
    problems.push({
      path: [...path, 'verdict'],
      message: `steps[${index}].verdict needs an artifact with format review or test, the reports with a Verdict line`,
    });
  }
  return step;
}

function artifactPathProblems(artifactPath: string, path: Path): Problem[] {
  const problems: Problem[] = [];
  if (/^(?:[/\\~]|[A-Za-z]:)/.test(artifactPath) || artifactPath.split(/[/\\]/).includes('..')) {
    problems.push({
      path,
      message: `${formatPath(path)} must be relative to the working directory and stay inside it (no leading / and no ..)`,
    });
  }
  for (const match of artifactPath.matchAll(/\{([^{}]*)\}/g)) {
    if (!(artifactPlaceholders as readonly string[]).includes(match[1]!)) {
      problems.push({
        path,
        message:
          `${formatPath(path)} uses ${match[0]}, which is not a placeholder; use ` +
          artifactPlaceholders.map((known) => `{${known}}`).join(', '),
      });
    }
  }
  return problems;
}

function hasVerdict(step: StepDefinition): boolean {
  const format = step.artifact?.format;
  return (format === 'review' || format === 'test') && step.verdict !== false;
}

function noVerdict(path: Path, name: string): string {
  return (
    `${formatPath(path)} tests the verdict of ${name}, which has none (only a step whose artifact is a ` +
    'review or test report has a verdict); test its status instead'
  );
}

function toLoop(
  raw: NonNullable<RawWorkflow['loop']>,
  firstIndex: ReadonlyMap<string, number>,
  verdictSteps: ReadonlySet<string>,
  problems: Problem[],
): LoopDefinition | undefined {
  const before = problems.length;
  for (const key of ['first', 'last'] as const) {
    if (!firstIndex.has(raw[key])) {
      problems.push({
        path: ['loop', key],
        message: `loop.${key} is ${raw[key]}, but no step has that name; use one of ${[...firstIndex.keys()].join(', ')}`,
      });
    }
  }
  const first = firstIndex.get(raw.first);
  const last = firstIndex.get(raw.last);
  if (first !== undefined && last !== undefined && first > last) {
    problems.push({
      path: ['loop', 'first'],
      message: `loop.first (${raw.first}) comes after loop.last (${raw.last}); the loop repeats the steps from first to last`,
    });
  }
  const until = checkCondition(raw.until, ['loop', 'until'], problems, (name, path, verdict) => {
    const position = firstIndex.get(name);
    if (position === undefined) {
      problems.push({ path, message: `${formatPath(path)} refers to ${name}, but no step has that name` });
    } else if (last !== undefined && position > last) {
      problems.push({
        path,
        message: `${formatPath(path)} refers to ${name}, which runs after the loop; test a step inside it or before it`,
      });
    } else if (verdict && !verdictSteps.has(name)) {
      problems.push({ path, message: noVerdict(path, name) });
    }
  });
  if (problems.length > before) return undefined;
  return { first: raw.first, last: raw.last, until, maxIterations: raw.max_iterations };
}

/** Checks the shape of a condition (one form per object) and the steps it names, and converts it. */
function checkCondition(
  raw: RawCondition,
  path: Path,
  problems: Problem[],
  refer: (name: string, path: Path, verdict: boolean) => void,
): Condition {
  const keys = Object.keys(raw) as (keyof RawCondition)[];
  const where = formatPath(path);
  if (raw.step !== undefined) {
    const extra = keys.filter((key) => key === 'all' || key === 'any' || key === 'not');
    if (extra.length > 0 || (raw.verdict === undefined) === (raw.status === undefined)) {
      problems.push({
        path,
        message:
          raw.verdict !== undefined && raw.status !== undefined
            ? `${where} tests both verdict and status; a condition tests one (combine two with all: [...])`
            : extra.length > 0
              ? `${where} mixes step with ${extra.join(', ')}; write ${conditionForms}`
              : `${where} needs verdict (PASS or FAIL) or status with its step`,
      });
      return { step: raw.step, status: 'succeeded' };
    }
    refer(raw.step, [...path, 'step'], raw.verdict !== undefined);
    return raw.verdict !== undefined
      ? { step: raw.step, verdict: raw.verdict }
      : { step: raw.step, status: raw.status! };
  }
  const forms = keys.filter((key) => key === 'all' || key === 'any' || key === 'not');
  if (forms.length !== 1 || keys.length !== 1) {
    problems.push({
      path,
      message:
        keys.includes('verdict') || keys.includes('status')
          ? `${where} needs the step whose ${keys.includes('verdict') ? 'verdict' : 'status'} it tests`
          : `${where} must be ${conditionForms}`,
    });
    return { all: [] };
  }
  if (raw.not !== undefined) return { not: checkCondition(raw.not, [...path, 'not'], problems, refer) };
  const key = forms[0] as 'all' | 'any';
  const parts = raw[key]!.map((part, index) => checkCondition(part, [...path, key, index], problems, refer));
  return key === 'all' ? { all: parts } : { any: parts };
}

function conditionNames(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(conditionNames);
  if ('any' in condition) return condition.any.flatMap(conditionNames);
  if ('not' in condition) return conditionNames(condition.not);
  return [condition.step];
}

// ---------------------------------------------------------------------------------------------------------
// Messages and positions.

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): Problem[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  const where = formatPath(path);
  const missing = path.length > 0 && valueAt(raw, path) === undefined;
  if (missing && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    return [{ path, message: `${where} is required` }];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: unknownKeyMessage(path, key),
      }));
    case 'invalid_type': {
      if (path.length === 0)
        return [{ path, message: 'the file must be a mapping with name, description and steps' }];
      return [{ path, message: `${where} must be ${expectedText(issue.expected)}` }];
    }
    case 'invalid_value':
      return [{ path, message: `${where} must be one of ${issue.values.map(String).join(', ')}` }];
    case 'too_small': {
      if (issue.origin === 'array') {
        return [
          { path, message: `${where} must list at least one ${path.at(-1) === 'steps' ? 'step' : 'entry'}` },
        ];
      }
      if (issue.origin === 'string') return [{ path, message: `${where} must not be empty` }];
      const minimum = Number(issue.minimum);
      return [
        {
          path,
          message: `${where} must be ${issue.inclusive ? `${minimum} or more` : `greater than ${minimum}`}`,
        },
      ];
    }
    case 'invalid_format': {
      const field = path.at(-1);
      if (field === 'command') {
        return [
          {
            path,
            message:
              `${where} must name a file in .claude/commands without its extension, e.g. review or ` +
              'frontend:review (folders separated by :)',
          },
        ];
      }
      return [
        {
          path,
          message: `${where} must be lowercase letters, digits and underscores, starting with a letter (e.g. plan_build_docs)`,
        },
      ];
    }
    default:
      return [{ path, message: `${where}: ${issue.message}` }];
  }
}

function unknownKeyMessage(path: Path, key: string): string {
  const last = path.at(-1);
  const kind =
    path.length === 0
      ? 'workflow'
      : path.length === 2 && path[0] === 'steps'
        ? 'step'
        : last === 'artifact'
          ? 'artifact'
          : path.length === 1 && last === 'loop'
            ? 'loop'
            : undefined;
  const owner = path.length === 0 ? '' : ` in ${formatPath(path)}`;
  if (kind === undefined) return `unknown key ${key}${owner}; a condition is ${conditionForms}`;
  return `unknown key ${key}${owner}; the keys of a ${kind} are ${objectKeys[kind].join(', ')}`;
}

function expectedText(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping (key: value)';
    default:
      return expected;
  }
}

function yamlMessage(code: string, message: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'this key appears twice in the same mapping; keep one';
    case 'MULTIPLE_DOCS':
      return 'a workflow file holds one YAML document; remove the second `---`';
    default:
      return `YAML syntax: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
  }
}

/** `steps[2].artifact.format`; the root is "the workflow". */
function formatPath(path: Path): string {
  if (path.length === 0) return 'the workflow';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}

function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Where a problem is in the source: its value, its key, or the nearest object that exists on its path. */
function offsetOf(document: Document, source: string, problem: Problem): number {
  const { path } = problem;
  const keyOffset = (): number | undefined => {
    const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path.at(-1));
    return isNode(pair?.key) ? pair.key.range?.[0] : undefined;
  };
  if (problem.atKey && path.length > 0) {
    const offset = keyOffset();
    if (offset !== undefined) return offset;
  }
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (!isNode(node) || !node.range) continue;
    if (length === path.length) {
      // `model:` with nothing after it is an empty scalar at the end of the line: point at the key.
      if (isScalar(node) && node.range[0] === node.range[1]) return keyOffset() ?? node.range[0];
      if (problem.needle !== undefined) {
        const match = problem.needle.exec(source.slice(node.range[0], node.range[1]));
        if (match !== null) return node.range[0] + match.index;
      }
    }
    return node.range[0];
  }
  return 0;
}
