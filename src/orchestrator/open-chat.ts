import { readFile } from 'node:fs/promises';
import { resolveModel } from '../agent/models.ts';
import { UserError, describeError } from '../core/errors.ts';
import { findOrchestrator } from '../db/orchestrators.ts';
import { discoverAgentTemplates, discoverSlashCommands } from '../project/index.ts';
import { loadWorkflows } from '../services/adws/workflow-registry.ts';
import type { Services } from '../services/services.ts';
import type { AnyTool } from '../tools/tool.ts';
import { createChatService, type ChatService } from './chat-service.ts';
import type { PromptContext } from './system-prompt.ts';

/**
 * The chat with `cwd`'s orchestrator, configured from the environment (BATON_ORCHESTRATOR_MODEL,
 * BATON_ORCHESTRATOR_PROMPT), with messages a previous process left queued picked up.
 */
export async function openChat(
  services: Services,
  cwd: string,
  tools: readonly AnyTool[],
): Promise<ChatService> {
  const { orchestrator, defaultModel } = services.config;
  const model = orchestrator.model
    ? resolveModel(orchestrator.model, 'BATON_ORCHESTRATOR_MODEL')
    : resolveModel(defaultModel, 'BATON_MODEL');
  const promptTemplate = orchestrator.promptFile ? await readPromptFile(orchestrator.promptFile) : undefined;
  const chat = createChatService({
    services,
    tools,
    cwd,
    model,
    promptTemplate,
    promptContext: projectPromptContext,
  });
  void chat.resume();
  return chat;
}

/** ServerDeps.orchestrator for `cwd`: its orchestrator's id and agent, once the chat has made it. */
export function orchestratorLookup(services: Services, cwd: string) {
  return async () => {
    const row = await findOrchestrator(services.db.pool, cwd);
    return row && { id: row.id, agentId: row.agent_id };
  };
}

/** What the project offers the orchestrator, read again before every turn. */
export async function projectPromptContext(cwd: string): Promise<PromptContext> {
  const [{ workflows }, { templates }, { commands }] = await Promise.all([
    loadWorkflows(cwd),
    discoverAgentTemplates(cwd),
    discoverSlashCommands(cwd),
  ]);
  return {
    templates,
    workflows: workflows.map((workflow) => ({
      name: workflow.name,
      description: workflow.description,
      steps: workflow.steps.map((step) => step.name),
    })),
    slashCommands: commands.filter((command) => !command.disableModelInvocation),
  };
}

async function readPromptFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `BATON_ORCHESTRATOR_PROMPT: cannot read ${path} (${describeError(error)}); fix the path or unset it.`,
      {
        code: 'config',
      },
    );
  }
}
