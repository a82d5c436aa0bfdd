import { secretRules, type SecretRule } from './secret-rules.ts';
import { isSensitiveKey } from './sensitive-key.ts';

export { isSensitiveKey };

/** What replaces a secret. Rules leave a value that already holds it alone, so redacting twice changes nothing. */
export const redactionMark = '[REDACTED]';

// Each rule with keywords runs only where one occurs. One scan of the text finds the keywords that occur,
// so a string with none (most ids, paths, code and prose) skips every such rule at once.
const keywords = [...new Set(secretRules.flatMap((rule) => rule.keywords))].sort(
  (a, b) => b.length - a.length,
);
const keywordPattern = new RegExp(
  keywords.map((keyword) => keyword.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'),
  'gi',
);
/** A find also finds the keywords inside it (`sk-ant-` holds `sk-`), which start at the same place. */
const keywordsWithin = new Map(
  keywords.map((keyword) => [keyword, keywords.filter((other) => keyword.includes(other))]),
);

/** Rules with no keywords, which run on every text that passes their gate. */
const unkeyedRules = secretRules.filter((rule) => rule.keywords.length === 0);

/**
 * The keywords in `text`, undefined when there are none. The scan resumes one character after each find, so
 * overlapping keywords are found too; longest first, so a find is never a prefix of another keyword there.
 */
function keywordsIn(text: string): Set<string> | undefined {
  keywordPattern.lastIndex = 0;
  let match = keywordPattern.exec(text);
  if (match === null) return undefined;
  const found = new Set<string>();
  for (; match !== null; match = keywordPattern.exec(text)) {
    for (const keyword of keywordsWithin.get(match[0].toLowerCase())!) found.add(keyword);
    keywordPattern.lastIndex = match.index + 1;
  }
  return found;
}

const dataUrlHead = /^data:[\w.+-]+\/[\w.+-]+;base64,/;
const notBase64 = /[^A-Za-z0-9+/=]/;

/**
 * Whether `text` is base64 alone, as image data (`data:image/png;base64,…` or an image block's `data`). It can
 * hold no format the rules find (each has a character outside base64, a name before it, or an exact length
 * of 40 where this is one long run), so it skips scans that would cost more than all the rest of an event.
 */
function isBase64Data(text: string): boolean {
  if (text.length < 256) return false;
  const head = dataUrlHead.exec(text)?.[0].length ?? 0;
  return !notBase64.test(head === 0 ? text : text.slice(head));
}

/**
 * The text with every secret it contains replaced by {@link redactionMark}: provider keys and tokens, private
 * keys, credentials in URLs, commands and auth headers, and values assigned to sensitive names. A short prefix
 * stays where it tells a reader which key it was (`sk-ant-[REDACTED]`, `PGPASSWORD=[REDACTED]`).
 */
export function redactText(text: string): string {
  if (isBase64Data(text)) return text;
  // Keywords are looked for in the original text: redaction only removes text, so it cannot add one.
  const found = keywordsIn(text);
  let result = text;
  for (const rule of found === undefined ? unkeyedRules : secretRules) {
    const applies =
      rule.keywords.length === 0
        ? (rule.gate?.(text) ?? true)
        : rule.keywords.some((keyword) => found?.has(keyword));
    if (applies) result = applyRule(rule, result);
  }
  return result;
}

function applyRule(rule: SecretRule, text: string): string {
  return text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
    const last = rest.at(-1);
    const groups = (typeof last === 'object' ? last : {}) as Record<string, string | undefined>;
    const keep = groups.keep ?? '';
    const secret = match.slice(keep.length);
    if (!secret.includes(redactionMark) && (rule.accept?.(secret, groups) ?? true)) {
      return keep + redactionMark;
    }
    return keep === '' ? match : keep + applyRule(rule, secret);
  });
}

/**
 * A deep copy of a JSON-like value with secrets redacted: in every string (see {@link redactText}), and in
 * full for strings at any depth under a sensitive key (see {@link isSensitiveKey}). Dates and other
 * non-string leaves are kept as they are.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, false) as T;
}

/** `secret`: everything beneath a sensitive key is a secret, however deep. */
function redactValue(value: unknown, secret: boolean): unknown {
  if (typeof value === 'string') return secret && value.length > 0 ? redactionMark : redactText(value);
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secret));
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const redacted = redactValue(item, secret || isSensitiveKey(name));
    // A plain assignment to `__proto__` would set the copy's prototype instead of adding the key.
    if (name === '__proto__') Object.defineProperty(copy, name, { value: redacted, enumerable: true });
    else copy[name] = redacted;
  }
  return copy;
}
