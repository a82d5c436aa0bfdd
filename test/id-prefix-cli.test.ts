import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { scratchDir } from './helpers/agents.ts';
import { batonAs, cliEnvironment, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

// Two ADWs whose ids share their first 8 characters, as `adw ls` shows them.
const twinA = 'abcd1234-0000-4000-8000-00000000000a';
const twinB = 'abcd1234-0000-4000-8000-00000000000b';

describe('ids and prefixes in the CLI', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let repo: string;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('id-prefix-cli');
    repo = await createSampleRepository(home.path);
    // --detach never calls the model; the server only gives the configuration a reachable endpoint.
    server = await startFakeModelServer({ script: [] });
    for (const [id, prompt] of [
      [twinA, 'Colour the output \u001b[31mred\u001b[0m'],
      [twinB, 'Second twin'],
    ] as const) {
      await db.current.pool.query(
        `insert into adws (id, name, workflow, status, working_dir, inputs, total_steps)
         values ($1, $2, 'plan_build', 'failed', $3, $4, 2)`,
        [id, `twin-${id.at(-1)}`, repo, { prompt, cwd: repo }],
      );
    }
    await db.current.pool.query(
      `insert into adw_steps (adw_id, position, name, status)
       values ($1, 0, 'plan', 'succeeded'), ($1, 1, 'build', 'failed')`,
      [twinB],
    );
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
  });

  const env = () =>
    cliEnvironment({
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-id-prefix-test',
      BATON_SUMMARIES: 'off',
    });

  it('a unique prefix works for adw show, events and cancel', async () => {
    const queued = await runBaton(
      ['adw', 'run', 'plan_build', 'Add a farewell function', '--cwd', repo, '--detach', '--json'],
      env(),
    );
    expect(queued.code, queued.stderr).toBe(0);
    const { id } = JSON.parse(queued.stdout) as { id: string };
    const prefix = id.slice(0, 6).toUpperCase(); // case does not matter, as for git

    const show = await runBaton(['adw', 'show', prefix, '--json'], env());
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout).id).toBe(id);

    const events = await runBaton(['adw', 'events', prefix, '--json'], env());
    expect(events.code, events.stderr).toBe(0);
    const recorded = events.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; adwId: string });
    expect(recorded[0]).toMatchObject({ type: 'AdwCreated', adwId: id });

    const cancel = await runBaton(['adw', 'cancel', prefix], env());
    expect(cancel.code, cancel.stderr).toBe(0);
    const row = await db.current.pool.query('select status from adws where id = $1', [id]);
    expect(row.rows[0].status).toBe('cancelled');
  });

  it('an ambiguous prefix is refused, listing every candidate with its distinguishing short id', async () => {
    for (const args of [
      ['adw', 'show', 'abcd1234'],
      ['adw', 'cancel', 'abcd'],
      ['events', 'tail', '--adw', 'abcd1234-0'],
    ]) {
      const result = await runBaton(args, env());
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/is ambiguous: it starts 2 ADW ids/);
      // Only their last characters tell them apart, so each is listed whole.
      expect(result.stderr).toMatch(new RegExp(`\\n  ${twinA}\\n`));
      expect(result.stderr).toMatch(new RegExp(`\\n  ${twinB}\\n`));
      expect(result.stderr).toMatch(/Pass more characters/);
    }
    const statuses = await db.current.pool.query('select status from adws where id = any($1)', [
      [twinA, twinB],
    ]);
    expect(statuses.rows.map((row) => row.status)).toEqual(['failed', 'failed']);
  });

  it('an unknown id or a malformed one exits 2 with a message naming the argument or flag', async () => {
    const unknown = '0b5e8f3c';
    const cases: [string[], RegExp][] = [
      [
        ['adw', 'show', unknown],
        new RegExp(`No ADW 0b5e8f3c \\(given as <id>\\): list them with \`${batonAs(env())} adw ls\``),
      ],
      [['adw', 'events', unknown], /No ADW 0b5e8f3c \(given as <id>\)/],
      [['adw', 'resume', unknown], /No ADW 0b5e8f3c \(given as <id>\)/],
      // A filter that matched nothing used to wait forever in silence.
      [['events', 'tail', '--adw', unknown], /No ADW 0b5e8f3c \(given as --adw\)/],
      [['events', 'tail', '--run', unknown], /No run 0b5e8f3c \(given as --run\)/],
      [['events', 'tail', '--agent', unknown], /No agent 0b5e8f3c \(given as --agent\)/],
      [['agents', 'wait', 'someone', '--prompt-id', unknown], /No prompt 0b5e8f3c \(given as --prompt-id\)/],
      [['agent', 'run', 'x', '--cwd', repo, '--resume', unknown], /No run or session "0b5e8f3c".*--resume/],
      [
        ['adw', 'show', 'abc'],
        /value 'abc' is invalid for argument 'id'\. expected an id or its first 4\+ characters/,
      ],
      [['adw', 'show', 'abcd_1'], /expected an id or its first 4\+ characters/],
      [['events', 'tail', '--adw', 'zzzz'], /option '--adw <id>' argument 'zzzz' is invalid/],
    ];
    for (const [args, message] of cases) {
      const result = await runBaton(args, env());
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).not.toMatch(/unexpected error|\n\s+at /);
      expect(result.code, args.join(' ')).toBe(2);
    }
  });

  it('adw ls prints a header, short ids and statuses, and no control characters from a prompt', async () => {
    const list = await runBaton(['adw', 'ls'], env());
    expect(list.code, list.stderr).toBe(0);
    const [header, ...rows] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+WORKFLOW\s+STEPS\s+COST\s+CREATED\s+PROMPT$/);
    const twin = rows.find((row) => row.includes('Colour the output'));
    expect(twin).toMatch(/^abcd1234  failed\s+plan_build\s+0\/2 /);
    expect(twin).toContain('\\x1b[31mred\\x1b[0m');
    expect(twin).not.toContain(twinA);
    expect(list.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('adw ls --json lists each ADW with its steps', async () => {
    const list = await runBaton(['adw', 'ls', '--json'], env());
    expect(list.code, list.stderr).toBe(0);
    const adws = JSON.parse(list.stdout) as { id: string; steps: { name: string; status: string }[] }[];
    expect(adws.find((adw) => adw.id === twinB)?.steps).toMatchObject([
      { name: 'plan', status: 'succeeded' },
      { name: 'build', status: 'failed' },
    ]);
    expect(adws.find((adw) => adw.id === twinA)?.steps).toEqual([]);
  });
});
