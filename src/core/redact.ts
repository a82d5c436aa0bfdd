import { secretRules, type SecretRule } from './secret-rules.ts';
import { isSensitiveKey } from './sensitive-key.ts';

export { isSensitiveKey };

/** What replaces a secret. Rules leave a value that already holds it alone, so redacting twice changes nothing. */
export const redactionMark = '[REDACTED]';

/**
 * The text with every secret it contains replaced by {@link redactionMark}: provider keys and tokens, private
 * keys, credentials in URLs, commands and auth headers, and values assigned to sensitive names. A short prefix
 * stays where it tells a reader which key it was (`sk-ant-[REDACTED]`, `PGPASSWORD=[REDACTED]`).
 */
export function redactText(text: string): string {
  const lowered = text.toLowerCase();
  let result = text;
  for (const rule of secretRules) {
    if (rule.keywords.length === 0 || rule.keywords.some((keyword) => lowered.includes(keyword))) {
      result = applyRule(rule, result);
    }
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
