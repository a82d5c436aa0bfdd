/**
 * The input with a completion appended: a space between them unless the input already ends in one or
 * the completion starts with punctuation that belongs to the word before.
 */
export function appendCompletion(input: string, completion: string): string {
  const words = completion.trim();
  if (input === '' || /\s$/.test(input) || /^[,.;:!?)\]}'’]/.test(words)) return `${input}${words}`;
  return `${input} ${words}`;
}

/** The suggestion a key press takes: Ctrl+1..3 → 0..2 (no other modifier), else undefined. */
export function suggestionIndexForKey(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'metaKey' | 'shiftKey'>,
  count: number,
): number | undefined {
  if (!event.ctrlKey || event.altKey || event.metaKey || event.shiftKey) return undefined;
  const digit = Number(event.key);
  return Number.isInteger(digit) && digit >= 1 && digit <= Math.min(3, count) ? digit - 1 : undefined;
}
