import { isSensitiveKey } from './sensitive-key.ts';

/**
 * One secret format, as data. Written here rather than taken from a package: docs/decisions/0015-secret-rules.md
 * says why none fit. The shape follows gitleaks' rules (id, regex, keywords).
 */
export interface SecretRule {
  /** Stable name, for tests and reports. */
  readonly id: string;
  /**
   * Lowercase literals, one of which every match contains (compared ignoring case): the rule runs only on
   * text that contains one, so the usual string (no secret) costs one search for all keywords. Empty: the rule
   * runs on every text that passes its `gate`.
   */
  readonly keywords: readonly string[];
  /** For a rule with no keywords: a cheap test that any text it matches passes. */
  readonly gate?: (text: string) => boolean;
  /** Global. The named group `keep`, if any, stays so a reader can tell what was there; the rest of the match goes. */
  readonly pattern: RegExp;
  /**
   * A second look where the pattern cannot judge alone. A rejected match stays, and the text after its `keep`
   * is searched again, so `author: password=…` still finds the password.
   */
  readonly accept?: (secret: string, groups: Readonly<Record<string, string | undefined>>) => boolean;
}

function isBase64(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 43 ||
    code === 47
  );
}

/**
 * Whether `text` has a run of exactly `length` base64 characters. Any run that long covers exactly one index
 * that is a multiple of `length`, so only those indexes are looked at: a few per line of text, where a regex
 * would try every position.
 */
function hasBase64RunOf(text: string, length: number): boolean {
  for (let probe = 0; probe < text.length; probe += length) {
    if (!isBase64(text.charCodeAt(probe))) continue;
    let start = probe;
    let end = probe + 1;
    while (start > 0 && isBase64(text.charCodeAt(start - 1))) start--;
    while (end < text.length && isBase64(text.charCodeAt(end))) end++;
    if (end - start === length) return true;
    // A longer run holds other probes; skip them.
    while (probe + length < end) probe += length;
  }
  return false;
}

/**
 * Provider tokens, by their documented prefixes. `(?<![\w-])` stops a prefix inside a longer word (`disk-usage`
 * holds `sk-`) or inside base64 from counting.
 */
const providerTokens: SecretRule[] = [
  {
    id: 'anthropic',
    keywords: ['sk-ant-'],
    pattern: /(?<![\w-])(?<keep>sk-ant-)[\w-]{10,}/g,
  },
  {
    // OpenAI (sk-, sk-proj-, sk-svcacct-) and others that copied the shape. A random key has a capital or a
    // digit; requiring one spares kebab-case names that start with `sk-`.
    id: 'openai',
    keywords: ['sk-'],
    pattern: /(?<![\w-])(?<keep>sk-)(?=[\w-]*[A-Z0-9])[\w-]{20,}/g,
  },
  {
    id: 'github-token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /(?<![\w-])(?<keep>gh[pousr]_)[A-Za-z0-9]{20,}/g,
  },
  {
    id: 'github-fine-grained-token',
    keywords: ['github_pat_'],
    pattern: /(?<![\w-])(?<keep>github_pat_)\w{20,}/g,
  },
  {
    id: 'gitlab-token',
    keywords: [
      'glpat-',
      'gloas-',
      'gldt-',
      'glrt-',
      'glcbt-',
      'glptt-',
      'glft-',
      'glimt-',
      'glagent-',
      'glsoat-',
    ],
    pattern: /(?<![\w-])(?<keep>gl(?:pat|oas|dt|rt|cbt|ptt|ft|imt|agent|soat)-)[\w-]{20,}/g,
  },
  {
    id: 'slack-token',
    keywords: ['xox', 'xapp-'],
    pattern: /(?<![\w-])(?<keep>xox[abposre]-|xapp-)[A-Za-z0-9-]{10,}/g,
  },
  {
    id: 'slack-webhook',
    keywords: ['hooks.slack.com'],
    pattern: /(?<keep>hooks\.slack\.com\/(?:services|workflows|triggers)\/)[\w/+-]{20,}/g,
  },
  {
    id: 'stripe-key',
    keywords: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    pattern: /(?<![\w-])(?<keep>[sr]k_(?:live|test)_)[A-Za-z0-9]{10,}/g,
  },
  {
    id: 'stripe-webhook-secret',
    keywords: ['whsec_'],
    pattern: /(?<![\w-])(?<keep>whsec_)[A-Za-z0-9+/=]{20,}/g,
  },
  {
    id: 'aws-access-key-id',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    pattern: /(?<![A-Z0-9])(?<keep>AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])/g,
  },
  {
    // A secret access key printed with no name before it (a CSV of credentials, `echo $AWS_SECRET_ACCESS_KEY`,
    // terraform output): exactly 40 base64 characters. No AWS key id is required nearby, because the two are
    // often printed apart (a command and its output are separate strings), and a false positive costs one
    // unreadable 40-character token. What keeps this from firing on everything: the run must be exactly 40
    // long (longer base64, such as image data, signatures and integrity hashes, is one longer run), start
    // after a space, quote or punctuation that separates values, and hold a lowercase letter, a capital and a
    // digit, which a git SHA or any hex digest (one case only) never does.
    id: 'aws-secret-access-key',
    keywords: [],
    gate: (text) => hasBase64RunOf(text, 40),
    pattern: /(?<keep>^|[\s"'`=:,;(){}[\]<>|&])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    accept: (secret) => /[a-z]/.test(secret) && /[A-Z]/.test(secret) && /[0-9]/.test(secret),
  },
  {
    id: 'google-api-key',
    keywords: ['aiza'],
    pattern: /(?<![\w-])(?<keep>AIza)[\w-]{35}/g,
  },
  {
    id: 'google-oauth-client-secret',
    keywords: ['gocspx-'],
    pattern: /(?<keep>GOCSPX-)[\w-]{20,}/g,
  },
  {
    id: 'google-oauth-access-token',
    keywords: ['ya29.'],
    pattern: /(?<![\w-])(?<keep>ya29\.)[\w-]{20,}/g,
  },
  {
    id: 'npm-token',
    keywords: ['npm_'],
    pattern: /(?<![\w-])(?<keep>npm_)[A-Za-z0-9]{36}(?![A-Za-z0-9])/g,
  },
  {
    id: 'pypi-token',
    keywords: ['pypi-ageichlwas5vcmc'],
    pattern: /(?<keep>pypi-)AgEIcHlwaS5vcmc[\w-]{40,}/g,
  },
  {
    id: 'huggingface-token',
    keywords: ['hf_'],
    pattern: /(?<![\w-])(?<keep>hf_)[A-Za-z0-9]{34}(?![A-Za-z0-9])/g,
  },
  {
    id: 'sendgrid-key',
    keywords: ['sg.'],
    pattern: /(?<![\w-])(?<keep>SG\.)[\w-]{22}\.[\w-]{43}(?![\w-])/g,
  },
  {
    id: 'shopify-token',
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    pattern: /(?<keep>shp(?:at|ca|pa|ss)_)[a-fA-F0-9]{32}/g,
  },
  {
    id: 'linear-key',
    keywords: ['lin_api_'],
    pattern: /(?<keep>lin_api_)[A-Za-z0-9]{40}/g,
  },
  {
    id: 'digitalocean-token',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: /(?<keep>do[opr]_v1_)[a-f0-9]{64}/g,
  },
  {
    id: 'groq-key',
    keywords: ['gsk_'],
    pattern: /(?<![\w-])(?<keep>gsk_)[A-Za-z0-9]{48}(?![A-Za-z0-9])/g,
  },
  {
    id: 'onepassword-service-account-token',
    keywords: ['ops_ey'],
    pattern: /(?<keep>ops_)eyJ[\w+/=-]{50,}/g,
  },
  {
    id: 'age-secret-key',
    keywords: ['age-secret-key-1'],
    pattern: /(?<keep>AGE-SECRET-KEY-1)[0-9A-Z]{58}/g,
  },
  {
    id: 'jwt',
    keywords: ['eyj'],
    pattern: /(?<![\w-])(?<keep>eyJ)[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/g,
  },
];

/**
 * A private key block goes whole. Text may be cut before it is redacted, so a block with no END line goes to
 * the end of the text: nothing after a BEGIN line is safe to keep.
 */
const privateKey: SecretRule = {
  id: 'private-key',
  keywords: ['private key'],
  pattern:
    /-----BEGIN[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----|$)/g,
};

/** Credentials that other text gives away: a URL's user part, a command's password flag, an auth header. */
const credentialsInContext: SecretRule[] = [
  {
    // scheme://user:PASSWORD@host, scheme://:PASSWORD@host (redis). The pattern starts at the literal `://`
    // and looks back for the scheme, so the engine can skip to each `://`.
    id: 'url-password',
    keywords: ['://'],
    pattern: /(?<keep>:\/\/(?<=[a-zA-Z0-9+.-]:\/\/)[^\s:/@]*:)[^\s@/]+(?=@)/g,
  },
  {
    // scheme://TOKEN@host (a token as the user, as git and Sentry use). `ssh://git@` and `ftp://anonymous@`
    // are user names, so the user must look generated: 16 characters or more, with a digit.
    id: 'url-token-user',
    keywords: ['://'],
    pattern: /(?<keep>:\/\/(?<=[a-zA-Z0-9+.-]:\/\/))(?=[\w.~%+-]*\d)[\w.~%+-]{16,}(?=(?::[^\s@/]*)?@)/g,
  },
  {
    // curl -u user:PASSWORD, curl --user "user:PASS WORD" (only curl: `docker run -u 1000:1000` is a uid:gid).
    id: 'curl-user',
    keywords: ['curl'],
    pattern:
      /(?<keep>\bcurl\b[^\n]*?[ \t](?:-u|--user)(?:[ \t]+|=)?(?<quote>['"])?[^\s:'"]*:)(?:(?:(?!\k<quote>)[^\n])+|[^\s'"]+)/g,
  },
  {
    // mysql -pPASSWORD. mysql reads a password only when it is joined to -p: a bare `-p` prompts for one, and
    // in `-p name` the name is the database, so neither is redacted.
    id: 'mysql-password',
    keywords: ['mysql', 'mariadb'],
    pattern: /(?<keep>\b(?:mysql|mariadb)[\w-]*\b[^\n]*?[ \t]-p)(?:'[^'\n]*'|"[^"\n]*"|[^\s'"]+)/g,
  },
  {
    // sshpass -p PASSWORD, where the space is allowed.
    id: 'sshpass-password',
    keywords: ['sshpass'],
    pattern: /(?<keep>\bsshpass\b[^\n]*?[ \t]-p[ \t]*)(?:'[^'\n]*'|"[^"\n]*"|[^\s'"]+)/g,
  },
  {
    // A token has a digit or punctuation; "bearer authentication" does not.
    id: 'bearer',
    keywords: ['bearer'],
    pattern: /\b(?<keep>bearer[ \t]+)(?=[A-Za-z]*[\d._~+/=-])[\w.~+/-]{12,}=*/gi,
  },
  {
    // Basic base64(user:password). Base64 of text mixes cases mid-word or carries digits, + / =; words after
    // "Basic" in prose ("Basic authentication") do not.
    id: 'basic-auth',
    keywords: ['basic'],
    pattern:
      /\b(?<keep>[Bb]asic[ \t]+)(?=[A-Za-z0-9+/]*(?:[a-z][A-Z]|[0-9+/=]))[A-Za-z0-9+/]{6,}={0,2}(?![\w+/=])/g,
  },
];

/** Name stems that every sensitive name (see isSensitiveKey) contains; they gate and anchor the assignment rule. */
const nameStems = ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'cookie', 'credential'];

/** `[pP][aA][sS][sS]`: case-insensitive without the `i` flag, which would also loosen the value patterns. */
function anyCase(word: string): string {
  return [...word].map((letter) => `[${letter}${letter.toUpperCase()}]`).join('');
}

/**
 * Unquoted values that are code, not secrets, as agents read and write it: calls (`token = getToken()`),
 * generics, indexing, functions (`loadCredentials: () => …`), number literals (`STENCIL_PASS: 0x0B96`), and
 * references to other names (`this.token`, `msg.secretKey`, `token: accessToken`, `secret: workSecret,`,
 * `apiKey ?? …`). A reference is letters only (a secret seldom is): dotted, camelCase, or followed by
 * JavaScript punctuation.
 */
const codeValue = [
  String.raw`(?:undefined|null|true|false|none|None|nil|await|async|function|new|typeof|this|self)(?![\w$-])`,
  String.raw`[\w$.?]+[(<[]`,
  String.raw`\(`,
  String.raw`(?:0[xXoObB][\da-fA-F_]+|\d[\d_]*(?:\.\d+)?)n?(?![\w$])`,
  // A reference ends where the name does: one followed by base64's `/` or `+` is part of a key.
  String.raw`[A-Za-z_$]+(?:\.[A-Za-z_$]+)+(?![\w$./+])`,
  String.raw`[a-z_$]+(?:[A-Z][a-z]*)+(?![\w$/+])`,
  String.raw`[A-Za-z_$]+[ \t]*(?:[,;)}\]]|[=!]==?|=>|\?|\|\||&&)`,
].join('|');

/**
 * After a colon, also a type (`password: string`, `token: Token | null`, `credentialId: Base64URLString;`).
 * Not after `=`, where `Pwd=Sup3rS3cret;` is a password.
 */
const typeValue = [
  String.raw`(?:string|number|boolean|undefined|null|unknown|any|never|object|void|bigint|symbol)(?![\w$-])`,
  String.raw`[A-Z][A-Za-z]*(?:\[\])?(?:[;,)>|&]|[ \t]*[|&=]|[ \t]*(?:\n|$))`,
  String.raw`[A-Z][A-Za-z0-9]*(?:\[\])?[;,)>|&]`,
].join('|');

const anyCaseStems = nameStems.map(anyCase).join('|');
const assignmentPattern = new RegExp(
  [
    // The name and what joins it to the value: `DB_PASS=`, `"api_key": "`, `\"password\":\"` (JSON inside a
    // JSON string), `--password=`, `Cookie: `. `===` and `=>` are comparisons and arrows. The match starts at
    // a stem, which the engine can search for quickly, and looks back for the start of the name (not after
    // `type`: `type RequestCredentials = "omit"` declares a type).
    String.raw`(?<keep>(?<nameRest>(?:${anyCaseStems})(?<=(?<![\w.-])(?<!\btype[ \t]+)(?<namePrefix>[\w.-]*)(?:${anyCaseStems}))[\w.-]*)`,
    String.raw`\\*["'\`]?(?<separator>[ \t]*(?::=|[:=])(?![=>])[ \t]*)(?<quote>\\*["'\`])?)`,
    '(?:',
    // A quoted value, spaces and all, up to the same quote (escaped the same way).
    String.raw`(?:(?!\k<quote>)(?:\\.|[^\n\\]))+(?=\k<quote>)`,
    // After a colon (YAML, headers, prose) the value is the rest of the phrase, up to a YAML comment:
    // `passphrase: correct horse`.
    String.raw`|(?<=:[ \t]*)(?!${codeValue}|${typeValue})[^\s"'\`\\,{}]+(?:[ \t]+[^\s#"'\`\\,{}][^\s"'\`\\,{}]*)*`,
    // After `=` (shell, .env, query strings) it is one word: `PGPASSWORD=x psql` keeps `psql`.
    String.raw`|(?<==[ \t]*)(?!${codeValue})[^\s"'\`\\,;&|{}()]+`,
    ')',
  ].join(''),
  'g',
);

/**
 * Whether an assignment the pattern found gives away a secret: the name must be sensitive. A quoted value is
 * a literal and goes, unless it is a template (`${token}`) or a version range (`"cookie": "^0.7.1"` in a
 * package.json). An unquoted one must be six characters or more and not just a number (`token: 500` is a
 * count), and `pass` alone before `: ` is English (`the content pass: …`), not a password.
 */
function isAssignedSecret(value: string, groups: Readonly<Record<string, string | undefined>>): boolean {
  const name = `${groups.namePrefix ?? ''}${groups.nameRest ?? ''}`;
  if (!isSensitiveKey(name)) return false;
  if (groups.quote !== undefined) return !value.includes('${') && !/^[~^]?\d+\.\d+/.test(value);
  if (/^pass$/i.test(name) && /:[ \t]/.test(groups.separator ?? '')) return false;
  return value.length >= 6 && !/^\d+$/.test(value);
}

/** `name = value` and `name: value` where the name is sensitive. */
const assignment: SecretRule = {
  id: 'assignment',
  keywords: nameStems,
  pattern: assignmentPattern,
  accept: isAssignedSecret,
};

/**
 * Every rule, in the order they run. Specific formats come first so their kept prefix survives: a value that
 * already holds a redaction mark is left alone by later rules (`ANTHROPIC_API_KEY=sk-ant-[REDACTED]`).
 */
export const secretRules: readonly SecretRule[] = [
  privateKey,
  ...providerTokens,
  ...credentialsInContext,
  assignment,
];
