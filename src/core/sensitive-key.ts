/** Words that make a name sensitive wherever they stand in it: `db_password`, `passphrase_file`, `secrets`. */
const secretWords = new Set(['secret', 'secrets', 'password', 'passwd', 'passphrase']);

/**
 * Words that make a name sensitive only as its last word: `github_token`, `DB_PASS` and `Authorization` are
 * secrets, but `token_count`, `auth_method`, `credentialId`, `authorizationServerUrl` and
 * `APIKeyScopeMissingError` are names of something else.
 */
const lastWords = new Set([
  'token',
  'auth',
  'pwd',
  'pass',
  'cookie',
  'cookies',
  'credential',
  'credentials',
  'authorization',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
]);

/** `key` is sensitive after one of these (`api_key`, `private-key`, `secretAccessKey`), not alone or in `keyboard`. */
const keyQualifiers = new Set(['api', 'private', 'access', 'secret', 'signing', 'encryption']);

/** Env-style names run together with no separator: `PGPASSWORD`, `clientsecret`. */
const gluedSuffix = /(?:password|passwd|passphrase|secret)$/;
const gluedLastSuffix = /token$/;

/** The shell's working directories, which `env` prints, are paths, not MySQL's `MYSQL_PWD`. */
const workingDirectories = new Set(['PWD', 'OLDPWD']);

function judge(name: string): boolean {
  if (workingDirectories.has(name)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1);
  if (last === undefined) return false;
  const beforeLast = words.at(-2);
  return (
    words.some((word) => secretWords.has(word) || gluedSuffix.test(word)) ||
    lastWords.has(last) ||
    gluedLastSuffix.test(last) ||
    (last === 'key' && beforeLast !== undefined && keyQualifiers.has(beforeLast))
  );
}

// Payloads repeat the same few dozen keys endlessly, so each name is judged once. The cap keeps a stream of
// ever-new keys (ids used as keys) from growing the cache without bound.
const judged = new Map<string, boolean>();
const judgedLimit = 10_000;

/**
 * Whether a name (an object key, an env variable, a header, a flag) holds a secret whatever its value looks
 * like: api_key, x-api-key, secretAccessKey, DB_PASSWORD, PGPASSWORD, MYSQL_PWD, set-cookie, session_token.
 * Judged by words (split at `_`, `-`, `.` and camelCase), so `secretary`, `tokens`, `token_count`, `author`
 * and `keyboard` are not.
 */
export function isSensitiveKey(name: string): boolean {
  let verdict = judged.get(name);
  if (verdict === undefined) {
    verdict = judge(name);
    if (judged.size >= judgedLimit) judged.clear();
    judged.set(name, verdict);
  }
  return verdict;
}
