import { resolve } from 'node:path';
import { resolveModel } from '../../agent/models.ts';
import { requirePrice, type PriceTable } from '../../agent/pricing.ts';
import { assertWorkingDirectory } from '../../agent/run-agent.ts';
import { dataPaths, type Config } from '../../config/index.ts';
import { ConflictError, NotFoundError, UserError } from '../../core/errors.ts';
import { EventType } from '../../core/events.ts';
import { newId } from '../../core/ids.ts';
import type { PromptAuthor } from '../../core/statuses.ts';
import {
  cancelQueuedCommands,
  getCommand,
  insertCommand,
  lastCommand,
  openCommands,
  requestStop,
  type CommandRow,
} from '../../db/agent-commands.ts';
import {
  archiveAgent,
  findCommandAgent,
  insertAgent,
  listCommandAgents,
  type AgentRow,
} from '../../db/agents.ts';
import { publishControl, type EventBus } from '../../db/event-bus.ts';
import { insertEvents } from '../../db/events.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import { insertPrompt } from '../../db/prompts.ts';
import { insertSystemLog } from '../../db/system-logs.ts';
import { slugify } from '../../workflow/builtin-steps.ts';
import { prepareWorkspace, removeWorkspace } from '../adws/workspace.ts';
import { agentEvent, excerpt } from './agent-events.ts';
import type { CommandQueue } from './command-queue.ts';
import { loadAgentTemplate, type AgentTemplate } from '../../project/index.ts';
import { waitForCommand } from './wait-for-command.ts';

export interface AgentServiceDeps {
  pool: Pool;
  queue: CommandQueue;
  bus: () => EventBus;
  config: Readonly<Config>;
  prices: PriceTable;
}

export interface CreateAgentInput {
  /** The workspace: the directory the agent belongs to and works in (unless it gets a worktree). */
  workspace: string;
  name: string;
  systemPrompt?: string;
  model?: string;
  template?: string;
  /** Work in a git worktree of its own, on its own branch. */
  worktree?: boolean;
  orchestratorId?: string;
}

export interface CommandInput {
  workspace: string;
  name: string;
  command: string;
  author?: PromptAuthor;
  orchestratorId?: string;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** How long delete_agent waits for a running command to stop before it answers. */
const deleteWaitMs = 15_000;

/**
 * Persistent command agents: created without a model turn; each command is a prompt recorded at once and
 * a durable job (see command-queue.ts), run by a worker as one recorded run resuming the agent's session.
 */
export function createAgentService(deps: AgentServiceDeps) {
  async function create(input: CreateAgentInput): Promise<AgentRow> {
    const workspace = checkedWorkspace(input.workspace);
    if (!namePattern.test(input.name)) {
      throw new UserError(
        `Agent name "${input.name}" (name): use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.`,
        { field: 'name' },
      );
    }
    let template: AgentTemplate | undefined;
    if (input.template !== undefined) {
      template = await loadAgentTemplate(workspace, input.template).catch((error: unknown) => {
        throw new UserError((error as Error).message, { field: 'template' });
      });
    }
    const systemPrompt = input.systemPrompt?.trim() ? input.systemPrompt : template?.systemPrompt;
    // An explicit model wins over the template's.
    const [modelName, field] = input.model
      ? [input.model, 'model']
      : template?.model
        ? [template.model, 'template']
        : [deps.config.defaultModel, 'BATON_MODEL'];
    const model = checkedModel(modelName, field);
    if (await findCommandAgent(deps.pool, workspace, input.name)) {
      throw new ConflictError(
        `The name "${input.name}" (name) is already in use in ${workspace}: pick another, or delete that agent first.`,
        { field: 'name' },
      );
    }

    const id = newId();
    const place = input.worktree
      ? await prepareWorkspace(workspace, {
          adwId: id,
          slug: slugify(input.name),
          inPlace: false,
          worktreesRoot: dataPaths(deps.config.home).worktrees,
          branchPrefix: 'agent',
        })
      : { cwd: workspace };
    if (input.worktree && !('worktreePath' in place && place.worktreePath)) {
      throw new UserError(
        `worktree: ${workspace} cannot give the agent a worktree (${'inPlaceReason' in place ? place.inPlaceReason : 'not a git repository'}); drop worktree.`,
        { field: 'worktree' },
      );
    }
    try {
      return await inTransaction(deps.pool, async (client) => {
        const agent = await insertAgent(client, {
          name: input.name,
          model,
          workingDir: place.cwd,
          systemPrompt,
          orchestratorId: input.orchestratorId,
          kind: 'command',
          workspace,
          template: template?.name,
          tools: template?.tools,
          worktreePath: 'worktreePath' in place ? place.worktreePath : undefined,
          branch: 'branch' in place ? place.branch : undefined,
          metadata: template ? { template_name: template.name, template_color: template.color ?? null } : {},
        });
        await insertEvents(client, [
          agentEvent(
            EventType.AgentCreated,
            { agentId: agent.id, orchestratorId: input.orchestratorId },
            { name: agent.name, model, template: template?.name ?? null, tools: template?.tools ?? null },
            `Agent ${agent.name} created (${model}${template ? `, template ${template.name}` : ''})`,
          ),
        ]);
        await insertSystemLog(client, {
          level: 'INFO',
          source: 'agents',
          message: `Agent ${agent.name} created in ${workspace}`,
          orchestratorId: input.orchestratorId,
          metadata: { agent_id: agent.id },
        });
        return agent;
      });
    } catch (error) {
      if ('worktreePath' in place) await removeWorkspace(workspace, place).catch(() => {});
      if ((error as { constraint?: string }).constraint === 'agents_live_command_name') {
        throw new ConflictError(`The name "${input.name}" (name) is already in use in ${workspace}.`, {
          field: 'name',
        });
      }
      throw error;
    }
  }

  /** The live agent named `name`; an archived or unknown name is refused, naming the field. */
  async function find(workspaceInput: string, name: string): Promise<AgentRow> {
    const workspace = checkedWorkspace(workspaceInput);
    const agent = await findCommandAgent(deps.pool, workspace, name);
    if (agent) return agent;
    const archived = await deps.pool.query(
      `select 1 from agents where kind = 'command' and workspace = $1 and name = $2 and archived limit 1`,
      [workspace, name],
    );
    const known = (await listCommandAgents(deps.pool, workspace)).map((row) => row.name);
    throw new NotFoundError(
      archived.rowCount
        ? `Agent "${name}" (name) was deleted: create a new one to give it commands.`
        : `No agent named "${name}" (name) in ${workspace}: ${known.length ? `agents: ${known.join(', ')}` : 'create one with create_agent'}.`,
      { field: 'name' },
    );
  }

  /** Queues a command: its prompt, its row, a CommandQueued event and its job, in one transaction. */
  async function command(
    input: CommandInput,
  ): Promise<{ agent: AgentRow; commandId: string; ahead: number }> {
    const text = input.command;
    if (!text.trim())
      throw new UserError('The command (command) is empty: say what the agent should do.', {
        field: 'command',
      });
    const agent = await find(input.workspace, input.name);
    const ahead = (await openCommands(deps.pool, agent.id)).length;
    const commandId = await inTransaction(deps.pool, async (client) => {
      // The agent is locked so a concurrent delete either sees this command or is seen by it.
      const live = await client.query('select 1 from agents where id = $1 and not archived for update', [
        agent.id,
      ]);
      if (!live.rowCount)
        throw new NotFoundError(`Agent "${agent.name}" (name) was deleted meanwhile.`, { field: 'name' });
      const id = await insertPrompt(client, {
        agentId: agent.id,
        author: input.author ?? (input.orchestratorId ? 'orchestrator_agent' : 'engineer'),
        text,
      });
      await insertCommand(client, { id, agentId: agent.id });
      await insertEvents(client, [
        agentEvent(
          EventType.CommandQueued,
          { agentId: agent.id, orchestratorId: agent.orchestrator_id },
          { command_id: id, ahead },
          `Command queued${ahead ? ` behind ${ahead}` : ''}: ${excerpt(text)}`,
        ),
      ]);
      await deps.queue.enqueue({ commandId: id, agentId: agent.id }, client);
      await publishControl(client, { type: 'command_queued', agentId: agent.id });
      return id;
    });
    return { agent, commandId, ahead };
  }

  /**
   * Waits for a command of the agent to end: the one given, else its last (so the commands queued before
   * it have ended too). Resolves with the command as it is when `timeoutMs` passes.
   */
  async function wait(
    workspace: string,
    name: string,
    options: { commandId?: string; timeoutMs: number },
  ): Promise<{ agent: AgentRow; command?: CommandRow; timedOut: boolean }> {
    const agent = await find(workspace, name);
    const target = options.commandId
      ? await getCommand(deps.pool, options.commandId)
      : await lastCommand(deps.pool, agent.id);
    if (options.commandId && target?.agent_id !== agent.id)
      throw new NotFoundError(`Command ${options.commandId} (prompt_id) is not one of ${agent.name}'s.`, {
        field: 'prompt_id',
      });
    if (!target) return { agent, timedOut: false };
    const bus = deps.bus();
    await bus.ready();
    const { row, timedOut } = await waitForCommand(
      deps.pool,
      bus,
      { id: target.id, agentId: agent.id },
      options.timeoutMs,
    );
    return { agent, command: row, timedOut };
  }

  /** Stops the agent's running command (the queued ones still run); undefined when nothing runs. */
  async function interrupt(
    workspace: string,
    name: string,
  ): Promise<{ agent: AgentRow; command?: CommandRow }> {
    const agent = await find(workspace, name);
    const running = (await openCommands(deps.pool, agent.id)).find((row) => row.status === 'running');
    if (!running) return { agent };
    await inTransaction(deps.pool, async (client) => {
      await requestStop(client, running.id, 'interrupt');
      await publishControl(client, { type: 'stop_command', commandId: running.id });
    });
    return { agent, command: running };
  }

  /**
   * Deletes an agent: its queued commands are cancelled, its running one is stopped, and it is archived,
   * which frees its name. Its history (runs, events, file changes) stays. Waits a little for the stop.
   */
  async function remove(
    workspace: string,
    name: string,
  ): Promise<{ agent: AgentRow; cancelled: number; stopped?: CommandRow; stillStopping: boolean }> {
    const agent = await find(workspace, name);
    const { cancelled, running } = await inTransaction(deps.pool, async (client) => {
      await client.query('select 1 from agents where id = $1 for update', [agent.id]);
      if (!(await archiveAgent(client, agent.id)))
        throw new NotFoundError(`Agent "${name}" (name) was deleted meanwhile.`, { field: 'name' });
      const cancelledIds = await cancelQueuedCommands(client, agent.id);
      const runningRow = (await openCommands(client, agent.id)).find((row) => row.status === 'running');
      if (runningRow) {
        await requestStop(client, runningRow.id, 'delete');
        await publishControl(client, { type: 'stop_command', commandId: runningRow.id });
      }
      await publishControl(client, { type: 'agent_deleted', agentId: agent.id });
      const scope = { agentId: agent.id, orchestratorId: agent.orchestrator_id };
      await insertEvents(client, [
        ...cancelledIds.map((id) =>
          agentEvent(
            EventType.CommandEnded,
            scope,
            { command_id: id, status: 'cancelled' },
            'Command cancelled: the agent was deleted',
          ),
        ),
        agentEvent(
          EventType.AgentDeleted,
          scope,
          { name: agent.name, cancelled: cancelledIds.length },
          `Agent ${agent.name} deleted`,
        ),
      ]);
      await insertSystemLog(client, {
        level: 'INFO',
        source: 'agents',
        message: `Agent ${agent.name} deleted from ${agent.workspace}${cancelledIds.length ? ` (${cancelledIds.length} queued commands cancelled)` : ''}`,
        orchestratorId: agent.orchestrator_id ?? undefined,
        metadata: { agent_id: agent.id },
      });
      return { cancelled: cancelledIds, running: runningRow };
    });
    await deps.queue.cancel(cancelled);
    if (!running) return { agent, cancelled: cancelled.length, stillStopping: false };
    const bus = deps.bus();
    await bus.ready();
    const waited = await waitForCommand(deps.pool, bus, { id: running.id, agentId: agent.id }, deleteWaitMs);
    return { agent, cancelled: cancelled.length, stopped: waited.row, stillStopping: waited.timedOut };
  }

  function checkedModel(name: string, field: string): string {
    const source = field === 'BATON_MODEL' ? 'BATON_MODEL' : `${field} (${field})`;
    try {
      const model = resolveModel(name, source);
      requirePrice(deps.prices, model, source);
      return model;
    } catch (error) {
      throw new UserError((error as Error).message, {
        field: field === 'BATON_MODEL' ? undefined : field,
        code: field === 'BATON_MODEL' ? 'config' : 'user_input',
      });
    }
  }

  return {
    create,
    find,
    list: (workspace: string) => listCommandAgents(deps.pool, checkedWorkspace(workspace)),
    openCommands: (agentId: string) => openCommands(deps.pool, agentId),
    lastCommand: (agentId: string) => lastCommand(deps.pool, agentId),
    command,
    wait,
    interrupt,
    remove,
  };
}

function checkedWorkspace(workspace: string): string {
  if (!workspace.trim())
    throw new UserError('The workspace is empty: pass a directory with --cwd.', { field: 'cwd' });
  const path = resolve(workspace);
  assertWorkingDirectory(path);
  return path;
}

export type AgentService = ReturnType<typeof createAgentService>;
