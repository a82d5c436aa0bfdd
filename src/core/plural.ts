/**
 * "1 event", "2 events", "0 events": a count with its noun, singular only for exactly one. Nouns whose
 * plural is not the noun plus "s" pass it (`plural(n, 'entry', 'entries')`).
 */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
