import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShadowRepo } from '../src/agent/shadow-repo.ts';
import { newId } from '../src/core/ids.ts';
import type { AdwStatus } from '../src/core/statuses.ts';
import { insertAdw } from '../src/db/adws.ts';
import { insertAgent } from '../src/db/agents.ts';
import { insertRun } from '../src/db/runs.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { prepareWorkspace, type Workspace } from '../src/services/adws/workspace.ts';
import { scratchDir } from './helpers/agents.ts';
import { batonAs, cliEnvironment, hintArguments, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

interface Report {
  dryRun: boolean;
  removed: { kind: string; path: string; bytes: number; reason: string; adwId?: string }[];
  kept: { kind: string; path: string; bytes: number; reason: string; adwId?: string }[];
  freedBytes: number;
}

const days = (n: number) => new Date(Date.now() - n * 86_400_000);

describe('baton gc, on real git worktrees', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let temp: Awaited<ReturnType<typeof scratchDir>>;
  let repo: string;
  let snapshots: string;
  // One ADW per case, each with a real worktree and branch made the way ADWs make them.
  const adws: Record<string, { id: string; workspace: Workspace }> = {};
  const shadows: Record<string, string> = {};
  let oldBench: string;
  let freshBench: string;
  let notBench: string;

  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  const branches = () =>
    git('branch', '--list', 'adw/*', '--format=%(refname:short)').split('\n').filter(Boolean);
  const env = () =>
    cliEnvironment({ DATABASE_URL: db.current.url, BATON_HOME: home.path, TMPDIR: temp.path });
  const gc = async (...flags: string[]) => {
    const result = await runBaton(['gc', ...flags, '--json'], env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Report;
  };
  const paths = (items: Report['removed'], kind: string) =>
    items
      .filter((item) => item.kind === kind)
      .map((item) => item.path)
      .sort();

  async function adw(name: string, status: AdwStatus, endedAt: Date | null) {
    const id = newId();
    const workspace = await prepareWorkspace(repo, {
      adwId: id,
      slug: name,
      inPlace: false,
      worktreesRoot: join(home.path, 'worktrees'),
    });
    await insertAdw(db.current.pool, {
      id,
      name,
      workflow: 'plan_build',
      workingDir: repo,
      worktreePath: workspace.worktreePath,
      branch: workspace.branch,
      inputs: {
        prompt: name,
        model: 'claude-haiku-5-5',
        reviewModel: 'claude-haiku-5-5',
        inPlace: false,
        cwd: workspace.cwd,
        stepRetries: 0,
        stepTimeoutSeconds: 60,
      },
      state: { status, steps: [], costUsd: 0 },
    });
    await db.current.pool.query('update adws set status = $2, ended_at = $3 where id = $1', [
      id,
      status,
      endedAt,
    ]);
    adws[name] = { id, workspace };
  }

  beforeAll(async () => {
    home = await scratchDir('gc-home');
    temp = await scratchDir('gc-tmp');
    repo = await createSampleRepository(home.path);
    snapshots = join(home.path, 'snapshots');

    await adw('committed', 'succeeded', days(10)); // its branch has a commit of its own
    await adw('empty', 'failed', days(10)); // nothing on its branch beyond main
    await adw('dirty', 'cancelled', days(10)); // uncommitted work in the worktree
    await adw('running', 'running', null);
    await adw('paused', 'paused', days(10));
    await adw('recent', 'succeeded', days(0.01));
    const committed = adws.committed!.workspace.worktreePath!;
    await writeFile(join(committed, 'farewell.js'), 'module.exports = () => "bye";\n');
    execFileSync('git', ['add', '-A'], { cwd: committed });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'farewell'], {
      cwd: committed,
    });
    await writeFile(join(adws.dirty!.workspace.worktreePath!, 'notes.md'), 'half done\n');
    await writeFile(join(adws.running!.workspace.worktreePath!, 'wip.js'), 'in progress\n');

    // Shadows: of a worktree gc removes, of a directory already gone, of the repository (in use), and of a
    // gone directory a running run still works in.
    shadows.committed = await openShadowRepo(committed, snapshots);
    const goneDir = join(home.path, 'deleted-project');
    await mkdir(goneDir);
    shadows.gone = await openShadowRepo(goneDir, snapshots);
    shadows.repo = await openShadowRepo(repo, snapshots);
    const busyDir = join(home.path, 'busy-project');
    await mkdir(busyDir);
    shadows.busy = await openShadowRepo(busyDir, snapshots);
    const agent = await insertAgent(db.current.pool, {
      name: 'busy',
      model: 'claude-haiku-5-5',
      workingDir: busyDir,
    });
    await insertRun(db.current.pool, {
      id: newId(),
      agentId: agent.id,
      model: 'claude-haiku-5-5',
      workingDir: busyDir,
      host: hostname(),
      pid: process.pid,
    });
    await rm(goneDir, { recursive: true });
    await rm(busyDir, { recursive: true });

    // Benchmark leftovers in the temporary directory gc is given (TMPDIR), never the machine's own.
    oldBench = join(temp.path, 'baton-bench-adw-old');
    freshBench = join(temp.path, 'baton-bench-cli-fresh');
    notBench = join(temp.path, 'someone-elses-dir');
    for (const dir of [oldBench, freshBench, notBench]) {
      await mkdir(join(dir, 'data'), { recursive: true });
      await writeFile(join(dir, 'data', 'file'), 'x'.repeat(10_000));
    }
    for (const path of [join(oldBench, 'data', 'file'), join(oldBench, 'data'), oldBench, notBench]) {
      await utimes(path, days(10), days(10));
    }
  });
  afterAll(async () => {
    await home.remove();
    await temp.remove();
  });

  it('--dry-run says what would go and why, with sizes, and removes nothing', async () => {
    const report = await gc('--dry-run');
    expect(report.dryRun).toBe(true);
    const wt = (name: string) => adws[name]!.workspace.worktreePath!;
    expect(paths(report.removed, 'worktree')).toEqual([wt('committed'), wt('empty')].sort());
    expect(paths(report.kept, 'worktree')).toEqual([wt('dirty')]);
    expect(report.kept.find((item) => item.kind === 'worktree')!.reason).toMatch(
      /uncommitted changes \(--force/,
    );
    // The branch with a commit of its own stays; the one with nothing new goes.
    expect(paths(report.removed, 'branch')).toEqual([`${repo}:${adws.empty!.workspace.branch}`]);
    expect(report.kept.filter((item) => item.kind === 'branch')).toEqual([
      expect.objectContaining({
        path: `${repo}:${adws.committed!.workspace.branch}`,
        reason: expect.stringMatching(/^1 commit no other branch has/),
      }),
    ]);
    expect(paths(report.removed, 'snapshot')).toEqual([shadows.committed, shadows.gone].sort());
    expect(report.kept.filter((item) => item.kind === 'snapshot').map((item) => item.path)).toEqual([
      shadows.busy,
    ]);
    expect(paths(report.removed, 'benchmark')).toEqual([oldBench]);
    for (const item of report.removed.filter((entry) => entry.kind !== 'branch')) {
      expect(item.bytes, item.path).toBeGreaterThan(0);
    }
    expect(report.freedBytes).toBe(report.removed.reduce((sum, item) => sum + item.bytes, 0));

    for (const { workspace } of Object.values(adws)) expect(existsSync(workspace.worktreePath!)).toBe(true);
    expect(branches()).toHaveLength(6);
    for (const shadow of Object.values(shadows)) expect(existsSync(shadow)).toBe(true);
    expect(existsSync(oldBench)).toBe(true);
  });

  it('removes them: worktrees unregistered from git, merged branches, unused snapshots, bench leftovers', async () => {
    const result = await runBaton(['gc'], env());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `removed worktree ${adws.committed!.workspace.worktreePath} \\d+(\\.\\d)? (B|KB|MB): ADW ${adws.committed!.id.slice(0, 8)} succeeded 10 days ago`,
      ),
    );
    expect(result.stdout).toMatch(
      /kept branch .*: 1 commit no other branch has \(merge it, or --branches deletes it\)/,
    );
    expect(result.stdout).toMatch(/\d+(\.\d)? (KB|MB) freed\.\n$/);

    const listed = git('worktree', 'list', '--porcelain');
    for (const name of ['committed', 'empty']) {
      expect(existsSync(adws[name]!.workspace.worktreePath!), name).toBe(false);
      expect(listed).not.toContain(adws[name]!.workspace.worktreePath!);
    }
    for (const name of ['dirty', 'running', 'paused', 'recent']) {
      expect(existsSync(adws[name]!.workspace.worktreePath!), name).toBe(true);
    }
    expect(branches().sort()).toEqual(
      ['committed', 'dirty', 'running', 'paused', 'recent']
        .map((name) => adws[name]!.workspace.branch!)
        .sort(),
    );
    expect(existsSync(shadows.committed!)).toBe(false);
    expect(existsSync(shadows.gone!)).toBe(false);
    expect(existsSync(shadows.repo!)).toBe(true);
    expect(existsSync(shadows.busy!)).toBe(true);
    expect([existsSync(oldBench), existsSync(freshBench), existsSync(notBench)]).toEqual([false, true, true]);

    // Nothing left that is old enough: a second gc removes nothing.
    expect((await gc()).removed).toEqual([]);
  });

  it('adw show says where the work is and how to clean it up', async () => {
    const baton = batonAs(env());
    const gone = await runBaton(['adw', 'show', adws.committed!.id], env());
    expect(gone.stdout).toContain(
      `branch ${adws.committed!.workspace.branch} (its worktree ${adws.committed!.workspace.worktreePath} was removed)`,
    );
    expect(gone.stdout).not.toContain('clean up:');

    const recent = await runBaton(['adw', 'show', adws.recent!.id], env());
    expect(recent.stdout).toContain(
      `branch ${adws.recent!.workspace.branch} in ${adws.recent!.workspace.worktreePath}`,
    );
    const hint = /^ {2}clean up: (.+)$/m.exec(recent.stdout)?.[1];
    expect(hint).toBe(`${baton} gc --older-than 0 --dry-run`);
    // The hint works, and shows this ADW's worktree among what would go.
    const dry = await runBaton(hintArguments(hint!), env());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would remove worktree ${adws.recent!.workspace.worktreePath} `);
    expect(existsSync(adws.recent!.workspace.worktreePath!)).toBe(true);

    // A running ADW is told how to follow and stop it, not how to clean it up.
    const running = await runBaton(['adw', 'show', adws.running!.id], env());
    expect(running.stdout).not.toContain('clean up:');
  });

  it('--older-than 0 --branches --force takes the rest that ended, and never a running or paused ADW', async () => {
    const report = await gc('--older-than', '0', '--branches', '--force');
    const wt = (name: string) => adws[name]!.workspace.worktreePath!;
    expect(paths(report.removed, 'worktree')).toEqual([wt('dirty'), wt('recent')].sort());
    expect(paths(report.removed, 'branch')).toEqual(
      ['committed', 'dirty', 'recent'].map((name) => `${repo}:${adws[name]!.workspace.branch}`).sort(),
    );
    expect(
      report.removed.find((item) => item.path.endsWith(adws.committed!.workspace.branch!))!.reason,
    ).toMatch(/1 commit not merged, deleted as asked \(--branches\)/);
    expect(existsSync(wt('running'))).toBe(true);
    expect(existsSync(join(wt('running'), 'wip.js'))).toBe(true);
    expect(existsSync(wt('paused'))).toBe(true);
    expect(branches().sort()).toEqual(
      [adws.running!.workspace.branch!, adws.paused!.workspace.branch!].sort(),
    );
    // The shadow of the running run stays whatever the flags; the repository's own is old enough now.
    expect(existsSync(shadows.busy!)).toBe(true);
    expect(report.kept.map((item) => item.path)).toContain(shadows.busy);
  });

  it('refuses a duration it cannot read, naming the flag', async () => {
    const result = await runBaton(['gc', '--older-than', '7 days'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--older-than.*expected a duration such as 7d, 12h, 30m, 90s or 0, got "7 days"/,
    );
  });
});
