import { hostname } from 'node:os';
import { isAlive } from '../core/is-alive.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, UserError, describeError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { publishControl, type ControlMessage } from '../db/event-bus.ts';
import type { EventDraft } from '../core/events.ts';
import type { ChatKind } from '../core/statuses.ts';
import {
  chatHistory,
  claimNextMessage,
  getChatItem,
  insertChatItem,
  recoverStrandedTurns,
  settleMessage,
  unansweredMessages,
  type ChatRow,
  type TurnOwner,
} from '../db/chat.ts';
import {
  ensureOrchestrator,
  getOrchestrator,
  setOrchestratorState,
  type OrchestratorRow,
} from '../db/orchestrators.ts';
import type { RecordedRun } from '../services/runs/agent-runner.ts';
import type { Services } from '../services/services.ts';
import type { AnyTool, ToolContext } from '../tools/tool.ts';
import { parseAdwTrigger } from '../workflow/trigger.ts';
import { orchestratorPrompt, type PromptContext } from './system-prompt.ts';
import { orchestratorToolNames, orchestratorToolServer } from './tool-server.ts';
import { withUnansweredNote } from './unanswered-note.ts';

/** Tools the orchestrator may use besides baton's: looking things up, never changing them. */
const lookUpTools = ['Read', 'Glob', 'Grep'];
/** The longest message a person can send (the orchestrator's context has to hold it). */
export const maxChatMessageChars = 100_000;

export interface ChatServiceDeps {
  services: Services;
  tools: readonly AnyTool[];
  /** The working directory: one orchestrator each, kept across restarts. */
  cwd: string;
  /** A resolved model id for the orchestrator's turns. */
  model: string;
  /** What the prompt lists; read before every turn, so new templates and commands are seen at once. */
  promptContext(cwd: string): Promise<PromptContext>;
  /** The project's own prompt text instead of baton's (same placeholders). */
  promptTemplate?: string;
}

export interface SentMessage {
  message: ChatRow;
  /** Set when the message was `start adw: <workflow>: <prompt>`: started directly, with no model turn. */
  adwId?: string;
}

/**
 * The chat with a working directory's orchestrator agent. A message is recorded at once as queued; turns
 * run one at a time in the order sent (whichever process claims them), each resuming the orchestrator's
 * session; what it says, thinks and uses becomes chat items as it happens. Interrupting is explicit.
 */
export function createChatService(deps: ChatServiceDeps) {
  const { pool } = deps.services.db;
  const owner: TurnOwner = { host: hostname(), pid: process.pid };
  const listeners = new Set<(item: ChatRow) => void>();
  const settledWaiters = new Map<string, Set<() => void>>();
  let orchestrator: Promise<OrchestratorRow> | undefined;
  let active: RecordedRun | undefined;
  let pumping: Promise<void> | undefined;
  let lookAgain = false;
  let stopListening = () => {};
  /** Tells this chat service's own notifications from other processes'. */
  const instance = newId();
  let closed = false;

  function current(): Promise<OrchestratorRow> {
    orchestrator ??= (async () => {
      const row = await ensureOrchestrator(pool, deps.cwd, deps.model);
      stopListening = deps.services.bus().onControl((message) => void fromOtherProcess(row.id, message));
      await recoverStrandedTurns(
        pool,
        row.id,
        (turnOwner) => turnOwner.host === owner.host && !isAlive(turnOwner.pid),
      );
      return row;
    })();
    return orchestrator;
  }

  async function append(item: Parameters<typeof insertChatItem>[1]): Promise<ChatRow> {
    const row = await insertChatItem(pool, item);
    changed(row);
    return row;
  }

  async function settle(id: string, settled: Parameters<typeof settleMessage>[2]): Promise<void> {
    const row = await settleMessage(pool, id, settled);
    if (row) changed(row);
  }

  /** Tells this process's listeners, and every other process's chat service, of a new or changed item. */
  function changed(row: ChatRow): void {
    for (const listener of listeners) listener(row);
    void publishControl(pool, {
      type: 'chat_changed',
      orchestratorId: row.orchestrator_id,
      itemId: row.id,
      origin: instance,
    }).catch(() => {}); // best effort: the history endpoint has every item
  }

  async function fromOtherProcess(orchestratorId: string, message: ControlMessage): Promise<void> {
    if (message.type === 'interrupt_chat' && message.orchestratorId === orchestratorId) {
      await active?.interrupt();
    } else if (
      message.type === 'chat_changed' &&
      message.orchestratorId === orchestratorId &&
      message.origin !== instance &&
      listeners.size > 0
    ) {
      const row = await getChatItem(pool, message.itemId).catch(() => undefined);
      if (row) for (const listener of listeners) listener(row);
    }
  }

  async function send(text: string): Promise<SentMessage> {
    if (text.trim() === '')
      throw new UserError('The message is empty: write what the orchestrator should do.');
    if (text.length > maxChatMessageChars) {
      throw new UserError(`The message has ${text.length} characters; the most is ${maxChatMessageChars}.`);
    }
    const { id } = await current();
    const trigger = parseAdwTrigger(text);
    if (trigger) return startAdwDirectly(id, text, trigger);
    const message = await append({
      orchestratorId: id,
      sender: 'user',
      receiver: 'orchestrator',
      status: 'queued',
      message: text,
    });
    void pump();
    return { message };
  }

  async function startAdwDirectly(
    orchestratorId: string,
    text: string,
    trigger: NonNullable<ReturnType<typeof parseAdwTrigger>>,
  ): Promise<SentMessage> {
    const adws = await deps.services.adws();
    // Checked before anything is recorded: a bad workflow name leaves no half-started chat turn.
    const adw = await adws.start({
      workflow: trigger.workflow,
      prompt: trigger.prompt,
      cwd: deps.cwd,
      orchestratorId,
    });
    const message = await append({
      orchestratorId,
      sender: 'user',
      receiver: 'orchestrator',
      message: text,
      metadata: { adwId: adw.id },
    });
    await append({
      orchestratorId,
      sender: 'orchestrator',
      receiver: 'user',
      message: `Started ADW ${adw.id} (${adw.workflow}).`,
      metadata: { adwId: adw.id },
    });
    return { message, adwId: adw.id };
  }

  /** Runs queued turns until none is left (or another process holds the running one). */
  function pump(): Promise<void> {
    // A message sent while the last claim was looking would be missed by it: look again.
    lookAgain = true;
    pumping ??= (async () => {
      try {
        const { id } = await current();
        // Closing stops claiming: what is still queued stays queued for the next process.
        while (lookAgain && !closed) {
          lookAgain = false;
          for (
            let next = await claimNextMessage(pool, id, owner);
            next;
            next = await claimNextMessage(pool, id, owner)
          ) {
            await runTurn(next);
            if (closed) return;
          }
        }
      } finally {
        pumping = undefined;
      }
    })();
    return pumping;
  }

  async function runTurn(message: ChatRow): Promise<void> {
    const row = (await getOrchestrator(pool, message.orchestrator_id))!;
    const toolContext: ToolContext = { services: deps.services, cwd: deps.cwd, orchestratorId: row.id };
    let items = Promise.resolve();
    const record = (draft: EventDraft) => {
      const item = chatItemOf(draft);
      if (!item) return;
      items = items
        .then(() =>
          append({
            orchestratorId: row.id,
            sender: 'orchestrator',
            receiver: 'user',
            runId: draft.runId,
            ...item,
          }),
        )
        .then(() => {});
    };
    let status: 'done' | 'interrupted' | 'failed' = 'failed';
    let error: string | undefined;
    let sessionId: string | undefined;
    try {
      await setOrchestratorState(pool, row.id, { status: 'executing' });
      const unanswered = await unansweredMessages(pool, row.id, message.position);
      active = await deps.services.runner.start({
        agentId: row.agent_id,
        resumeSessionId: row.session_id ?? undefined,
        cwd: deps.cwd,
        model: row.model ?? deps.model,
        prompt: withUnansweredNote(
          message.message,
          unanswered.map((item) => item.message),
        ),
        systemPrompt: orchestratorPrompt(await deps.promptContext(deps.cwd), deps.promptTemplate),
        mcpServers: { baton: orchestratorToolServer(deps.tools, toolContext) },
        allowedTools: [...orchestratorToolNames(deps.tools), ...lookUpTools],
        author: 'engineer',
        orchestratorId: row.id,
        onEvent: record,
      });
      if (closed) void active.interrupt(); // closed while the turn was starting
      await settle(message.id, { status: 'running', runId: active.runId });
      const { run } = await active.done;
      sessionId = run.session_id ?? undefined;
      if (run.status === 'succeeded') status = 'done';
      else if (run.status === 'interrupted') status = 'interrupted';
      else
        error =
          run.error_message ??
          `The turn ended as ${run.status}${run.stop_reason ? ` (${run.stop_reason})` : ''}.`;
    } catch (failure) {
      error = describeError(failure);
    } finally {
      active = undefined;
    }
    await items;
    if (error)
      await append({
        orchestratorId: row.id,
        sender: 'orchestrator',
        receiver: 'user',
        kind: 'error',
        message: error,
      });
    await settle(message.id, { status });
    await setOrchestratorState(pool, row.id, { status: 'idle', sessionId });
    for (const wake of settledWaiters.get(message.id) ?? []) wake();
  }

  return {
    orchestrator: current,
    send,
    /** Stops the running turn, whichever process runs it; true when there was one. */
    async interrupt(): Promise<boolean> {
      if (active) {
        await active.interrupt();
        return true;
      }
      const { id } = await current();
      const { rows } = await pool.query(
        `select 1 from orchestrator_chat where orchestrator_id = $1 and status = 'running'`,
        [id],
      );
      if (rows.length === 0) return false;
      await publishControl(pool, { type: 'interrupt_chat', orchestratorId: id });
      return true;
    },
    async history(page: { beforePosition?: string; limit?: number } = {}): Promise<ChatRow[]> {
      const { id } = await current();
      return chatHistory(pool, id, { beforePosition: page.beforePosition, limit: page.limit ?? 50 });
    },
    /**
     * Sees every chat item of this orchestrator as it is recorded or changes status (a message queued,
     * running, done), whichever process records it; the same item may come again with a new status.
     */
    onItem(listener: (item: ChatRow) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Resolves when this process has settled the turn of `messageId` (or at once if it already is). */
    async settled(messageId: string): Promise<void> {
      // Settled here, it resolves at once; settled by another process, the next look at the row sees it.
      let wake = () => {};
      const here = new Promise<void>((resolve) => (wake = resolve));
      const waiters = settledWaiters.get(messageId) ?? new Set();
      settledWaiters.set(messageId, waiters.add(wake));
      try {
        for (;;) {
          const { rows } = await pool.query<{ status: string }>(
            'select status from orchestrator_chat where id = $1',
            [messageId],
          );
          if (!rows[0]) throw new NotFoundError(`No chat message ${messageId}.`);
          if (!['queued', 'running'].includes(rows[0].status)) return;
          await Promise.race([here, sleep(1_000)]);
        }
      } finally {
        waiters.delete(wake);
        if (waiters.size === 0) settledWaiters.delete(messageId);
      }
    },
    /** Picks up messages queued before this process started. */
    resume: pump,
    async close(): Promise<void> {
      closed = true;
      stopListening();
      await active?.interrupt();
      await pumping;
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;

/** The chat item an orchestrator event becomes: what it said, thought, or which tool it used. */
function chatItemOf(
  draft: EventDraft,
): { kind: ChatKind; message: string; metadata?: Record<string, unknown> } | undefined {
  const payload = draft.payload;
  if (draft.type === 'TextBlock') return { kind: 'text', message: String(payload.text ?? '') };
  if (draft.type === 'ThinkingBlock') return { kind: 'thinking', message: String(payload.thinking ?? '') };
  if (draft.type === 'ToolUseBlock') {
    const tool = String(payload.tool_name ?? '');
    return {
      kind: 'tool_use',
      message: tool,
      metadata: { tool, input: payload.tool_input, eventId: draft.id },
    };
  }
  return undefined;
}
