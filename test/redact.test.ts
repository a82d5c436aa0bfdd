import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { isSensitiveKey, redactionMark, redactSecrets, redactText } from '../src/core/redact.ts';
import { secretRules } from '../src/core/secret-rules.ts';

const R = redactionMark;

describe('redactText: provider key shapes', () => {
  it.each([
    ['Anthropic', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', `sk-ant-${R}`],
    ['OpenAI project', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx', `sk-${R}`],
    ['OpenAI legacy', 'sk-AbCdEfGhIjKlMnOpQrStUvWx', `sk-${R}`],
    ['GitHub personal', 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', `ghp_${R}`],
    ['GitHub server', 'ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', `ghs_${R}`],
    ['GitHub fine-grained', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', `github_pat_${R}`],
    ['GitLab', 'glpat-AbCdEfGhIjKlMnOpQrSt', `glpat-${R}`],
    ['Slack', 'xoxb-1234567890-0987654321-AbCdEfGh', `xoxb-${R}`],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE', `AKIA${R}`],
    ['Google API key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv', `AIza${R}`],
    [
      'JWT',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      `eyJ${R}`,
    ],
  ])('%s key keeps only its prefix', (_name, secret, expected) => {
    expect(redactText(`key is ${secret} here`)).toBe(`key is ${expected} here`);
  });

  it('removes a whole private key block, prefix included', () => {
    const key = [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
      '-----END OPENSSH PRIVATE KEY-----',
    ].join('\n');
    const redacted = redactText(`before\n${key}\nafter`);
    expect(redacted).toBe(`before\n${R}\nafter`);
  });

  it('redacts every occurrence, not just the first', () => {
    const a = 'ghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const b = 'ghp_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    expect(redactText(`${a} and ${b}`)).toBe(`ghp_${R} and ghp_${R}`);
  });
});

describe('redactText: assigned secrets, bearer tokens and URL credentials', () => {
  it('redacts the value of password=..., keeping the name', () => {
    expect(redactText('login with password=hunter2hunter2 now')).toBe(`login with password=${R} now`);
  });

  it('redacts api_key: "..." inside quotes, keeping the quotes', () => {
    expect(redactText('api_key: "abc123def456"')).toBe(`api_key: "${R}"`);
    expect(redactText('{"api_key": "abc123def456"}')).toBe(`{"api_key": "${R}"}`);
  });

  it('matches the assignment names case-insensitively', () => {
    expect(redactText('CLIENT_SECRET=abcdef123456')).toBe(`CLIENT_SECRET=${R}`);
    expect(redactText('Token: abcdef123456')).toBe(`Token: ${R}`);
  });

  it('leaves assigned values shorter than six characters alone', () => {
    expect(redactText('password=abc')).toBe('password=abc');
  });

  it('redacts an Authorization bearer token', () => {
    expect(redactText('Authorization: Bearer abc.def-ghi_jkl~mno')).toBe(`Authorization: Bearer ${R}`);
  });

  it('redacts the password in a URL, keeping scheme, user and host', () => {
    expect(redactText('DATABASE_URL=postgres://user:secret@db.example.com:5432/app')).toBe(
      `DATABASE_URL=postgres://user:${R}@db.example.com:5432/app`,
    );
    expect(redactText('git clone https://bob:p4ssw0rd@github.com/acme/repo.git')).toBe(
      `git clone https://bob:${R}@github.com/acme/repo.git`,
    );
  });

  // DB_PASSWORD=..., POSTGRES_PASSWORD=..., AWS_SECRET_ACCESS_KEY=... are how secrets appear in `env`
  // output and .env files. The `\b` in front of the name cannot match after `_`, so they pass through.
  it('redacts env-style names with a prefix, such as POSTGRES_PASSWORD=...', () => {
    expect(redactText('POSTGRES_PASSWORD=hunter2hunter2')).toBe(`POSTGRES_PASSWORD=${R}`);
  });
});

describe('redactText: innocent text', () => {
  it.each([
    'max_tokens=1000',
    'input_tokens: 1234, output_tokens: 56',
    'tokens: 12',
    'commit 3f786850e387550fdab836ed7e6dc881de23001b',
    'id 123e4567-e89b-12d3-a456-426614174000',
    '/home/me/project/src/auth/token-store.ts',
    'https://github.com/acme/repo/pull/12',
    'git@github.com:acme/repo.git',
    'The task-list has sk-ant in its name', // a prefix alone is not a key
    'Bearer short',
  ])('leaves %j untouched', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('redactSecrets', () => {
  it('replaces a string under a sensitive key in full', () => {
    expect(
      redactSecrets({
        api_key: 'abc',
        password: 'x',
        'x-api-key': 'whatever',
        apiKey: 'whatever',
        Authorization: 'Basic dXNlcjpwYXNz',
        client_secret: 'whatever',
        github_token: 'whatever',
        credentials: 'whatever',
      }),
    ).toEqual({
      api_key: R,
      password: R,
      'x-api-key': R,
      apiKey: R,
      Authorization: R,
      client_secret: R,
      github_token: R,
      credentials: R,
    });
  });

  it('keeps an empty string under a sensitive key empty', () => {
    expect(redactSecrets({ password: '' })).toEqual({ password: '' });
  });

  it('does not treat keys that merely contain a sensitive word as sensitive', () => {
    const value = {
      input_tokens: 1200,
      max_tokens: 4096,
      token_count: 'about twelve',
      tokens: 'many',
      secretary: 'Ms Smith',
      keyboard: 'qwerty',
    };
    expect(redactSecrets(value)).toEqual(value);
  });

  it('leaves non-string values under sensitive keys as they are', () => {
    expect(redactSecrets({ token: 42, password: null, secret: true })).toEqual({
      token: 42,
      password: null,
      secret: true,
    });
  });

  it('redacts secret shapes inside strings at any depth, in objects and arrays', () => {
    const input = {
      tool_input: { command: 'curl -H "Authorization: Bearer abcd1234efgh5678" https://api.example.com' },
      lines: ['ok', 'key sk-ant-api03-AbCdEfGhIjKlMnOpQrSt', ['deeper AKIAIOSFODNN7EXAMPLE']],
      usage: { input_tokens: 10, output_tokens: 2 },
    };
    expect(redactSecrets(input)).toEqual({
      tool_input: { command: `curl -H "Authorization: Bearer ${R}" https://api.example.com` },
      lines: ['ok', `key sk-ant-${R}`, [`deeper AKIA${R}`]],
      usage: { input_tokens: 10, output_tokens: 2 },
    });
  });

  it('returns a copy and leaves the input unchanged', () => {
    const input = { nested: { password: 'hunter2' }, list: [{ api_key: 'abc' }] };
    const before = structuredClone(input);
    const output = redactSecrets(input);
    expect(input).toEqual(before);
    expect(output).not.toBe(input);
    expect(output.nested).not.toBe(input.nested);
    expect(output.list).not.toBe(input.list);
    expect(output.list[0]).not.toBe(input.list[0]);
  });

  it('passes primitives through and redacts a bare string', () => {
    expect(redactSecrets(7)).toBe(7);
    expect(redactSecrets(null)).toBe(null);
    expect(redactSecrets(undefined)).toBe(undefined);
    expect(redactSecrets('password=hunter2hunter2')).toBe(`password=${R}`);
  });

  it('keeps Date values as they are', () => {
    const at = new Date('2025-01-02T03:04:05Z');
    expect(redactSecrets({ at }).at).toBe(at);
  });
});

describe('redactSecrets: what the event path stores', () => {
  it('redacts values under the newly sensitive keys in full', () => {
    expect(
      redactSecrets({
        auth: 'Ym9iOmh1bnRlcjI=',
        pwd: 'x',
        passphrase: 'correct horse battery staple',
        cookie: 'sid=1',
        'set-cookie': ['a=1', 'b=2'],
        PGPASSWORD: 'p',
        MYSQL_PWD: 'p',
        DB_PASS: 'p',
      }),
    ).toEqual({
      auth: R,
      pwd: R,
      passphrase: R,
      cookie: R,
      'set-cookie': [R, R],
      PGPASSWORD: R,
      MYSQL_PWD: R,
      DB_PASS: R,
    });
  });

  it('redacts everything nested under a sensitive key', () => {
    expect(redactSecrets({ credentials: { user: 'bob', list: ['a', { deep: 'b' }], port: 5432 } })).toEqual({
      credentials: { user: R, list: [R, { deep: R }], port: 5432 },
    });
  });

  it('redacts escaped JSON inside a string value, such as a tool result holding JSON text', () => {
    const toolResult = JSON.stringify({ user: 'bob', password: 'hunter2', api_key: 'k-123' });
    const redacted = redactSecrets({ type: 'tool_result', content: [{ type: 'text', text: toolResult }] });
    expect(JSON.parse(redacted.content[0]!.text)).toEqual({ user: 'bob', password: R, api_key: R });
    // and once more escaped, as it is inside a stored transcript line
    const line = JSON.stringify({ content: toolResult });
    expect(JSON.parse(JSON.parse(redactText(line)).content)).toEqual({
      user: 'bob',
      password: R,
      api_key: R,
    });
  });

  it('redacts a private key that the cap cut before its END line', () => {
    const cut = 'id_rsa:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0';
    expect(redactSecrets({ stdout: cut })).toEqual({ stdout: `id_rsa:\n${R}` });
  });

  it('keeps a `__proto__` key as an own property instead of setting the prototype', () => {
    const input = JSON.parse('{"__proto__": {"password": "x"}, "a": 1}') as Record<string, unknown>;
    const output = redactSecrets(input);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, '__proto__')?.value).toEqual({ password: R });
  });

  it('keeps Dates, numbers and booleans inside arrays and objects', () => {
    const at = new Date('2025-01-02T03:04:05Z');
    const output = redactSecrets({ list: [at, 1, true, null, 'AKIAIOSFODNN7EXAMPLE'] });
    expect(output.list[0]).toBe(at);
    expect(output.list.slice(1)).toEqual([1, true, null, `AKIA${R}`]);
  });
});

describe('isSensitiveKey', () => {
  it.each([
    'password',
    'PGPASSWORD',
    'MYSQL_PWD',
    'DB_PASS',
    'pwd',
    'passphrase',
    'auth',
    'basic_auth',
    'cookie',
    'Set-Cookie',
    'apiKey',
    'x-api-key',
    'secretAccessKey',
    'ANTHROPIC_API_KEY',
    'accessToken',
    'csrftoken',
    '--password',
    'spring.datasource.password',
  ])('%s is sensitive', (name) => {
    expect(isSensitiveKey(name)).toBe(true);
  });

  it.each([
    'tokens',
    'token_count',
    'input_tokens',
    'secretary',
    'keyboard',
    'key',
    'author',
    'auth_method',
    'cookie_name',
    'passport',
    'bypass',
    'apiKeySource',
    'PWD',
    'OLDPWD',
    'SSH_AUTH_SOCK',
    'TOKENIZERS_PARALLELISM',
  ])('%s is not sensitive', (name) => {
    expect(isSensitiveKey(name)).toBe(false);
  });
});

describe('redactText: a nameless AWS secret access key', () => {
  const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  // The rule looks only at every 40th character first; a key must be found wherever it starts.
  it('is found wherever it starts in the text', () => {
    for (let offset = 0; offset <= 81; offset++) {
      const before = 'x'.repeat(Math.max(0, offset - 1)) + (offset > 0 ? ' ' : '');
      expect(redactText(`${before}${key} done`), `at ${offset}`).toBe(`${before}${R} done`);
    }
  });

  it.each([
    ['41 characters', `${key}A`],
    ['39 characters', key.slice(1)],
    ['one case only', key.toLowerCase()],
    ['no digit', 'wJalrXUtnFEMI/KxMDENG/bPxRfiCYEXAMPLEKEY'],
    ['inside a longer word', `prefix_${key}`],
  ])('is not matched with %s', (_name, text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('the rule table', () => {
  // The keyword scan looks found keywords up in lowercase: a keyword with a capital would never be found,
  // and its rule would silently never run.
  it('has only lowercase keywords', () => {
    for (const rule of secretRules) {
      for (const keyword of rule.keywords) expect(keyword, rule.id).toBe(keyword.toLowerCase());
    }
  });

  it('has every rule caught by at least one planted secret in the corpus', () => {
    const corpus = JSON.parse(
      readFileSync(new URL('fixtures/secrets/positive.json', import.meta.url), 'utf8'),
    ) as { text: string }[];
    const unexercised = secretRules
      .filter((rule) => !corpus.some(({ text }) => text.match(rule.pattern) !== null))
      .map((rule) => rule.id);
    expect(unexercised).toEqual([]);
  });
});
