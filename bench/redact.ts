/**
 * npm run bench:redact — redactSecrets over the event payloads baton stores, against the floor of any
 * redaction that returns a copy: a deep copy, JSON.parse(JSON.stringify(payload)), of the same payloads.
 *
 * The mix: the recorded SDK messages of an edit session (stream events, assistant text and tool calls), and
 * hook events for Edit, Bash, Read (a real source file full of words like "token" and "key") and a tool
 * result holding JSON text; one event in the mix carries secrets. A screenshot (100 KB of base64) is timed
 * on its own, outside the mix.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { redactSecrets } from '../src/core/redact.ts';
import { machine, writeSection } from './support.ts';

const sdkMessages = JSON.parse(
  readFileSync(new URL('../test/fixtures/sdk-messages/edit-session.json', import.meta.url), 'utf8'),
) as object[];

function hook(tool: string, input: object, response: object): object {
  return {
    session_id: '5b1e6c7a-0f2e-4c55-9a61-3d2b8f0e7c11',
    transcript_path: '/home/me/.claude/projects/-work-project/5b1e6c7a.jsonl',
    cwd: '/work/project',
    hook_event_name: 'PostToolUse',
    tool_name: tool,
    tool_input: input,
    tool_response: response,
  };
}

const kinds: Record<string, object[]> = {
  'Edit hook': [
    hook(
      'Edit',
      { file_path: '/work/project/src/app.ts', old_string: 'const a = 1;', new_string: 'const a = 2;' },
      {
        filePath: '/work/project/src/app.ts',
        structuredPatch: [{ oldStart: 3, newStart: 3, lines: ['-const a = 1;', '+const a = 2;'] }],
        userModified: false,
      },
    ),
  ],
  'Bash hook with test output': [
    hook(
      'Bash',
      { command: 'npx vitest run test/app.test.ts', description: 'Run the app tests' },
      {
        stdout: [
          ' RUN  v4.1.12 /work/project',
          ' ✓ test/app.test.ts (12 tests) 48ms',
          '   ✓ parses the config file',
          '   ✓ rejects a missing DATABASE_URL with a clear error',
          '   ✓ retries the connection three times',
          ' Test Files  1 passed (1)',
          '      Tests  12 passed (12)',
          '   Start at  10:14:03',
          '   Duration  912ms (transform 120ms, setup 0ms, collect 210ms, tests 48ms)',
        ].join('\n'),
        stderr: '',
        interrupted: false,
      },
    ),
  ],
  'Read hook of a source file': [
    hook(
      'Read',
      { file_path: '/work/project/src/core/sensitive-key.ts' },
      {
        type: 'text',
        file: {
          filePath: '/work/project/src/core/sensitive-key.ts',
          content: readFileSync(new URL('../src/core/sensitive-key.ts', import.meta.url), 'utf8'),
        },
      },
    ),
  ],
  'tool result holding JSON text': [
    {
      type: 'user',
      message: {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01A2B3C4D5E6F7G8H9J0K1L2',
            content: JSON.stringify({
              items: Array.from({ length: 8 }, (_, n) => ({ id: n, name: `item-${n}`, tokens: n * 10 })),
              next_page: null,
            }),
          },
        ],
      },
    },
  ],
  'event with secrets (env dump)': [
    hook(
      'Bash',
      { command: 'env | sort' },
      {
        stdout: [
          'ANTHROPIC_API_KEY=sk-ant-api03-Xq7bN2mK9pL4vR8sT1wY6zA3cD5fG0hJ-kLmNoPqRsTuVwXyZ012345',
          'DATABASE_URL=postgres://app:hunter2@db:5432/app',
          'HOME=/home/me',
          'PATH=/usr/local/bin:/usr/bin:/bin',
          'PGPASSWORD=s3cr3tPass',
          'PWD=/work/project',
        ].join('\n'),
        stderr: '',
      },
    ),
  ],
  'SDK messages of an edit session': sdkMessages,
};

const screenshot = {
  type: 'user',
  message: {
    role: 'user',
    content: [
      {
        type: 'tool_result',
        tool_use_id: 'toolu_01A2B3C4D5E6F7G8H9J0K1L3',
        content: [
          {
            type: 'image',
            source: { type: 'base64', media_type: 'image/png', data: randomBytes(75_000).toString('base64') },
          },
        ],
      },
    ],
  },
};

const mix = Object.values(kinds).flat();
let sink = 0;

/** Microseconds per payload of `work`, over enough rounds to take about half a second. */
function time(payloads: object[], work: (payload: object) => unknown): number {
  const run = (rounds: number) => {
    const start = performance.now();
    for (let round = 0; round < rounds; round++) {
      for (const payload of payloads) sink += work(payload) === payload ? 1 : 0;
    }
    return performance.now() - start;
  };
  run(200); // warm up the JIT
  let rounds = 100;
  let elapsed = run(rounds);
  while (elapsed < 500) {
    rounds *= 2;
    elapsed = run(rounds);
  }
  return (elapsed * 1000) / (rounds * payloads.length);
}

const deepCopy = (payload: object) => JSON.parse(JSON.stringify(payload)) as unknown;
const rows = Object.entries({ 'whole mix': mix, ...kinds, 'screenshot (not in the mix)': [screenshot] }).map(
  ([name, payloads]) => {
    const bytes =
      payloads.reduce((sum, payload) => sum + JSON.stringify(payload).length, 0) / payloads.length;
    const redact = time(payloads, redactSecrets);
    const copy = time(payloads, deepCopy);
    return { name, count: payloads.length, bytes, redact, copy };
  },
);

const whole = rows[0]!;
const report = `
## Secret redaction (\`npm run bench:redact\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, one core. \`redactSecrets\` against the
deep copy any redaction that returns a copy must make, \`JSON.parse(JSON.stringify(payload))\`, on the same
payloads. The whole mix redacts at ${Math.round(1e6 / whole.redact).toLocaleString('en')} events/s on one core.

| payloads | events | mean size | redactSecrets | deep copy | ratio |
|---|---|---|---|---|---|
${rows
  .map(
    (row) =>
      `| ${row.name} | ${row.count} | ${Math.round(row.bytes).toLocaleString('en')} B | ${row.redact.toFixed(1)} µs | ${row.copy.toFixed(1)} µs | ${(row.redact / row.copy).toFixed(2)} × |`,
  )
  .join('\n')}
`;
console.log(report);
if (sink < 0) console.log(sink); // keeps the results alive
await writeSection('redact', report);
