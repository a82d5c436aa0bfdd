import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { frontmatterFields } from './frontmatter-fields.ts';
import { parseFrontmatter } from './frontmatter.ts';
import { compareText, describeFsError, listMarkdownFiles } from './markdown-files.ts';
import { compareProblems, type ProjectFileProblem } from './problems.ts';

/** A project slash command, `.claude/commands/**\/*.md`, as Claude Code will offer it to an agent. */
export interface SlashCommand {
  /** The path under `.claude/commands/` without `.md`, folders joined by `:` (`experts:adw:question`). */
  name: string;
  /** The file, relative to the project directory. */
  path: string;
  /** Frontmatter `description`, else the body's first non-empty line, else "". */
  description: string;
  /** Frontmatter `argument-hint`, exactly as written (`[file] [options]`). */
  argumentHint?: string;
  model?: string;
  /** Frontmatter `allowed-tools`, a list whether written as a list or as one comma-separated line. */
  allowedTools: string[];
  disableModelInvocation: boolean;
}

export interface SlashCommandCatalog {
  /** Sorted by name. */
  commands: SlashCommand[];
  /** Files that could not be used; the other commands are still listed. */
  problems: ProjectFileProblem[];
}

export const slashCommandsFolder = '.claude/commands';

/** The slash commands of the project in `cwd`; a project without `.claude/commands` has none. */
export async function discoverSlashCommands(cwd: string): Promise<SlashCommandCatalog> {
  const listing = await listMarkdownFiles(cwd, slashCommandsFolder, { recursive: true });
  const commands: SlashCommand[] = [];
  const problems = [...listing.problems];
  for (const path of listing.files) {
    const read = await readSlashCommand(cwd, path);
    if ('problems' in read) problems.push(...read.problems);
    else commands.push(read.command);
  }
  commands.sort((a, b) => compareText(a.name, b.name));
  problems.sort(compareProblems);
  return { commands, problems };
}

async function readSlashCommand(
  cwd: string,
  path: string,
): Promise<{ command: SlashCommand } | { problems: ProjectFileProblem[] }> {
  let text: string;
  try {
    text = await readFile(join(cwd, path), 'utf8');
  } catch (error) {
    return { problems: [{ path, reason: `cannot read this file (${describeFsError(error)})` }] };
  }
  const parsed = parseFrontmatter(path, text, { verbatimKeys: ['argument-hint'] });
  if (!parsed.ok) return { problems: [parsed.problem] };
  const fields = frontmatterFields(path, parsed.value);
  const description = fields.text('description');
  const argumentHint = fields.hint('argument-hint');
  const model = fields.text('model');
  const allowedTools = fields.toolList('allowed-tools');
  const disableModelInvocation = fields.boolean('disable-model-invocation');
  if (fields.problems.length > 0) return { problems: fields.problems };
  return {
    command: {
      name: path
        .slice(slashCommandsFolder.length + 1)
        .replace(/\.md$/, '')
        .split('/')
        .join(':'),
      path,
      description: description || firstLine(parsed.value.body),
      ...(argumentHint ? { argumentHint } : {}),
      ...(model ? { model } : {}),
      allowedTools: allowedTools ?? [],
      disableModelInvocation: disableModelInvocation ?? false,
    },
  };
}

/** The first non-empty line, without a heading's `#`s: what Claude Code shows for a command with no description. */
function firstLine(body: string): string {
  const line = body.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return line.replace(/^\s*#+\s*/, '').trim();
}
