import { z } from 'zod';

/** One suggestion for the chat input: words to append, and why. */
export interface Suggestion {
  completion: string;
  reason: string;
}

/** How many suggestions are shown, and the words each may have. */
export const suggestionRules = Object.freeze({ count: 3, minWords: 2, maxWords: 6, reasonChars: 200 });

const answerSchema = z.object({
  suggestions: z
    .array(z.object({ completion: z.string(), reason: z.string() }))
    .min(1, 'must list at least one suggestion'),
});

export type AnswerReading =
  { ok: true; suggestions: Suggestion[]; dropped: string[] } | { ok: false; reason: string };

/**
 * Reads the model's answer: JSON `{"suggestions":[{completion, reason}]}`, with a code fence or text
 * around it tolerated. Suggestions outside the rules (2–6 words, a reason, not the same twice) are
 * dropped with what was wrong; an answer with none left, or no such JSON, is not ok, with the reason.
 * Never throws: a model's bad answer is routine.
 */
export function readAutocompleteAnswer(text: string): AnswerReading {
  const json = jsonIn(text);
  if (json === undefined) return { ok: false, reason: `the answer is not JSON: ${preview(text)}` };
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      reason: `the answer's ${['answer', ...issue.path].join('.')} ${issue.message}: ${preview(text)}`,
    };
  }
  const suggestions: Suggestion[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of parsed.data.suggestions.entries()) {
    const completion = raw.completion.replace(/\s+/g, ' ').trim();
    const reason = raw.reason.replace(/\s+/g, ' ').trim();
    const words = completion === '' ? 0 : completion.split(' ').length;
    const problem =
      words < suggestionRules.minWords || words > suggestionRules.maxWords
        ? `has ${words} words, not ${suggestionRules.minWords}–${suggestionRules.maxWords}`
        : reason === ''
          ? 'has no reason'
          : seen.has(completion.toLowerCase())
            ? 'repeats an earlier one'
            : suggestions.length === suggestionRules.count
              ? `is past the first ${suggestionRules.count}`
              : undefined;
    if (problem) {
      dropped.push(`suggestion ${index + 1} ${JSON.stringify(completion.slice(0, 80))} ${problem}`);
      continue;
    }
    seen.add(completion.toLowerCase());
    suggestions.push({ completion, reason: clip(reason, suggestionRules.reasonChars) });
  }
  if (suggestions.length === 0) return { ok: false, reason: `no usable suggestion: ${dropped.join('; ')}` };
  return { ok: true, suggestions, dropped };
}

/** The first `{…}` in the text (a fence or prose around it ignored), parsed; undefined if none parses. */
function jsonIn(text: string): unknown {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(unfenced.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 119)}…` : text);
}
