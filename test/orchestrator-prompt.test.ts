import { describe, expect, it } from 'vitest';
import { projectPromptContext } from '../src/orchestrator/open-chat.ts';
import { defaultOrchestratorPrompt, orchestratorPrompt } from '../src/orchestrator/system-prompt.ts';
import { projectFixture } from './helpers/project.ts';

describe("the orchestrator's system prompt", () => {
  const context = {
    templates: [{ name: 'reviewer', description: 'Reviews diffs\nfor risk.' }, { name: 'bare' }],
    workflows: [{ name: 'plan_build', description: 'Plan, then build.', steps: ['plan', 'build'] }],
    slashCommands: [{ name: 'experts:adw:question', description: 'Ask the ADW expert' }],
  };

  it('lists the project’s templates, workflows and slash commands where the placeholders are', () => {
    const prompt = orchestratorPrompt(context);
    expect(prompt).toContain('- **reviewer**: Reviews diffs for risk.');
    expect(prompt).toContain('- **bare**\n');
    expect(prompt).toContain('- **plan_build**: Plan, then build.: plan → build');
    expect(prompt).toContain('- **/experts:adw:question**: Ask the ADW expert');
    expect(prompt).not.toMatch(/\{\{[A-Z_]+\}\}/);
  });

  it('says so when the project has none', () => {
    const prompt = orchestratorPrompt({ templates: [], workflows: [], slashCommands: [] });
    expect(prompt).toContain('No templates (`.claude/agents/*.md`)');
    expect(prompt).toContain('No project slash commands');
  });

  it('fills the same placeholders in a project’s own prompt, leaving `$` sequences as written', () => {
    const prompt = orchestratorPrompt(context, 'Mine. Costs $& and $1.\n{{SLASH_COMMANDS}}\n{{UNKNOWN}}');
    expect(prompt).toBe(
      'Mine. Costs $& and $1.\n- **/experts:adw:question**: Ask the ADW expert\n{{UNKNOWN}}',
    );
    expect(defaultOrchestratorPrompt).toContain('{{AGENT_TEMPLATES}}');
  });

  it("is built from the project's templates, workflows and the slash commands a model may invoke", async () => {
    const prompt = orchestratorPrompt(await projectPromptContext(projectFixture));
    expect(prompt).toContain('- **code-reviewer**');
    expect(prompt).toContain('- **/experts:adw:question**');
    expect(prompt).toContain('- **plan_build_review_fix**');
    expect(prompt).not.toContain('/plan**'); // disable-model-invocation: true
  });
});
