import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../core/is-alive.ts';
import { endedAdwsWithWorktrees, lockAdw, type AdwRow } from '../../db/adws.ts';
import type { Pool } from '../../db/pool.ts';
import { runningWorkingDirs } from '../../db/runs.ts';
import { withRepositoryLock } from '../adws/workspace.ts';

const run = promisify(execFile);

/** What `baton gc` looks at and how far it may go. */
export interface GcOptions {
  /** BATON_HOME/snapshots. */
  snapshotsRoot: string;
  /** Where the benchmarks make their temporary directories (the system's temporary directory). */
  tempRoot: string;
  /** Only what ended (or was last used) longer ago than this is removed. */
  olderThanMs: number;
  /** Say what would be removed, remove nothing. */
  dryRun: boolean;
  /** Delete ADW branches even when they hold commits no other branch has. */
  branches: boolean;
  /** Remove worktrees with uncommitted changes too. */
  force: boolean;
  now?: Date;
}

export type GcKind = 'worktree' | 'branch' | 'snapshot' | 'benchmark';

export interface GcItem {
  kind: GcKind;
  /** A directory, or for a branch `<repository>:<branch>`. */
  path: string;
  /** Disk it takes (blocks allocated), 0 for a branch. */
  bytes: number;
  /** Why it goes, or why it stays. */
  reason: string;
  adwId?: string;
  branch?: string;
}

export interface GcReport {
  dryRun: boolean;
  removed: GcItem[];
  kept: GcItem[];
  freedBytes: number;
}

/**
 * A bench may run for a while without writing anything; whatever `--older-than` says, its directories
 * are left alone until they have been untouched this long.
 */
const benchmarkMinimumAgeMs = 60 * 60 * 1000;
/** Temporary directories of baton's benchmarks (`bench/*.ts`): `baton-bench-…`, `baton-chaos-…`. */
const benchmarkPrefix = /^baton-(bench|chaos)-/;

/**
 * Removes what baton leaves on disk once nothing needs it (`baton gc`): the worktrees of ADWs that ended
 * (succeeded, failed or cancelled) longer than `olderThanMs` ago, with their branches when no other branch
 * lacks their commits; the file-tracking shadow repositories whose directory is gone or that no run has
 * used for that long (a running run's never); and benchmark leftovers. Never a worktree of an ADW that
 * runs, waits or is paused: each ADW row is locked and its status checked again while its worktree goes,
 * so a concurrent resume waits and then finds it gone.
 */
export async function collectGarbage(pool: Pool, options: GcOptions): Promise<GcReport> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - options.olderThanMs);
  const report: GcReport = { dryRun: options.dryRun, removed: [], kept: [], freedBytes: 0 };
  const gone = new Set<string>();

  for (const adw of await endedAdwsWithWorktrees(pool, before)) {
    const items = await collectWorktree(pool, adw, options, now);
    for (const item of items) {
      (item.removed ? report.removed : report.kept).push(item.item);
      if (item.removed && item.item.kind === 'worktree') gone.add(item.item.path);
    }
  }
  const needed = await neededShadows(pool);
  for (const item of await collectShadows(options, before, needed, gone)) {
    (item.removed ? report.removed : report.kept).push(item.item);
  }
  for (const item of await collectBenchmarks(options, now)) report.removed.push(item);
  report.freedBytes = report.removed.reduce((sum, item) => sum + item.bytes, 0);
  return report;
}

interface Outcome {
  removed: boolean;
  item: GcItem;
}

async function collectWorktree(pool: Pool, adw: AdwRow, options: GcOptions, now: Date): Promise<Outcome[]> {
  const path = adw.worktree_path!;
  const ended = `ADW ${adw.id.slice(0, 8)} ${adw.status} ${age(now, adw.ended_at ?? adw.updated_at)} ago`;
  const base = { adwId: adw.id, branch: adw.branch ?? undefined };
  const repository = await repositoryTop(adw.working_dir);
  const exists = existsSync(path);
  if (exists && (await isDirty(path)) && !options.force) {
    const item = {
      kind: 'worktree' as const,
      path,
      bytes: await diskUsage(path),
      reason: `${ended}; it has uncommitted changes (--force removes them)`,
      ...base,
    };
    return [{ removed: false, item }];
  }
  const bytes = exists ? await diskUsage(path) : 0;
  const outcomes: Outcome[] = [];
  const work = async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      // A resume takes this lock too: it waits until the worktree is gone, then finds it so.
      const current = await lockAdw(client, adw.id);
      if (!current || !['succeeded', 'failed', 'cancelled'].includes(current.status)) {
        await client.query('rollback');
        return;
      }
      if (exists) {
        if (!options.dryRun) await removeWorktree(repository, path);
        outcomes.push({ removed: true, item: { kind: 'worktree', path, bytes, reason: ended, ...base } });
      } else if (repository && !options.dryRun) {
        // Gone already (an earlier gc, or by hand): git forgets it too.
        await git(repository, 'worktree', 'prune');
      }
      // A branch an earlier gc kept (it has commits of its own) comes up again, until merged or --branches.
      const branch =
        adw.branch && repository ? await collectBranch(repository, adw.branch, options, base) : undefined;
      if (branch) outcomes.push(branch);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  // Worktree changes to one repository take turns (workspace.ts): a concurrent `worktree add` waits.
  if (repository && exists && !options.dryRun) await withRepositoryLock(repository, dirname(path), work);
  else await work();
  return outcomes;
}

async function collectBranch(
  repository: string,
  branch: string,
  options: GcOptions,
  base: Pick<GcItem, 'adwId' | 'branch'>,
): Promise<Outcome | undefined> {
  const path = `${repository}:${branch}`;
  const unmerged = await unmergedCommits(repository, branch);
  if (unmerged === undefined) return undefined;
  if (unmerged > 0 && !options.branches) {
    return {
      removed: false,
      item: {
        kind: 'branch',
        path,
        bytes: 0,
        reason: `${plural(unmerged, 'commit')} no other branch has (merge it, or --branches deletes it)`,
        ...base,
      },
    };
  }
  if (!options.dryRun) await git(repository, 'branch', '-D', branch);
  return {
    removed: true,
    item: {
      kind: 'branch',
      path,
      bytes: 0,
      reason:
        unmerged > 0 ? `${plural(unmerged, 'commit')} not merged, deleted as asked (--branches)` : 'merged',
      ...base,
    },
  };
}

/**
 * Commits on `branch` that no other branch, tag or remote-tracking branch holds, or undefined when the
 * branch does not exist.
 */
async function unmergedCommits(repository: string, branch: string): Promise<number | undefined> {
  const ref = `refs/heads/${branch}`;
  try {
    await git(repository, 'rev-parse', '--verify', '--quiet', ref);
  } catch {
    return undefined;
  }
  const count = await git(
    repository,
    'rev-list',
    '--count',
    ref,
    '--not',
    // Relative to refs/heads/ for --branches (a full ref name would exclude nothing).
    `--exclude=${branch}`,
    '--branches',
    '--tags',
    '--remotes',
  );
  return Number(count);
}

async function removeWorktree(repository: string | undefined, path: string): Promise<void> {
  // --force: the dirty check (or the --force flag) has decided already; git's own check refuses more.
  if (repository) await git(repository, 'worktree', 'remove', '--force', path);
  // The repository it came from is gone: the worktree is a plain directory now.
  await rm(path, { recursive: true, force: true });
}

/** The shadows that a running run tracks: its before-snapshot is in there. */
async function neededShadows(pool: Pool): Promise<Set<string>> {
  const needed = new Set<string>();
  for (const dir of await runningWorkingDirs(pool)) {
    const workTree = await realpath(dir).catch(() => dir);
    needed.add(`${createHash('sha1').update(workTree).digest('hex')}.git`);
  }
  return needed;
}

async function collectShadows(
  options: GcOptions,
  before: Date,
  needed: Set<string>,
  gone: Set<string>,
): Promise<Outcome[]> {
  const names = await readdir(options.snapshotsRoot).catch(() => [] as string[]);
  const outcomes: Outcome[] = [];
  for (const name of names) {
    const path = join(options.snapshotsRoot, name);
    const staging = /\.git\.init-/.test(name);
    if (!name.endsWith('.git') && !staging) continue;
    const workTree = (await readFile(join(path, 'baton-work-tree'), 'utf8').catch(() => '')).trim();
    const lastUsed = await lastModified(path);
    let reason: string | undefined;
    if (staging)
      reason = lastUsed < before.getTime() ? 'left half-made by a process that stopped' : undefined;
    else if (workTree && (isInside(workTree, gone) || !existsSync(workTree)))
      reason = `its directory ${workTree} is gone`;
    else if (lastUsed < before.getTime())
      reason = `no run used it since ${new Date(lastUsed).toISOString().slice(0, 10)} (the next run in ${workTree || 'its directory'} makes it again)`;
    if (!reason) continue;
    const bytes = await diskUsage(path);
    if (needed.has(name)) {
      outcomes.push({
        removed: false,
        item: { kind: 'snapshot', path, bytes, reason: `a running run in ${workTree} tracks its files here` },
      });
      continue;
    }
    if (!options.dryRun) await rm(path, { recursive: true, force: true });
    outcomes.push({ removed: true, item: { kind: 'snapshot', path, bytes, reason } });
  }
  return outcomes;
}

async function collectBenchmarks(options: GcOptions, now: Date): Promise<GcItem[]> {
  const names = await readdir(options.tempRoot).catch(() => [] as string[]);
  const limit = now.getTime() - Math.max(options.olderThanMs, benchmarkMinimumAgeMs);
  const items: GcItem[] = [];
  for (const name of names.filter((entry) => benchmarkPrefix.test(entry))) {
    const path = join(options.tempRoot, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    const tree = await walk(path);
    // Untouched for long enough, and no embedded PostgreSQL still running in it.
    if (tree.newestMs > limit || tree.livePostgres) continue;
    if (!options.dryRun) await rm(path, { recursive: true, force: true });
    items.push({
      kind: 'benchmark',
      path,
      bytes: tree.bytes,
      reason: `benchmark leftovers, untouched for ${age(now, new Date(tree.newestMs))}`,
    });
  }
  return items;
}

/** Whether `dir` is one of `roots` or inside one (an ADW started in a subdirectory works in the same one of its worktree). */
function isInside(dir: string, roots: Set<string>): boolean {
  return [...roots].some((root) => dir === root || dir.startsWith(`${root}/`));
}

/** Disk a directory takes: the blocks its files have, as `du` counts them (links not followed). */
async function diskUsage(path: string): Promise<number> {
  return (await walk(path)).bytes;
}

async function walk(root: string): Promise<{ bytes: number; newestMs: number; livePostgres: boolean }> {
  let bytes = 0;
  let newestMs = 0;
  let livePostgres = false;
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => undefined);
    if (!info) return;
    bytes += info.blocks * 512;
    newestMs = Math.max(newestMs, info.mtimeMs);
    if (!info.isDirectory()) {
      if (path.endsWith('/postmaster.pid')) {
        const pid = Number((await readFile(path, 'utf8').catch(() => '')).split('\n')[0]);
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) livePostgres = true;
      }
      return;
    }
    for (const name of await readdir(path).catch(() => [] as string[])) await visit(join(path, name));
  };
  await visit(root);
  return { bytes, newestMs, livePostgres };
}

/** When anything directly in `dir` last changed (a shadow's shared index is rewritten by every snapshot). */
async function lastModified(dir: string): Promise<number> {
  let newest = (await lstat(dir)).mtimeMs;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const info = await lstat(join(dir, name)).catch(() => undefined);
    if (info) newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

async function isDirty(worktree: string): Promise<boolean> {
  try {
    return (await git(worktree, 'status', '--porcelain', '--untracked-files=all')) !== '';
  } catch {
    // Not a working git worktree any more (its repository is gone): nothing git could tell us is committed.
    return true;
  }
}

async function repositoryTop(dir: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  return git(dir, 'rev-parse', '--show-toplevel').catch(() => undefined);
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return stdout.trim();
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `3 days`, `5 hours`, `12 minutes`: how long ago, roughly. */
export function age(now: Date, then: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - then.getTime()) / 60_000));
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(hours / 24), 'day');
}
