import type { HookInput } from '@anthropic-ai/claude-agent-sdk';
import type { EventScope } from '../core/events.ts';
import type { LiveClaude } from './live-claude.ts';

/** A kept process that has ended: where its last turn belonged, and what its SessionEnd hook wrote. */
export interface ClosedWarmProcess {
  key: string;
  cwd: string;
  scope: EventScope | undefined;
  sessionEnds: HookInput[];
  reason: 'idle' | 'evicted' | 'closed' | 'exited' | 'replaced';
}

/** A change a pool's owner may want to know of (see listen): a process kept for `key`, taken, or gone. */
export type WarmChange = { key: string; state: 'kept' | 'taken' | 'closed'; pid?: number };

export interface WarmPoolOptions {
  /** How long a process waits for its next prompt; 0 keeps none. */
  idleMs: number;
  /** A kept process has ended: its SessionEnd belongs to its last run. */
  onClosed?(closed: ClosedWarmProcess): void;
}

/**
 * Claude Code processes kept alive between runs of one key (a command agent), so the next run pushes
 * its prompt into a live process instead of starting one. A kept process is idle: it still holds its
 * admission slot, but offers it up (AdmissionSlot.idle), so a run waiting anywhere on the host evicts it
 * (the slot passes on at once; the process closes beside the run that took it);
 * it is closed after `idleMs` without a prompt, when its key is closed (its agent deleted), and when the
 * pool closes. A run takes a process only if it was set up the same way and continues the same session.
 */
export function createWarmPool(options: WarmPoolOptions) {
  const kept = new Map<string, { live: LiveClaude; timer: NodeJS.Timeout }>();
  /** Processes taken by a run: if the run does not keep them again, their end is a close too. */
  const taken = new Map<string, LiveClaude>();
  const listeners = new Set<(change: WarmChange) => void>();
  const closing = new Set<Promise<void>>();
  let closed = false;

  const tell = (change: WarmChange) => {
    for (const listener of listeners) listener(change);
  };

  /** Closes the process kept for `key` (if it is still `live`, when given). */
  function drop(key: string, reason: ClosedWarmProcess['reason'], live?: LiveClaude): Promise<void> {
    const entry = kept.get(key);
    if (!entry || (live && entry.live !== live)) return Promise.resolve();
    kept.delete(key);
    clearTimeout(entry.timer);
    const done = entry.live
      .close()
      .then(({ sessionEnds }) => {
        options.onClosed?.({ key, cwd: entry.live.cwd, scope: entry.live.scope, sessionEnds, reason });
      })
      .catch(() => {})
      .finally(() => {
        closing.delete(done);
        tell({ key, state: 'closed' });
      });
    closing.add(done);
    return done;
  }

  return {
    idleMs: options.idleMs,

    /**
     * The process kept for `key`, now busy, if it was set up as `setup` and continues `sessionId`; a kept
     * process that does not fit is closed (it would only hold a slot).
     */
    take(key: string, setup: string | undefined, sessionId: string | undefined): LiveClaude | undefined {
      const entry = kept.get(key);
      if (!entry) return undefined;
      const { live } = entry;
      if (!live.alive || setup === undefined || live.setup !== setup || live.sessionId !== sessionId) {
        void drop(key, 'replaced');
        return undefined;
      }
      kept.delete(key);
      clearTimeout(entry.timer);
      live.slot.busy();
      taken.set(key, live);
      void live.ended.then(() => {
        if (taken.get(key) !== live) return;
        taken.delete(key);
        tell({ key, state: 'closed' });
      });
      tell({ key, state: 'taken', pid: live.pid });
      return live;
    },

    /** Keeps a process whose run has ended for the next run of `key`; false when it is not kept. */
    keep(key: string, live: LiveClaude): boolean {
      if (closed || options.idleMs <= 0 || !live.alive || live.setup === undefined) return false;
      if (taken.get(key) === live) taken.delete(key);
      void drop(key, 'replaced');
      const timer = setTimeout(() => void drop(key, 'idle', live), options.idleMs);
      timer.unref();
      kept.set(key, { live, timer });
      live.slot.idle(() => {
        // The waiting run starts now, not once this process has exited: closing only finishes its session
        // (exit and the SessionEnd hook, 0.1–0.5 s), and a slot held through that left a core idle at
        // every eviction (bench:server's 20 commands used ~1.8 of 2 cores).
        live.slot.release();
        void drop(key, 'evicted', live);
      });
      void live.ended.then(() => drop(key, 'exited', live));
      tell({ key, state: 'kept', pid: live.pid });
      return true;
    },

    /** Whether an idle process is kept for `key`. */
    has(key: string): boolean {
      return kept.get(key)?.live.alive ?? false;
    },

    keys(): string[] {
      return [...kept.keys()];
    },

    /** Closes the process kept for `key` (its agent was deleted). */
    close(key: string): Promise<void> {
      return drop(key, 'closed');
    },

    /** Hears each process kept, taken and closed; returns an unsubscribe. */
    listen(listener: (change: WarmChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Closes every kept process (its worker stops); later runs may keep theirs again. */
    async clear(): Promise<void> {
      await Promise.all([...kept.keys()].map((key) => drop(key, 'closed')));
    },

    /** Closes every kept process and keeps no more (the process is shutting down). */
    async closeAll(): Promise<void> {
      closed = true;
      await Promise.all([...kept.keys()].map((key) => drop(key, 'closed')));
      await Promise.all([...closing]);
    },
  };
}

export type WarmPool = ReturnType<typeof createWarmPool>;
