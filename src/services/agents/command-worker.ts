import { AppError, describeError } from '../../core/errors.ts';
import { EventType } from '../../core/events.ts';
import type { CommandStatus, PromptAuthor, RunStatus } from '../../core/statuses.ts';
import { endCommand, getCommand, startCommand, type CommandRow } from '../../db/agent-commands.ts';
import { getAgent, setAgentStatus, setBlockedReason, type AgentRow } from '../../db/agents.ts';
import type { EventBus } from '../../db/event-bus.ts';
import { insertEvents } from '../../db/events.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import { getRun } from '../../db/runs.ts';
import { hasStoredSession } from '../../db/session-store.ts';
import { endAbandonedRun, type AbandonedRunDeps } from '../runs/abandoned-runs.ts';
import type { AgentRunner, RecordedRun } from '../runs/agent-runner.ts';
import { agentEvent, excerpt } from './agent-events.ts';
import { commandRetryLimit, type CommandJob, type CommandQueue } from './command-queue.ts';

export interface CommandWorkerDeps {
  pool: Pool;
  queue: CommandQueue;
  runner: AgentRunner;
  bus: EventBus;
  runtime: AbandonedRunDeps['runtime'];
  log?: (line: string) => void;
  /** How often a running command reads the ledger for a stop request it was not told of. @default 2000 */
  watchMs?: number;
}

type StopReason = 'interrupt' | 'delete' | 'shutdown';

interface ActiveCommand {
  run?: RecordedRun;
  stopped?: StopReason;
}

type EndStatus = Exclude<CommandStatus, 'queued' | 'running'>;

const endStatusOf: Record<RunStatus, EndStatus> = {
  running: 'failed',
  succeeded: 'succeeded',
  failed: 'failed',
  interrupted: 'interrupted',
  budget_exceeded: 'failed',
};

/**
 * Runs agent commands from the queue: each is one recorded run of its agent, resuming the agent's
 * session, with the agent's model, system prompt and tools. An agent error is the command's outcome
 * (failed, and the agent blocked with the reason); only a worker that stops gives a command back to the
 * queue, which delivers it again (to this or another worker) and it resumes the session.
 */
export function createCommandWorker(deps: CommandWorkerDeps) {
  const log = deps.log ?? (() => {});
  const watchMs = deps.watchMs ?? 2_000;
  const active = new Map<string, ActiveCommand>();
  let stopping = false;

  function stop(command: ActiveCommand, reason: StopReason): void {
    command.stopped ??= reason;
    void command.run?.interrupt();
  }

  const stopListening = deps.bus.onControl((message) => {
    const command = message.type === 'stop_command' ? active.get(message.commandId) : undefined;
    if (command) stop(command, 'interrupt');
  });

  /** The ledger's word: a stop request (or a delete) may have been sent while this process was not listening. */
  async function checkLedger(id: string, agentId: string, command: ActiveCommand): Promise<void> {
    const [row, agent] = await Promise.all([getCommand(deps.pool, id), getAgent(deps.pool, agentId)]).catch(
      () => [undefined, undefined] as const,
    );
    if (agent?.archived) stop(command, 'delete');
    else if (row?.stop_requested) stop(command, row.stop_requested);
  }

  async function handle(job: CommandJob): Promise<void> {
    const command = await getCommand(deps.pool, job.commandId);
    if (!command || !['queued', 'running'].includes(command.status)) return; // ended or cancelled
    const agent = await getAgent(deps.pool, job.agentId);
    if (!agent || agent.archived) return finish(command, agent, 'cancelled', 'the agent was deleted');
    if (stopping)
      throw new AppError('internal', 'This worker is stopping; the command goes to another worker');
    if (command.stop_requested)
      return finish(command, agent, 'interrupted', 'interrupted before it ran again');

    // Delivered again after its worker died or stopped: end the earlier run if it is still marked running.
    const again = command.status === 'running';
    const earlier = again && command.run_id ? await getRun(deps.pool, command.run_id) : undefined;
    if (earlier) {
      if (earlier.status === 'running')
        await endAbandonedRun(
          deps,
          earlier,
          'its worker stopped; the command runs again, resuming the session',
        );
    }
    const current = (await getAgent(deps.pool, agent.id))!;
    await inTransaction(deps.pool, async (client) => {
      await startCommand(client, command.id);
      await insertEvents(client, [
        agentEvent(
          EventType.CommandStarted,
          { agentId: agent.id, orchestratorId: agent.orchestrator_id },
          { command_id: command.id, delivery: command.deliveries + 1 },
          `Command started${again ? ' again' : ''}: ${excerpt(command.prompt_text)}`,
        ),
      ]);
    });

    const state: ActiveCommand = {};
    active.set(command.id, state);
    const watcher = setInterval(() => void checkLedger(command.id, agent.id, state), watchMs);
    try {
      // The earlier attempt's session (an agent's first command has none of its own yet) holds its work so far.
      const session = earlier?.session_id ?? current.session_id;
      const resume = session && (await hasStoredSession(deps.pool, session)) ? session : undefined;
      let outcome: { status: EndStatus; error?: string; runId?: string; result?: string };
      try {
        state.run = await deps.runner.start({
          prompt: again
            ? `Your previous attempt at this command was interrupted. Carry on and finish it.\n\n${command.prompt_text}`
            : command.prompt_text,
          cwd: current.working_dir,
          model: current.model,
          systemPrompt: current.system_prompt ?? undefined,
          allowedTools: current.tools ?? undefined,
          agentId: current.id,
          resumeSessionId: resume,
          author: command.author as PromptAuthor,
          orchestratorId: current.orchestrator_id ?? undefined,
          promptId: command.id,
        });
        if (state.stopped) void state.run.interrupt();
        const { run } = await state.run.done;
        outcome = {
          status: endStatusOf[run.status],
          error: run.error_message ?? undefined,
          runId: run.id,
          result: run.result_text ?? undefined,
        };
      } catch (error) {
        outcome = { status: 'failed', error: describeError(error), runId: state.run?.runId };
      }
      // Stopped by a shutdown before it could finish: it goes back to the queue (a finished one keeps its end).
      if (state.stopped === 'shutdown' && outcome.status !== 'succeeded') {
        throw new AppError('internal', 'This worker stopped; the command goes back to the queue', {
          retryable: true,
        });
      }
      await finish(command, current, outcome.status, outcome.error, outcome);
    } finally {
      clearInterval(watcher);
      active.delete(command.id);
    }
  }

  /** Ends a command in one transaction: its row, the agent's blocked reason, and a CommandEnded event. */
  async function finish(
    command: CommandRow,
    agent: AgentRow | undefined,
    status: EndStatus,
    error?: string,
    run: { runId?: string; result?: string } = {},
  ): Promise<void> {
    await inTransaction(deps.pool, async (client) => {
      if (!(await endCommand(client, command.id, status, error))) return;
      if (agent && !agent.archived) {
        await setBlockedReason(
          client,
          agent.id,
          status === 'failed' ? (error ?? 'the command failed') : null,
        );
        if (status === 'failed' && !run.runId) await setAgentStatus(client, agent.id, 'blocked');
      }
      await insertEvents(client, [
        agentEvent(
          EventType.CommandEnded,
          { agentId: command.agent_id, orchestratorId: agent?.orchestrator_id, runId: run.runId },
          {
            command_id: command.id,
            status,
            run_id: run.runId ?? null,
            result: run.result ? excerpt(run.result, 2_000) : null,
            error: error ?? null,
          },
          `Command ${status}${error && status !== 'succeeded' ? `: ${excerpt(error)}` : ''}`,
        ),
      ]);
    });
    if (status === 'failed') log(`agent ${agent?.name ?? command.agent_id}: command failed: ${error ?? ''}`);
  }

  /**
   * Ends the commands whose jobs failed for good (their workers kept dying or stopping, or they expired)
   * and takes those jobs out of the queue, where they would hold back every later command to their agent.
   */
  async function releaseFailed(): Promise<void> {
    const failed = await deps.queue.takeFailed();
    for (const job of failed.jobs) {
      const command = await getCommand(deps.pool, job.commandId);
      if (!command) continue;
      const run = command.run_id ? await getRun(deps.pool, command.run_id) : undefined;
      if (run?.status === 'running') await endAbandonedRun(deps, run, 'its workers kept stopping');
      const agent = await getAgent(deps.pool, job.agentId);
      await finish(
        command,
        agent,
        'failed',
        `baton gave up on this command: its job failed ${commandRetryLimit + 1} deliveries in a row or expired (its workers kept stopping); command the agent again to retry`,
        { runId: command.run_id ?? undefined },
      );
    }
    await failed.release();
  }

  return {
    handle,
    releaseFailed,
    /** Stops the runs of commands running here; they go back to the queue and resume elsewhere. */
    async stop(): Promise<void> {
      stopping = true;
      stopListening();
      for (const command of active.values()) stop(command, 'shutdown');
    },
  };
}

/**
 * A command worker in this process: takes agent commands from the queue, `concurrency` at a time (each
 * run then waits for one of the host's Claude Code slots, see admission/).
 */
export async function startCommandWorker(
  services: {
    db: { pool: Pool };
    runner: AgentRunner;
    runtime: AbandonedRunDeps['runtime'];
    bus(): EventBus;
    commands(): Promise<CommandQueue>;
  },
  options: {
    concurrency: number;
    log?: (line: string) => void;
    watchMs?: number;
    /** How often this worker looks for commands whose jobs failed for good. @default 30000 */
    releaseFailedMs?: number;
  },
) {
  const queue = await services.commands();
  const bus = services.bus();
  await bus.ready();
  const worker = createCommandWorker({
    pool: services.db.pool,
    queue,
    runner: services.runner,
    bus,
    runtime: services.runtime,
    log: options.log,
    watchMs: options.watchMs,
  });
  const release = () =>
    worker.releaseFailed().catch((error: unknown) => options.log?.(`queue: ${describeError(error)}`));
  await release();
  const releasing = setInterval(release, options.releaseFailedMs ?? 30_000);
  releasing.unref();
  const working = await queue.work(options.concurrency, worker.handle);
  return {
    /** Stops taking commands; commands running here go back to the queue. */
    async stop(): Promise<void> {
      clearInterval(releasing);
      await worker.stop();
      await working.stop();
    },
  };
}

export type CommandWorker = Awaited<ReturnType<typeof startCommandWorker>>;
