import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { NotFoundError, UserError } from '../core/errors.ts';
import { frontmatterFields } from './frontmatter-fields.ts';
import { parseFrontmatter } from './frontmatter.ts';
import { compareText, describeFsError, listMarkdownFiles } from './markdown-files.ts';
import { compareProblems, describeProblem, type ProjectFileProblem } from './problems.ts';

/** A subagent template, `.claude/agents/<file>.md`: who a new agent is and what it may use. */
export interface AgentTemplate {
  /** Frontmatter `name`: the key a template is asked for by. */
  name: string;
  description: string;
  /** The file, relative to the project directory. */
  path: string;
  /** Frontmatter `tools`; absent means the template does not restrict tools (Claude Code's default). */
  tools?: string[];
  model?: string;
  color?: string;
  /** The body after the frontmatter, trimmed. */
  systemPrompt: string;
}

export interface AgentTemplateCatalog {
  /** Sorted by name. */
  templates: AgentTemplate[];
  /** Files that could not be used; the other templates are still listed. */
  problems: ProjectFileProblem[];
}

export const agentTemplatesFolder = '.claude/agents';

/** The agent templates of the project in `cwd`; a project without `.claude/agents` has none. */
export async function discoverAgentTemplates(cwd: string): Promise<AgentTemplateCatalog> {
  const listing = await listMarkdownFiles(cwd, agentTemplatesFolder, { recursive: false });
  const templates: AgentTemplate[] = [];
  const problems = [...listing.problems];
  for (const path of listing.files) {
    const read = await readAgentTemplate(cwd, path);
    if ('problems' in read) {
      problems.push(...read.problems);
      continue;
    }
    const earlier = templates.find((template) => template.name === read.template.name);
    if (earlier) {
      problems.push({
        path,
        reason: `the template name ${read.template.name} is already used by ${earlier.path}; rename one of them`,
      });
    } else templates.push(read.template);
  }
  templates.sort((a, b) => compareText(a.name, b.name));
  problems.sort(compareProblems);
  return { templates, problems };
}

/**
 * The template called `name`. A template whose file (`<name>.md`) is broken is a UserError naming the file
 * and line; an unknown name is a NotFoundError listing the templates there are.
 */
export async function loadAgentTemplate(cwd: string, name: string): Promise<AgentTemplate> {
  const catalog = await discoverAgentTemplates(cwd);
  const found = catalog.templates.find((template) => template.name === name);
  if (found) return found;
  const broken = catalog.problems.filter((problem) => basename(problem.path, '.md') === name);
  if (broken.length > 0) {
    throw new UserError(
      `The agent template ${name} cannot be used: ${broken.map(describeProblem).join('; ')}. Fix the file's frontmatter.`,
    );
  }
  const available = catalog.templates.map((template) => template.name);
  throw new NotFoundError(
    `Unknown agent template "${name}": ` +
      (available.length > 0
        ? `use one of ${available.join(', ')}`
        : `there are no templates in ${agentTemplatesFolder}/ of ${cwd}`) +
      (catalog.problems.length > 0
        ? `. Template files with problems: ${catalog.problems.map(describeProblem).join('; ')}`
        : '') +
      '.',
  );
}

async function readAgentTemplate(
  cwd: string,
  path: string,
): Promise<{ template: AgentTemplate } | { problems: ProjectFileProblem[] }> {
  let text: string;
  try {
    text = await readFile(join(cwd, path), 'utf8');
  } catch (error) {
    return { problems: [{ path, reason: `cannot read this file (${describeFsError(error)})` }] };
  }
  const parsed = parseFrontmatter(path, text);
  if (!parsed.ok) return { problems: [parsed.problem] };
  if (!parsed.value.present) {
    return {
      problems: [
        {
          path,
          line: 1,
          reason:
            'an agent template starts with a frontmatter (--- name: … description: … ---) before its prompt',
        },
      ],
    };
  }
  const fields = frontmatterFields(path, parsed.value);
  const name = fields.text('name');
  const description = fields.text('description');
  const tools = fields.toolList('tools');
  const model = fields.text('model');
  const color = fields.text('color');
  const systemPrompt = parsed.value.body.trim();
  const problems = fields.problems;
  const at = (key: string) => parsed.value.lineOf(key);
  if (!name && !fields.invalid('name')) {
    problems.push({ path, line: at('name'), reason: 'the frontmatter needs a name (name: code-reviewer)' });
  }
  if (!description && !fields.invalid('description')) {
    problems.push({
      path,
      line: at('description'),
      reason: 'the frontmatter needs a description of the agent',
    });
  }
  if (systemPrompt === '') {
    problems.push({ path, reason: 'the template has no system prompt: write it after the closing ---' });
  }
  if (problems.length > 0 || !name || !description) return { problems };
  return {
    template: {
      name,
      description,
      path,
      ...(tools ? { tools } : {}),
      ...(model ? { model } : {}),
      ...(color ? { color } : {}),
      systemPrompt,
    },
  };
}
