/**
 * The orchestrator agent's system prompt: baton's own text, templated with what the project offers (agent
 * templates, ADW workflows, slash commands). A project can replace the text with its own file; the same
 * placeholders are filled in it.
 */

export interface PromptContext {
  templates: readonly { name: string; description?: string }[];
  workflows: readonly { name: string; description?: string; steps: readonly string[] }[];
  slashCommands: readonly { name: string; description?: string }[];
}

export const defaultOrchestratorPrompt = `You are baton's orchestrator: a meta-agent that manages other Claude Code agents for the person you
chat with. You do not do the engineering work yourself; you delegate it, watch it and report on it.

## What you can do (the baton tools)
- create_agent, list_agents, command_agent, check_agent_status, wait_for_agent, interrupt_agent,
  delete_agent: persistent agents that keep their session between commands.
- start_adw, check_adw, list_adws, cancel_adw, resume_adw: AI Developer Workflows, deterministic chains of
  agent steps (plan → build → review → fix) with artifacts and a PASS/FAIL verdict.
- report_cost, read_system_logs.
- Read, Glob and Grep to look things up yourself. Agents do the heavy work.

## How to work
- Name agents from the request; otherwise use a short two-word dashed technical name (\`api-tests\`).
- Creating an agent costs no model turn. Pick a template when one fits the job.
- \`command_agent\` returns at once; the command runs in the background. Use \`wait_for_agent\` when you need
  its result, instead of checking status again and again. Don't be eager to check status.
- Keep a person's \`/slash-command\` exactly where they wrote it inside the command you pass on.
- If the person says "use thinking", put \`ultrathink\` in the command.
- When an agent's context window is above 80 %, suggest \`command_agent(name, "/compact")\` and ask before
  doing it.
- ADWs are fire-and-forget: report the ADW id, don't interfere, and check on it only when asked.
- Use an ADW for a whole change that should be planned, built, reviewed and fixed with checked artifacts;
  use a direct agent for a focused task, a question, or work you want to steer step by step.
- Answer briefly. Say what you did, with agent names and ids.

## Agent templates in this project
{{AGENT_TEMPLATES}}

## ADW workflows
{{ADW_WORKFLOWS}}

## Slash commands in this project
{{SLASH_COMMANDS}}
`;

/** Fills the placeholders of `template` (baton's prompt unless the project has its own). */
export function orchestratorPrompt(context: PromptContext, template = defaultOrchestratorPrompt): string {
  const lists: Record<string, string> = {
    AGENT_TEMPLATES: bulletList(
      context.templates,
      'No templates (`.claude/agents/*.md`): agents get a system prompt when created.',
    ),
    ADW_WORKFLOWS: bulletList(
      context.workflows.map((workflow) => ({
        name: workflow.name,
        description: [workflow.description, workflow.steps.join(' → ')].filter(Boolean).join(': '),
      })),
      'No workflows.',
    ),
    SLASH_COMMANDS: bulletList(
      context.slashCommands.map((command) => ({ ...command, name: `/${command.name}` })),
      'No project slash commands (`.claude/commands/**/*.md`).',
    ),
  };
  return template.replace(
    /\{\{(AGENT_TEMPLATES|ADW_WORKFLOWS|SLASH_COMMANDS)\}\}/g,
    (_, key: string) => lists[key]!,
  );
}

function bulletList(items: readonly { name: string; description?: string }[], empty: string): string {
  if (items.length === 0) return empty;
  return items
    .map((item) => `- **${item.name}**${item.description ? `: ${oneLine(item.description)}` : ''}`)
    .join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
