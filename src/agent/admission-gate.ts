/**
 * The port through which a run waits for its turn to start Claude Code: a host may run only so many
 * Claude Code processes at once (each is busy on a core while it works, with ~200 MB). The implementation
 * (services/admission) shares one queue among every baton process on the host.
 */
export interface AdmissionGate {
  /** How many Claude Code processes may run at once. */
  readonly slots: number;
  /** Queues for a slot; `onQueued` hears the position (1: next) whenever it changes while waiting. */
  enter(onQueued: (position: number) => void): AdmissionTicket;
}

/** One request for a slot. */
export interface AdmissionTicket {
  /** The slot once it is this request's turn; undefined when the request left the queue first. */
  readonly granted: Promise<AdmissionSlot | undefined>;
  /** Leaves the queue at once; does nothing once the slot is granted. */
  cancel(): void;
}

/** A slot held: one Claude Code process may run. */
export interface AdmissionSlot {
  /** Gives the slot to the next in line; calling it again does nothing. */
  release(): void;
  /**
   * The process holding the slot is idle (a warm Claude Code process between commands): when a run
   * anywhere on the host waits for a slot, `evict` is called (once) and should end the process and
   * release the slot, so an idle process never holds real work back.
   */
  idle(evict: () => void): void;
  /** Working again: the slot is no longer given up on request. */
  busy(): void;
}
