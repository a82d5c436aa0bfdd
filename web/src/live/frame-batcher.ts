/**
 * Frames from the socket, applied a batch per animation frame instead of one task each. A WebSocket
 * delivers every message as its own task, so applying each at once renders the page once per event
 * (1,000 renders a second at 1,000 events/s, each with its layout); gathered, the stores take a frame's
 * worth of events in one go and Vue renders once. A hidden page gets no animation frames, so a timer
 * flushes too. Order is kept; `flush()` applies what is waiting now (before the socket's state changes).
 */
export interface FrameBatcher {
  push(data: string): void;
  flush(): void;
  cancel(): void;
}

export interface BatchScheduler {
  /** Calls `flush` soon (the next animation frame), returning a way to call it off. */
  schedule(flush: () => void): () => void;
}

/** Hidden pages get no animation frames: this caps how long a batch waits there. */
const hiddenFlushMs = 100;

export const animationFrameScheduler: BatchScheduler = {
  schedule(flush) {
    const frame = requestAnimationFrame(() => flush());
    const timer = setTimeout(() => flush(), hiddenFlushMs);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  },
};

/** Animation frames where there are some; elsewhere (tests, a worker) each frame is applied at once. */
export function defaultScheduler(): BatchScheduler | undefined {
  return typeof requestAnimationFrame === 'function' ? animationFrameScheduler : undefined;
}

export function createFrameBatcher(
  apply: (data: string) => void,
  scheduler: BatchScheduler | undefined = defaultScheduler(),
): FrameBatcher {
  let waiting: string[] = [];
  let callOff: (() => void) | undefined;

  function flush(): void {
    callOff?.();
    callOff = undefined;
    const batch = waiting;
    waiting = [];
    for (const data of batch) apply(data);
  }

  return {
    push(data) {
      if (!scheduler) return apply(data);
      waiting.push(data);
      callOff ??= scheduler.schedule(flush);
    },
    flush,
    cancel() {
      callOff?.();
      callOff = undefined;
      waiting = [];
    },
  };
}
