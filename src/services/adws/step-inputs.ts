import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArtifact } from '../../workflow/artifacts.ts';
import { artifactPath, slugify } from '../../workflow/builtin-steps.ts';
import { stepExpert } from '../../workflow/builtin-workflows.ts';
import { expertiseSection, loadExpertFiles } from '../../experts/index.ts';
import { renderStepPrompt } from '../../workflow/prompts.ts';
import type { AdwState, StepDefinition, StepOutput, StepRun } from '../../workflow/types.ts';
import type { AdwRow } from '../../db/adws.ts';

/** The file a step run must leave behind, relative to the ADW's working directory, if any. */
export function artifactFor(row: AdwRow, definition: StepDefinition, run: StepRun): string | undefined {
  return definition.artifact
    ? artifactPath(definition, { adwId: row.id, slug: slugify(row.inputs.prompt), iteration: run.iteration })
    : undefined;
}

/**
 * The prompt of a step run. A project's own `.claude/commands/<command or kind>.md` replaces the built-in
 * prompt (Claude Code's convention, with $ARGUMENTS); the engine's contract (artifact path and format)
 * is always appended by renderStepPrompt.
 */
export async function promptFor(
  row: AdwRow,
  state: AdwState,
  definition: StepDefinition,
  run: StepRun,
): Promise<string> {
  const commandName = definition.command ?? (definition.kind === 'custom' ? undefined : definition.kind);
  const projectCommand = commandName
    ? await readFile(join(row.inputs.cwd, '.claude', 'commands', `${commandName}.md`), 'utf8').catch(
        () => undefined,
      )
    : undefined;
  const latest = (name: string) =>
    [...state.steps]
      .reverse()
      .find((step) => step.status === 'succeeded' && step.output?.artifactPath && step.name === name);
  const latestVerdict = [...state.steps]
    .reverse()
    .find((step) => step.status === 'succeeded' && step.output?.verdict);
  const domain = definition.kind === 'expert_improve' ? undefined : stepExpert(definition, row.inputs.expert);
  const expertise = domain
    ? expertiseSection(await loadExpertFiles(row.inputs.cwd, domain), 'as the ADW started')
    : undefined;
  return renderStepPrompt({
    step: definition,
    userPrompt: row.inputs.prompt,
    adwId: row.id,
    workflow: row.workflow,
    artifactPath: artifactFor(row, definition, run),
    specPath: latest('plan')?.output?.artifactPath,
    reviewPath: latestVerdict?.output?.artifactPath,
    projectCommand,
    expertise,
  });
}

/** Reads and checks a step's artifact; the error is worded for the agent's follow-up. */
export async function checkArtifact(
  cwd: string,
  definition: StepDefinition,
  path: string,
): Promise<{ ok: true; output: StepOutput } | { ok: false; error: string }> {
  const text = await readFile(join(cwd, path), 'utf8').catch(() => undefined);
  if (text === undefined) return { ok: false, error: `The file ${path} does not exist.` };
  const parsed = parseArtifact(definition.artifact!.format, text);
  if (!parsed.ok)
    return { ok: false, error: `The file ${path} exists but does not follow the format: ${parsed.error}` };
  return { ok: true, output: { ...parsed.value, artifactPath: path } };
}
