import { AppError, describeError } from '../../core/errors.ts';
import { EventType } from '../../core/events.ts';
import type { CommandStatus, PromptAuthor, RunStatus } from '../../core/statuses.ts';
import type { WarmPool } from '../../agent/warm-pool.ts';
import {
  claimCommand,
  endCommand,
  getCommand,
  nextQueuedCommand,
  releaseCommand,
  type CommandRow,
} from '../../db/agent-commands.ts';
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
import { waitForCommand } from './wait-for-command.ts';
import { startWorkerPresence, type WorkerPresence, type WorkerPresenceOptions } from './worker-presence.ts';

export interface CommandWorkerDeps {
  pool: Pool;
  queue: CommandQueue;
  runner: AgentRunner;
  bus: EventBus;
  runtime: AbandonedRunDeps['runtime'] & { warm?: WarmPool };
  presence: WorkerPresence;
  log?: (line: string) => void;
  /** How often a running command reads the ledger for a stop request it was not told of. @default 2000 */
  watchMs?: number;
  /** How long a worker holds back a command whose agent is warm on another live worker. @default 1500 */
  deferMs?: number;
}

type StopReason = 'interrupt' | 'delete' | 'shutdown' | 'superseded';

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
 * Runs agent commands: each is one recorded run of its agent, resuming the agent's session, with the
 * agent's model, system prompt and tools, in the agent's warm Claude Code process when this worker keeps
 * one (see warm-pool.ts). An agent error is the command's outcome (failed, and the agent blocked with
 * the reason).
 *
 * A command is run by the worker that takes it (`agent_commands.worker_id`). Its queue job is delivered
 * to any worker and makes sure the command ends: that worker takes it, or, when a live worker already
 * has it, waits for it to end and takes it over if that worker dies. A worker that keeps the agent's
 * process warm takes the agent's next command as soon as it is queued, without its job; the others hold
 * a delivered command back for `deferMs` while the holder lives, so the follow-up reaches the live
 * process. A worker that stops lets its commands go and gives their jobs back, and they resume elsewhere.
 */
export function createCommandWorker(deps: CommandWorkerDeps) {
  const log = deps.log ?? (() => {});
  const watchMs = deps.watchMs ?? 2_000;
  const deferMs = deps.deferMs ?? 1_500;
  const workerId = deps.presence.id;
  const warm = deps.runtime.warm;
  const active = new Map<string, ActiveCommand>();
  const running = new Set<Promise<unknown>>();
  let stopping = false;

  function stop(command: ActiveCommand, reason: StopReason): void {
    command.stopped ??= reason;
    void command.run?.interrupt();
  }

  const stopListening = deps.bus.onControl((message) => {
    if (message.type === 'stop_command') {
      const command = active.get(message.commandId);
      if (command) stop(command, 'interrupt');
    } else if (message.type === 'command_queued' && warm?.has(message.agentId)) {
      void takeWarm(message.agentId);
    } else if (message.type === 'agent_deleted') void warm?.close(message.agentId);
  });

  /** The ledger's word: a stop request (or a delete) may have been sent while this process was not listening. */
  async function checkLedger(id: string, agentId: string, command: ActiveCommand): Promise<void> {
    const [row, agent] = await Promise.all([getCommand(deps.pool, id), getAgent(deps.pool, agentId)]).catch(
      () => [undefined, undefined] as const,
    );
    if (agent?.archived) stop(command, 'delete');
    else if (row?.stop_requested) stop(command, row.stop_requested);
    else if (row && row.worker_id !== workerId) stop(command, 'superseded'); // judged dead and taken over
  }

  /** Whether the worker that has a running command is still there to finish it. */
  async function holderAlive(command: CommandRow): Promise<boolean> {
    if (command.worker_id === null) return false;
    if (command.worker_id === workerId) return active.has(command.id);
    return deps.presence.isAlive(command.worker_id).catch(() => true); // unsure: wait and look again
  }

  /** A queue delivery: sees the command to its end, running it here unless another live worker has it. */
  async function handle(job: CommandJob): Promise<void> {
    let deferred = false;
    for (;;) {
      if (stopping)
        throw new AppError('internal', 'This worker is stopping; the command goes to another worker');
      const command = await getCommand(deps.pool, job.commandId);
      if (!command || !['queued', 'running'].includes(command.status)) return; // ended or cancelled
      if (command.status === 'running' && (await holderAlive(command))) {
        await waitForCommand(deps.pool, deps.bus, { id: command.id, agentId: command.agent_id }, watchMs);
        continue;
      }
      const agent = await getAgent(deps.pool, job.agentId);
      if (!agent || agent.archived) return finish(command, agent, 'cancelled', 'the agent was deleted');
      if (command.status === 'queued' && !deferred) {
        deferred = true;
        if (await deps.presence.holderElsewhere(agent.id).catch(() => undefined)) {
          const target = { id: command.id, agentId: agent.id };
          await waitForCommand(deps.pool, deps.bus, target, deferMs, 'taken');
          continue;
        }
      }
      const taken = await take(
        command,
        agent,
        command.status === 'queued' ? 'queued' : { worker: command.worker_id },
      );
      if (!taken) continue; // someone else took it first
      const outcome = await taken;
      if (outcome === 'released') {
        throw new AppError('internal', 'This worker stopped; the command goes back to the queue', {
          retryable: true,
        });
      }
      return;
    }
  }

  /** The warm agent's next command, taken at once (it reaches the live process); its job only watches. */
  async function takeWarm(agentId: string): Promise<void> {
    if (stopping) return;
    const [next, agent] = await Promise.all([
      nextQueuedCommand(deps.pool, agentId),
      getAgent(deps.pool, agentId),
    ]).catch(() => [undefined, undefined] as const);
    if (!next || !agent || agent.archived || !warm?.has(agentId)) return;
    const taken = await take(next, agent, 'queued').catch((error: unknown) => {
      log(`agent ${agent.name}: could not take its next command: ${describeError(error)}`);
      return undefined;
    });
    await taken; // its outcome is recorded; a released one is taken over by its job
  }

  /**
   * Takes the command for this worker (in one transaction with its CommandStarted) and starts it;
   * undefined when another worker took it first. The promise tells how it ended here: 'ended' (the
   * outcome is recorded) or 'released' (this worker stopped: the command is nobody's again).
   */
  async function take(
    command: CommandRow,
    agent: AgentRow,
    from: 'queued' | { worker: string | null },
  ): Promise<Promise<'ended' | 'released'> | undefined> {
    if (active.has(command.id)) return undefined;
    const state: ActiveCommand = {};
    active.set(command.id, state); // before the claim: this worker never takes its own command over
    const again = from !== 'queued';
    let claimed = false;
    try {
      claimed = await inTransaction(deps.pool, async (client) => {
        if (!(await claimCommand(client, command.id, workerId, from))) return false;
        await insertEvents(client, [
          agentEvent(
            EventType.CommandStarted,
            { agentId: agent.id, orchestratorId: agent.orchestrator_id },
            { command_id: command.id, delivery: command.deliveries + 1, worker_id: workerId },
            `Command started${again ? ' again' : ''}: ${excerpt(command.prompt_text)}`,
          ),
        ]);
        return true;
      });
    } finally {
      if (!claimed) active.delete(command.id);
    }
    if (!claimed) return undefined;
    const outcome = execute(command, agent, state, again).finally(() => {
      active.delete(command.id);
      running.delete(outcome);
      if (warm?.has(agent.id)) void takeWarm(agent.id); // queued while it ran: straight into the process
    });
    running.add(outcome);
    return outcome;
  }

  async function execute(
    command: CommandRow,
    agent: AgentRow,
    state: ActiveCommand,
    again: boolean,
  ): Promise<'ended' | 'released'> {
    if (again && command.stop_requested) {
      await finish(command, agent, 'interrupted', 'interrupted before it ran again');
      return 'ended';
    }
    // Taken over from a worker that stopped or died: end the earlier run if it is still marked running.
    const earlier = again && command.run_id ? await getRun(deps.pool, command.run_id) : undefined;
    if (earlier?.status === 'running')
      await endAbandonedRun(
        deps,
        earlier,
        'its worker stopped; the command runs again, resuming the session',
      );
    // After ending an earlier run the agent's session is what that run left; otherwise it is as it was read.
    const current = again ? ((await getAgent(deps.pool, agent.id)) ?? agent) : agent;
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
          warmKey: current.id,
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
      if (state.stopped === 'superseded') return 'ended'; // the worker that took it over records its end
      // Stopped by a shutdown before it could finish: it goes back to the queue (a finished one keeps its end).
      if (state.stopped === 'shutdown' && outcome.status !== 'succeeded') {
        await releaseCommand(deps.pool, command.id, workerId).catch(() => {});
        return 'released';
      }
      await finish(command, current, outcome.status, outcome.error, outcome);
      return 'ended';
    } finally {
      clearInterval(watcher);
    }
  }

  /** Ends a command in one transaction: its row, the agent's blocked reason, and a CommandEnded event. */
  async function finish(
    command: CommandRow,
    agent: AgentRow | undefined,
    status: EndStatus,
    error?: string,
    run: { runId?: string; result?: string } = {},
    /** End it whichever worker has it (its job is gone: nobody else will). */
    whoeverHasIt = false,
  ): Promise<void> {
    await inTransaction(deps.pool, async (client) => {
      if (!(await endCommand(client, command.id, status, error, whoeverHasIt ? undefined : workerId))) return;
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
   * Ends the commands whose jobs failed for good (their workers kept stopping, or they expired) and takes
   * those jobs out of the queue, where they would hold back every later command to their agent.
   */
  async function releaseFailed(): Promise<void> {
    const ended: string[] = [];
    for (const job of await deps.queue.failedCommands()) {
      const command = await getCommand(deps.pool, job.commandId);
      if (!command) {
        ended.push(job.commandId);
        continue;
      }
      // Still being run by a live worker (a command that outlived its job's expiry): let it end on its own.
      if (command.status === 'running' && (await holderAlive(command))) continue;
      const run = command.run_id ? await getRun(deps.pool, command.run_id) : undefined;
      if (run?.status === 'running') await endAbandonedRun(deps, run, 'its workers kept stopping');
      const agent = await getAgent(deps.pool, job.agentId);
      await finish(
        command,
        agent,
        'failed',
        `baton gave up on this command: its job failed ${commandRetryLimit + 1} deliveries in a row or expired (its workers kept stopping); command the agent again to retry`,
        { runId: command.run_id ?? undefined },
        true,
      );
      ended.push(command.id);
    }
    await deps.queue.release(ended);
  }

  return {
    handle,
    takeWarm,
    releaseFailed,
    /** Stops the runs of commands running here; they go back to the queue and resume elsewhere. */
    async stop(): Promise<void> {
      stopping = true;
      stopListening();
      for (const command of active.values()) stop(command, 'shutdown');
      await Promise.allSettled([...running]);
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
    runtime: CommandWorkerDeps['runtime'];
    bus(): EventBus;
    commands(): Promise<CommandQueue>;
  },
  options: {
    concurrency: number;
    log?: (line: string) => void;
    watchMs?: number;
    deferMs?: number;
    /** How often this worker looks for commands whose jobs failed for good. @default 30000 */
    releaseFailedMs?: number;
  } & WorkerPresenceOptions,
) {
  const queue = await services.commands();
  const bus = services.bus();
  await bus.ready();
  let worker: ReturnType<typeof createCommandWorker> | undefined;
  const presence = await startWorkerPresence(services.db.pool, services.runtime.warm, {
    heartbeatMs: options.heartbeatMs,
    staleMs: options.staleMs,
    log: options.log,
    onBeat: (kept) => kept.forEach((agentId) => void worker?.takeWarm(agentId)),
  });
  worker = createCommandWorker({
    pool: services.db.pool,
    queue,
    runner: services.runner,
    bus,
    runtime: services.runtime,
    presence,
    log: options.log,
    watchMs: options.watchMs,
    deferMs: options.deferMs,
  });
  const release = () =>
    worker.releaseFailed().catch((error: unknown) => options.log?.(`queue: ${describeError(error)}`));
  await release();
  const releasing = setInterval(release, options.releaseFailedMs ?? 30_000);
  releasing.unref();
  const working = await queue.work(options.concurrency, worker.handle);
  return {
    /** This worker's id (agent_commands.worker_id, command_workers). */
    id: presence.id,
    /** Stops taking commands; commands running here go back to the queue; its warm processes close. */
    async stop(): Promise<void> {
      clearInterval(releasing);
      await worker.stop();
      await working.stop();
      await presence.stop();
      await services.runtime.warm?.clear();
    },
  };
}

export type CommandWorker = Awaited<ReturnType<typeof startCommandWorker>>;
