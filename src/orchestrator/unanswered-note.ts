/**
 * The prompt of a turn that follows messages the orchestrator never answered (their turns were
 * interrupted or failed first, perhaps by baton stopping): it names them, so the model knows what the
 * person asked even when the session holds nothing of those turns, and can say whether it still acts on them.
 */
export function withUnansweredNote(prompt: string, unanswered: readonly string[]): string {
  if (unanswered.length === 0) return prompt;
  const quoted = unanswered.map((text) => text.replace(/^/gm, '> ')).join('\n\n');
  const which = unanswered.length === 1 ? 'this earlier message' : 'these earlier messages';
  return (
    `(baton: your turn for ${which} ended before you answered, so your context may not hold it:)\n` +
    `${quoted}\n\n(The message for this turn:)\n${prompt}`
  );
}
