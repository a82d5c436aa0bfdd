import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  query,
  type HookCallback,
  type HookCallbackMatcher,
  type HookEvent,
  type HookInput,
  type Options,
  type Query,
  type SDKMessage,
  type SDKResultMessage,
  type SessionStore,
} from '@anthropic-ai/claude-agent-sdk';
import type { EventScope } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import type { SessionUsage } from '../core/usage.ts';
import type { AdmissionSlot } from './admission-gate.ts';
import { claudeCodeOptions } from './claude-options.ts';
import { createClaudeProcess, type ClaudeProcess } from './claude-process.ts';
import { callbackHooks } from './normalize.ts';
import { PromptStream } from './prompt-stream.ts';
import type { AgentRunRequest, AgentRuntime } from './run-agent.ts';
import { takeSessionEnds } from './session-hooks.ts';
import { sessionUsageOf } from './usage-meter.ts';

/** What one turn (one run's prompt) hears from the process it runs in. */
export interface TurnListener {
  /** Each SDK message of the turn, awaited (back-pressure); the result is the last. */
  message(message: SDKMessage): Promise<void>;
  /** Each hook callback of the turn, awaited before Claude Code goes on. */
  hook(input: HookInput): Promise<void>;
  /** The process was spawned for this turn. */
  started?(pid: number): void;
}

/** How a turn ended: its result message (if any) and what was thrown (if anything). */
export interface TurnEnd {
  final?: SDKResultMessage;
  thrown?: unknown;
}

/** What a process left when it was closed. */
export interface ClosedProcess {
  /** Spawn to exit, in ms; undefined when it never started. */
  lifetimeMs?: number;
  /** SessionEnd hook inputs Claude Code wrote as it exited. */
  sessionEnds: HookInput[];
}

// After an interrupt Claude Code normally ends its turn at once; if it does not, the process is killed.
const interruptGraceMs = 5_000;
// The output ends when Claude Code closes it; its exit follows at once. One that lingers is killed.
const lingerMs = 5_000;

/**
 * The processes a request may share: a warm process serves a later run only when the run would have
 * started the same Claude Code (directory, model, system prompt, tools, turn limit). Undefined when the
 * request cannot share one (in-process MCP servers belong to the run that made them).
 */
export function processSetup(request: AgentRunRequest): string | undefined {
  if (request.mcpServers && Object.keys(request.mcpServers).length > 0) return undefined;
  return JSON.stringify([
    request.cwd,
    request.model,
    request.systemPrompt ?? null,
    request.replaceSystemPrompt ?? false,
    request.allowedTools ?? null,
    request.disallowedTools ?? null,
    request.maxTurns ?? null,
  ]);
}

/**
 * One Claude Code process with streaming input, serving prompts one after another: a run pushes its
 * prompt and hears the turn's messages and hooks until the turn is over (Claude Code's
 * `session_state_changed` idle, which follows the last result); the process then either ends
 * (close) or waits for the next prompt (a warm process, see warm-pool.ts), holding its admission slot.
 * Everything Claude Code calls back into (hooks, the session store) goes to the turn in progress.
 */
export class LiveClaude {
  readonly setup: string | undefined;
  readonly cwd: string;
  /** The session the process continues; set from each turn's init message. */
  sessionId: string | undefined;
  /** Claude Code's cumulative figures at the last result: what the next turn's figures grow from. */
  sessionUsage: SessionUsage | undefined;
  /** Prompts this process has been given. */
  turns = 0;
  /** Where the last turn's events belong (its agent and run): SessionEnd is recorded there. */
  scope: EventScope | undefined;

  private readonly claude: ClaudeProcess;
  private readonly input = new PromptStream();
  private readonly sessionEndLog = join(tmpdir(), `baton-session-end-${newId()}.jsonl`);
  private readonly options: Options;
  private store: SessionStore | undefined;
  private active: Query | undefined;
  private listener: TurnListener | undefined;
  private endTurn: ((end: TurnEnd) => void) | undefined;
  private interruptPending = false;
  /** The turn's latest result; Claude Code may send more than one (a background subagent's report). */
  private lastResult: SDKResultMessage | undefined;
  /** Claude Code says when a turn is over (session_state_changed idle), after every result and background task. */
  private reportsState = false;
  private pumped: Promise<void> = Promise.resolve();
  private outputEnded = false;
  private closing: Promise<ClosedProcess> | undefined;
  /** Resolves when Claude Code's output has ended (it exited, crashed, or was closed). */
  readonly ended: Promise<void>;
  private markEnded!: () => void;

  constructor(
    request: AgentRunRequest,
    runtime: AgentRuntime,
    readonly slot: AdmissionSlot,
  ) {
    this.setup = processSetup(request);
    this.cwd = request.cwd;
    this.sessionId = request.resume;
    this.sessionUsage = request.sessionBaseline;
    this.store = runtime.sessionStore;
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    const abort = new AbortController();
    this.claude = createClaudeProcess({
      setpriv: runtime.setpriv,
      abort,
      onStarted: (pid) => this.listener?.started?.(pid),
    });
    const hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>> = {};
    for (const name of callbackHooks) {
      const callback: HookCallback = async (hookInput) => {
        await this.listener?.hook(hookInput);
        return {};
      };
      hooks[name] = [{ hooks: [callback] }];
    }
    // The SDK holds one session store for the process; each turn's entries go to that turn's run.
    const routed = runtime.sessionStore && this.routedStore(runtime.sessionStore);
    // With session state events Claude Code says when a turn is really over: after its last result,
    // once background subagents have reported (a result can come before them).
    const environment = { ...runtime.environment, CLAUDE_CODE_EMIT_SESSION_STATE_EVENTS: '1' };
    this.options = claudeCodeOptions(
      request,
      { ...runtime, environment, sessionStore: routed },
      { abort, process: this.claude, hooks, sessionEndLog: this.sessionEndLog },
    );
  }

  get pid(): number | undefined {
    return this.claude.pid;
  }

  get stderrTail(): string {
    return this.claude.stderrTail;
  }

  /** Still able to take a prompt: its output has not ended and nobody is closing it. */
  get alive(): boolean {
    return !this.outputEnded && !this.closing;
  }

  /**
   * Gives the process a prompt and resolves when its turn ends. `sessionStore` takes the turn's
   * transcript entries (the SDK flushes them before it hands over the result).
   */
  turn(
    prompt: string,
    listener: TurnListener,
    options: { sessionStore?: SessionStore; scope: EventScope },
  ): Promise<TurnEnd> {
    if (!this.alive) return Promise.resolve({ thrown: new Error('The Claude Code process has ended') });
    this.listener = listener;
    this.store = options.sessionStore ?? this.store;
    this.scope = options.scope;
    this.turns++;
    this.lastResult = undefined;
    const end = new Promise<TurnEnd>((resolve) => (this.endTurn = resolve));
    this.input.push(prompt);
    if (!this.active) {
      try {
        this.active = query({ prompt: this.input, options: this.options });
      } catch (error) {
        this.finishTurn({ thrown: error });
        this.outputEnded = true;
        this.markEnded();
        return end;
      }
      this.pumped = this.pump(this.active);
      if (this.interruptPending) void this.interrupt();
    }
    return end;
  }

  /** Stops the turn in progress as soon as Claude Code can; kills the process if it does not stop in time. */
  async interrupt(): Promise<void> {
    if (!this.active) {
      this.interruptPending = true; // the query starts with the turn: interrupted right then
      return;
    }
    const killer = setTimeout(() => this.claude.kill(), interruptGraceMs);
    killer.unref();
    try {
      await this.active.interrupt();
    } catch {
      this.claude.kill();
    }
  }

  /** Kills Claude Code and everything it started. */
  kill(): void {
    this.claude.kill();
  }

  /**
   * Ends the process: its input is closed (Claude Code finishes and exits), the slot is released once
   * it has exited, and what its SessionEnd hook wrote is returned. Calling it again returns the same.
   */
  close(): Promise<ClosedProcess> {
    this.closing ??= (async () => {
      this.input.end();
      await this.pumped;
      const lingering = setTimeout(() => this.claude.kill(), lingerMs);
      const lifetimeMs = await this.claude.lifetime();
      clearTimeout(lingering);
      this.slot.release();
      return { lifetimeMs, sessionEnds: await takeSessionEnds(this.sessionEndLog) };
    })();
    return this.closing;
  }

  /** Reads Claude Code's output for the process's whole life, handing each message to the turn in progress. */
  private async pump(active: Query): Promise<void> {
    try {
      for await (const message of active) {
        if (message.type === 'system' && message.subtype === 'init') this.sessionId = message.session_id;
        const turnOver =
          message.type === 'system' && message.subtype === 'session_state_changed'
            ? ((this.reportsState = true), message.state === 'idle' && this.lastResult !== undefined)
            : false;
        await this.listener?.message(message);
        if (message.type === 'result') {
          this.sessionUsage = sessionUsageOf(message);
          this.lastResult = message;
          if (!this.reportsState) this.finishTurn({ final: message });
        } else if (turnOver) this.finishTurn({ final: this.lastResult });
      }
      this.finishTurn({ final: this.lastResult });
    } catch (error) {
      // After an error result the iterator also throws "returned an error result": the result says more.
      this.finishTurn(this.lastResult ? { final: this.lastResult } : { thrown: error });
    } finally {
      this.outputEnded = true;
      this.input.end();
      this.markEnded();
    }
  }

  private finishTurn(end: TurnEnd): void {
    const resolve = this.endTurn;
    this.endTurn = undefined;
    this.listener = undefined;
    resolve?.(end);
  }

  private routedStore(first: SessionStore): SessionStore {
    return new Proxy(first, {
      get: (target, property, receiver) =>
        property === 'append'
          ? (...args: Parameters<SessionStore['append']>) => (this.store ?? target).append(...args)
          : Reflect.get(target, property, receiver),
    });
  }
}
