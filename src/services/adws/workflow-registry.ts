import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { builtinSteps } from '../../workflow/builtin-steps.ts';
import { builtinWorkflows } from '../../workflow/builtin-workflows.ts';
import { normalizeWorkflowName } from '../../workflow/trigger.ts';
import type { WorkflowDefinition } from '../../workflow/types.ts';
import { parseWorkflowFile } from '../../workflow/workflow-file.ts';

export interface WorkflowCatalog {
  workflows: WorkflowDefinition[];
  /** Project workflow files that could not be used, each with file, line and problem. */
  errors: string[];
}

/** The built-in workflows plus the project's own `.baton/workflows/*.yaml` (and `.yml`) in `cwd`. */
export async function loadWorkflows(cwd: string): Promise<WorkflowCatalog> {
  const dir = join(cwd, '.baton', 'workflows');
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
  const workflows: WorkflowDefinition[] = [...builtinWorkflows];
  const errors: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const parsed = parseWorkflowFile(
      relative(cwd, path),
      await readFile(path, 'utf8'),
      builtinSteps,
      builtinWorkflows.map((workflow) => workflow.name),
    );
    if (!parsed.ok) errors.push(parsed.error);
    else if (workflows.some((workflow) => workflow.name === parsed.value.name)) {
      errors.push(`${relative(cwd, path)}: another workflow is already named ${parsed.value.name}`);
    } else workflows.push(parsed.value);
  }
  return { workflows, errors };
}

/** The workflow `name` names, or a UserError listing what exists (and any broken workflow files). */
export async function findWorkflow(cwd: string, name: string): Promise<WorkflowDefinition> {
  const catalog = await loadWorkflows(cwd);
  const wanted = normalizeWorkflowName(name);
  const found = catalog.workflows.find((workflow) => workflow.name === wanted);
  if (found) return found;
  const broken = catalog.errors.find((error) => error.includes(`${wanted}.y`));
  if (broken) {
    throw new UserError(`The workflow file for ${wanted} has an error: ${broken}`, { field: 'workflow' });
  }
  throw new UserError(
    `Unknown workflow "${name}": use one of ${catalog.workflows.map((workflow) => workflow.name).join(', ')} ` +
      `(see \`baton adw types\`)${catalog.errors.length ? `. Workflow files with errors: ${catalog.errors.join('; ')}` : ''}.`,
    { field: 'workflow' },
  );
}
