import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describeError, UserError } from '../../core/errors.ts';

/**
 * An agent template from `.claude/agents/*.md`: YAML frontmatter (`name`, `description`, optional `tools`,
 * `model`, `color`) and a body that is the agent's system prompt.
 *
 * A stand-in until the project discovery module (src/project/) lands: only `loadTemplate` is relied on.
 */
export interface AgentTemplate {
  name: string;
  description: string;
  /** The only tools an agent of this template may use; absent: every tool. */
  tools?: string[];
  model?: string;
  color?: string;
  systemPrompt: string;
}

/** The templates of a project, and the files that could not be read as one. */
export async function listTemplates(cwd: string): Promise<{ templates: AgentTemplate[]; errors: string[] }> {
  const folder = join(cwd, '.claude', 'agents');
  const files = await readdir(folder).catch(() => [] as string[]);
  const templates: AgentTemplate[] = [];
  const errors: string[] = [];
  for (const file of files.filter((name) => name.endsWith('.md')).sort()) {
    const path = join(folder, file);
    try {
      templates.push(parseTemplate(await readFile(path, 'utf8')));
    } catch (error) {
      errors.push(`${path}: ${describeError(error)}`);
    }
  }
  return { templates, errors };
}

/** The template named `name` (its frontmatter name); an unknown name is refused with the names there are. */
export async function loadTemplate(cwd: string, name: string): Promise<AgentTemplate> {
  const { templates, errors } = await listTemplates(cwd);
  const found = templates.find((template) => template.name === name);
  if (found) return found;
  const known = templates.map((template) => template.name);
  throw new UserError(
    `Unknown template "${name}" (template): ${known.length ? `available: ${known.join(', ')}` : `no templates in ${join(cwd, '.claude', 'agents')}`}` +
      (errors.length ? `; unreadable: ${errors.join('; ')}` : ''),
  );
}

export function parseTemplate(text: string): AgentTemplate {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match)
    throw new Error('no frontmatter: the file must start with a --- block holding name and description');
  let front: unknown;
  try {
    front = parse(match[1]!);
  } catch (error) {
    throw new Error(`broken frontmatter: ${describeError(error)}`);
  }
  if (!front || typeof front !== 'object') throw new Error('the frontmatter is not a mapping');
  const fields = front as Record<string, unknown>;
  const text_ = (key: string, required: boolean): string | undefined => {
    const value = fields[key];
    if (value === undefined || value === null) {
      if (required) throw new Error(`the frontmatter has no "${key}"`);
      return undefined;
    }
    if (typeof value !== 'string' || !value.trim()) throw new Error(`"${key}" must be a non-empty string`);
    return value.trim();
  };
  const systemPrompt = match[2]!.trim();
  if (!systemPrompt) throw new Error('the body (the system prompt) is empty');
  return {
    name: text_('name', true)!,
    description: text_('description', true)!,
    tools: toolList(fields.tools),
    model: text_('model', false),
    color: text_('color', false),
    systemPrompt,
  };
}

/** `tools` as a YAML list or a comma-separated string. */
function toolList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!items || items.some((item) => typeof item !== 'string'))
    throw new Error('"tools" must be a list of tool names or a comma-separated string');
  const tools = (items as string[]).map((item) => item.trim()).filter(Boolean);
  if (tools.length === 0) throw new Error('"tools" is empty: drop it to allow every tool');
  return tools;
}
