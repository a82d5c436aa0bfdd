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

// "password=...", "api_key: ...", "Authorization: Bearer ..." and credentials inside URLs.
const assignedSecret =
  /\b((?:api[_-]?key|secret|token|password|passwd|auth[_-]?token|access[_-]?key|client[_-]?secret)["']?\s*[:=]\s*["']?)([^\s"',;]{6,})/gi;
const bearer = /\b(Bearer\s+)([A-Za-z0-9._~+/=-]{12,})/g;
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;

const sensitiveKey = /^(?:.*[_-])?(?:api[_-]?key|secret|token|password|passwd|authorization|credentials?)$/i;

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
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    return key !== undefined && sensitiveKey.test(key) && value.length > 0
      ? redactionMark
      : redactText(value);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, redactValue(item, name)]));
  }
  return value;
}
