import { describe, expect, it } from 'vitest';
import { NotFoundError, UserError } from '../src/core/errors.ts';
import { projectFixture, useScratchProjects } from './helpers/project.ts';
import { describeProblem, discoverAgentTemplates, loadAgentTemplate } from '../src/project/index.ts';

const fixture = projectFixture;
const project = useScratchProjects();

describe('discoverAgentTemplates', () => {
  it('reads name, description, tools (comma line or list), model, color and the body as the system prompt', async () => {
    const { templates } = await discoverAgentTemplates(fixture);
    expect(templates).toEqual([
      {
        name: 'builder',
        description: 'Implements a plan',
        path: '.claude/agents/builder.md',
        systemPrompt: 'You implement the plan you are given, step by step.',
      },
      {
        name: 'code-reviewer',
        description: 'Reviews a change for bugs and style',
        path: '.claude/agents/code-reviewer.md',
        tools: ['Read', 'Grep', 'Glob'],
        model: 'sonnet',
        color: 'blue',
        systemPrompt: 'You are a careful code reviewer. Report problems by severity.',
      },
      {
        name: 'scout',
        description: 'Finds the files relevant to a task',
        path: '.claude/agents/scout.md',
        tools: ['Read', 'Glob', 'Grep'],
        color: 'green',
        systemPrompt: 'You scout a codebase and list the files that matter, with one line on each.',
      },
    ]);
  });

  it('reports broken templates by file and line, and reads only .claude/agents itself, not subfolders', async () => {
    const { templates, problems } = await discoverAgentTemplates(fixture);
    expect(problems.map(describeProblem)).toEqual([
      expect.stringMatching(/^\.claude\/agents\/broken-frontmatter\.md:3: YAML syntax in the frontmatter: /),
      '.claude/agents/no-name.md:1: the frontmatter needs a name (name: code-reviewer)',
    ]);
    expect(templates.some((template) => template.name === 'nested-template')).toBe(false);
  });

  it('refuses a template without frontmatter, without a prompt, or with a name already taken', async () => {
    const dir = await project({
      '.claude/agents/a.md': '---\nname: twin\ndescription: first\n---\nPrompt A\n',
      '.claude/agents/b.md': '---\nname: twin\ndescription: second\n---\nPrompt B\n',
      '.claude/agents/bare.md': 'Just a prompt\n',
      '.claude/agents/empty.md': '---\nname: empty\ndescription: no prompt\n---\n\n',
      '.claude/agents/list-name.md': '---\nname: [a, b]\ndescription: d\n---\nPrompt\n',
    });
    const { templates, problems } = await discoverAgentTemplates(dir);
    expect(templates.map((template) => template.name)).toEqual(['twin']);
    expect(templates[0]?.systemPrompt).toBe('Prompt A');
    expect(problems.map(describeProblem)).toEqual([
      '.claude/agents/b.md: the template name twin is already used by .claude/agents/a.md; rename one of them',
      '.claude/agents/bare.md:1: an agent template starts with a frontmatter (--- name: … description: … ---) before its prompt',
      '.claude/agents/empty.md: the template has no system prompt: write it after the closing ---',
      '.claude/agents/list-name.md:2: name must be text (quote it if it holds a ": " or starts with [ or {)',
    ]);
  });
});

describe('loadAgentTemplate', () => {
  it('returns the template with that frontmatter name', async () => {
    const template = await loadAgentTemplate(fixture, 'code-reviewer');
    expect(template.tools).toEqual(['Read', 'Grep', 'Glob']);
    expect(template.systemPrompt).toContain('careful code reviewer');
  });

  it('refuses an unknown name with a NotFoundError listing the templates there are', async () => {
    const error = await loadAgentTemplate(fixture, 'planner').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(
      /^Unknown agent template "planner": use one of builder, code-reviewer, scout\./,
    );
    expect((error as Error).message).toContain('.claude/agents/no-name.md:1');

    const empty = await project({});
    await expect(loadAgentTemplate(empty, 'scout')).rejects.toThrow(
      `Unknown agent template "scout": there are no templates in .claude/agents/ of ${empty}.`,
    );
  });

  it('refuses a template whose frontmatter is broken with a UserError naming the file and line', async () => {
    const error = await loadAgentTemplate(fixture, 'broken-frontmatter').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^The agent template broken-frontmatter cannot be used: \.claude\/agents\/broken-frontmatter\.md:3: YAML syntax/,
    );
  });
});
