/**
 * Secret shapes we remove from everything stored: provider keys, tokens, private keys, credentials in
 * URLs. Redaction keeps a short prefix so a person can still tell which key it was.
 */
const secretPatterns: { pattern: RegExp; keep: number }[] = [
  { pattern: /sk-ant-[A-Za-z0-9_-]{10,}/g, keep: 7 }, // Anthropic
  { pattern: /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, keep: 3 }, // OpenAI and similar
  { pattern: /gh[pousr]_[A-Za-z0-9]{20,}/g, keep: 4 }, // GitHub
  { pattern: /github_pat_[A-Za-z0-9_]{20,}/g, keep: 11 },
  { pattern: /glpat-[A-Za-z0-9_-]{20,}/g, keep: 6 }, // GitLab
  { pattern: /xox[abposr]-[A-Za-z0-9-]{10,}/g, keep: 5 }, // Slack
  { pattern: /AKIA[0-9A-Z]{16}/g, keep: 4 }, // AWS access key id
  { pattern: /AIza[0-9A-Za-z_-]{35}/g, keep: 4 }, // Google API key
  { pattern: /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, keep: 3 }, // JWT
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, keep: 0 },
];

// "password=...", "DB_PASSWORD=...", "api_key: ...", "AWS_SECRET_ACCESS_KEY=...": a secret-sounding name (possibly
// with a prefix or suffix joined by _ or -) assigned a value that is not just a number (token counts are fine).
const assignedSecret =
  /(?<![A-Za-z0-9])((?:api[_-]?key|secret|token|password|passwd|auth[_-]?token|access[_-]?key|private[_-]?key|client[_-]?secret)(?:[_-][A-Za-z0-9_-]*)?["']?\s*[:=]\s*["']?)(?=[^\s"',;]*[^\d\s"',;])([^\s"',;]{6,})/gi;
const bearer = /\b(Bearer\s+)([A-Za-z0-9._~+/=-]{12,})/g;
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;

const secretWords = new Set([
  'secret',
  'secrets',
  'password',
  'passwd',
  'credential',
  'credentials',
  'authorization',
  'apikey',
]);
const keyQualifiers = new Set(['api', 'private', 'access', 'secret', 'signing', 'encryption']);

/**
 * Object keys whose values are secrets whatever they look like: api_key, x-api-key, secretAccessKey,
 * DB_PASSWORD, session_token. Judged by whole words, so `secretary`, `tokens` and `token_count` are not.
 */
function isSensitiveKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1);
  const beforeLast = words.at(-2);
  return (
    words.some((word) => secretWords.has(word)) ||
    last === 'token' ||
    (last === 'key' && beforeLast !== undefined && keyQualifiers.has(beforeLast))
  );
}

export const redactionMark = '[REDACTED]';

/** The text with every secret it contains replaced by a marker. */
export function redactText(text: string): string {
  let result = text;
  for (const { pattern, keep } of secretPatterns) {
    result = result.replace(pattern, (match) => `${match.slice(0, keep)}${redactionMark}`);
  }
  return result
    .replace(assignedSecret, (_, name: string) => `${name}${redactionMark}`)
    .replace(bearer, (_, prefix: string) => `${prefix}${redactionMark}`)
    .replace(
      urlCredentials,
      (_, head: string, _password: string, at: string) => `${head}${redactionMark}${at}`,
    );
}

/**
 * A deep copy of a JSON-like value with secrets redacted: in every string, and in full for values under
 * keys such as `api_key` or `password`.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, false) as T;
}

/** `secret`: everything beneath a sensitive key is a secret, however deep. */
function redactValue(value: unknown, secret: boolean): unknown {
  if (typeof value === 'string') return secret && value.length > 0 ? redactionMark : redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secret));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, redactValue(item, secret || isSensitiveKey(name))]),
    );
  }
  return value;
}
