/** What makes two messages "the same": counts, ids, addresses and times differ between repeats. */
export function messageKind(message: string): string {
  return message.replace(/[^\s"',;:()]*\d[^\s"',;:()]*/g, '#').replace(/\s+/g, ' ');
}

/**
 * `print` for messages that repeat: the first message of each kind (see messageKind) is printed, its
 * repeats are only counted. A warning that comes back every few seconds (a failing summary model, an
 * unreachable service) is said once, with what to do about it, instead of filling the screen.
 */
export function withoutRepeats(print: (message: string) => void): {
  (message: string): void;
  /** How many times each kind was seen, first message as the key: for a closing "repeated n times". */
  repeats(): Map<string, number>;
} {
  const seen = new Map<string, { first: string; count: number }>();
  const log = (message: string) => {
    const kind = messageKind(message);
    const entry = seen.get(kind);
    if (entry) return void (entry.count += 1);
    seen.set(kind, { first: message, count: 1 });
    print(message);
  };
  log.repeats = () => new Map([...seen.values()].map(({ first, count }) => [first, count]));
  return log;
}
