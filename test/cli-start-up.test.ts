import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandIndex, commandToRun } from '../src/cli/command-index.ts';
import { insertAdw } from '../src/db/adws.ts';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton, type CliResult } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

const repository = fileURLToPath(new URL('..', import.meta.url));
const recordImports = fileURLToPath(new URL('./helpers/record-imports.mjs', import.meta.url));

/** Runs `node <entry> <args>` to the end. */
function runNode(nodeArgs: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('baton with no command', () => {
  it('prints the help, listing every command, and exits 0', async () => {
    const result = await runBaton([], cliEnvironment({}));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: baton \[options\] \[command\]/);
    for (const entry of commandIndex) expect(result.stdout).toContain(`  ${entry.name} `);
  });

  it('answers an unknown command with a suggestion and the usage exit code', async () => {
    const result = await runBaton(['adx'], cliEnvironment({}));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'adx'");
    expect(result.stderr).toContain('Did you mean adw?');
  });

  it('shows a command’s own help through `baton help <command>`', async () => {
    const result = await runBaton(['help', 'adw'], cliEnvironment({}));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: baton adw \[options\] \[command\]/);
    expect(result.stdout).toContain('ls [options]');
  });
});

describe('the command index', () => {
  it('holds, for each command, the description its module registers', async () => {
    for (const entry of commandIndex) {
      const program = new Command('baton');
      (await entry.load())(program);
      expect(program.commands.map((command) => command.name())).toEqual([entry.name]);
      expect(program.commands[0]!.description()).toBe(entry.summary);
    }
  });

  it('finds the command to run from the first argument, or the one after `help`', () => {
    expect(commandToRun(['adw', 'ls'])?.name).toBe('adw');
    expect(commandToRun(['help', 'doctor'])?.name).toBe('doctor');
    expect(commandToRun(['--help'])).toBeUndefined();
    expect(commandToRun(['-V'])).toBeUndefined();
    expect(commandToRun([])).toBeUndefined();
    expect(commandToRun(['nope'])).toBeUndefined();
  });
});

describe('what a command imports', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  beforeAll(async () => {
    home = await scratchDir('cli-start-up');
  });
  afterAll(async () => {
    await home.remove();
  });

  /** The modules `baton <args>` loads (URLs), and its result. */
  async function importsOf(args: string[], extra: Record<string, string> = {}) {
    const record = join(home.path, `imports-${randomUUID()}.txt`);
    await writeFile(record, '');
    const result = await runNode(
      ['--import', recordImports, join(repository, 'bin', 'baton.js'), ...args],
      cliEnvironment({ BATON_HOME: home.path, RECORD_IMPORTS_TO: record, ...extra }),
    );
    const modules = [...new Set((await readFile(record, 'utf8')).split('\n').filter(Boolean))];
    return { result, modules };
  }
  const heavy = [
    '/node_modules/pg-boss/',
    '/node_modules/@anthropic-ai/',
    '/node_modules/pg/',
    '/node_modules/zod/',
  ];

  it('--version and --help load no command module and none of the heavy dependencies', async () => {
    for (const args of [['--version'], ['--help'], []]) {
      const { result, modules } = await importsOf(args);
      expect(result.code).toBe(0);
      const ours = modules.filter((url) => url.includes('/src/'));
      expect(ours.some((url) => url.endsWith('/src/cli/main.ts'))).toBe(true);
      expect(
        ours.every((url) =>
          /\/src\/(cli\/(main|command-index|exit-codes|error-output|help-text|invocation|signals|terminal)|core\/errors|config\/package-root)\.ts$/.test(
            url,
          ),
        ),
        ours.join('\n'),
      ).toBe(true);
      for (const library of heavy) expect(modules.filter((url) => url.includes(library))).toEqual([]);
    }
  });

  it('adw ls reads the ledger without loading the queue, the Agent SDK, the services or the embedded server', async () => {
    await insertAdw(db.current.pool, {
      id: randomUUID(),
      name: 'listed-adw',
      workflow: 'plan_build',
      workingDir: home.path,
      inputs: {
        prompt: 'Add a health route',
        model: 'claude-haiku-5-5',
        reviewModel: 'claude-haiku-5-5',
        inPlace: true,
        cwd: home.path,
        stepRetries: 1,
        stepTimeoutSeconds: 600,
      },
      state: { status: 'succeeded', steps: [], costUsd: 0.25 },
    });
    const { result, modules } = await importsOf(['adw', 'ls'], { DATABASE_URL: db.current.url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Add a health route');
    expect(modules.filter((url) => url.includes('/node_modules/pg-boss/'))).toEqual([]);
    expect(modules.filter((url) => url.includes('/node_modules/@anthropic-ai/'))).toEqual([]);
    expect(modules.filter((url) => url.includes('/src/services/'))).toEqual([]);
    // DATABASE_URL is set, so nothing of the embedded server is needed either.
    expect(
      modules.filter((url) => /\/src\/db\/embedded-postgres|\/node_modules\/proper-lockfile\//.test(url)),
    ).toEqual([]);
  });
  it('gc and doctor load neither the queue nor the Agent SDK, and gc not the services', async () => {
    const gc = await importsOf(['gc', '--dry-run'], { DATABASE_URL: db.current.url, TMPDIR: home.path });
    expect(gc.result.stderr).toBe('');
    expect(gc.result.code).toBe(0);
    const doctor = await importsOf(['doctor', '--json'], { DATABASE_URL: db.current.url });
    expect(JSON.parse(doctor.result.stdout).checks.length).toBeGreaterThan(0);
    for (const { modules } of [gc, doctor]) {
      expect(modules.filter((url) => /\/node_modules\/(pg-boss|@anthropic-ai)\//.test(url))).toEqual([]);
    }
    // The one service module gc needs (and the workspace lock it shares with ADWs), not the composition root.
    expect(
      gc.modules.filter((url) => url.includes('/src/services/')).map((url) => url.replace(/^.*\/src\//, '')),
    ).toEqual(expect.arrayContaining(['services/admin/garbage-collect.ts']));
    expect(gc.modules.filter((url) => url.endsWith('/src/services/services.ts'))).toEqual([]);
  });
});

describe('bin/baton.js', () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  beforeAll(async () => {
    // A copy of the launcher beside a stand-in build and stand-in sources, each saying which one ran.
    dir = await scratchDir('cli-launcher');
    await mkdir(join(dir.path, 'bin'));
    await writeFile(join(dir.path, 'bin', 'baton.js'), await readFile(join(repository, 'bin', 'baton.js')));
    await writeFile(join(dir.path, 'package.json'), '{ "type": "module" }\n');
    await symlink(join(repository, 'node_modules'), join(dir.path, 'node_modules'));
    await mkdir(join(dir.path, 'src', 'cli'), { recursive: true });
    await writeFile(
      join(dir.path, 'src', 'cli', 'main.ts'),
      "const from: string = 'sources';\nconsole.log(from);\n",
    );
  });
  afterAll(async () => {
    await dir.remove();
  });
  const launch = (env: Record<string, string> = {}) =>
    runNode([join(dir.path, 'bin', 'baton.js')], { PATH: process.env.PATH ?? '', ...env });

  it('runs the sources through tsx when there is no build', async () => {
    const result = await launch();
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('sources\n');
  });

  it('runs dist/ when it is built, and the sources when BATON_FROM_SOURCE=1', async () => {
    await mkdir(join(dir.path, 'dist', 'src', 'cli'), { recursive: true });
    await writeFile(join(dir.path, 'dist', 'src', 'cli', 'main.js'), "console.log('dist');\n");
    try {
      expect((await launch()).stdout).toBe('dist\n');
      expect((await launch({ BATON_FROM_SOURCE: '1' })).stdout).toBe('sources\n');
    } finally {
      await rm(join(dir.path, 'dist'), { recursive: true, force: true });
    }
  });
});
